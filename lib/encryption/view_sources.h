#pragma once
// What the bucket already holds of an encrypted prefix, read for the view (encrypted_view.h):
// - the remote copies made from each local snapshot as it is now: a remote manifest signed with
//   the key whose `sync-source-signature` is the signature of the local manifest came from it;
// - the remote indexes of the copies chosen as sources, lined up entry by entry with the local
//   ones they came from: they name every chunk the two share, so those are never read again.
// Both go through the one snapshot reader (remote/snapshot_reader.h).

#include <string>

#include "crypto/crypt_key.h"
#include "datastore/datastore.h"
#include "datastore/digest_map.h"
#include "encryption/view_entries.h"
#include "records/sealed_manifests.h"
#include "remote/catalog.h"
#include "remote/remote.h"
#include "transfer/request_interface.h"
#include "util/result.h"

namespace pbs::encryption {

// Sets `remote` and `remote_blob` of the entries whose remote copy came from them. A remote
// manifest `recorded` holds as the listing shows it is taken from there, the others are read.
Status read_remote_copies(transfer::RequestInterface& requests, const remote::Remote& remote,
                          const remote::RemoteCatalog& catalog, const crypto::CryptKey& key,
                          const records::SealedManifests& recorded, ViewGroups& groups);

// The indexes of the sources chosen (choose_work): written into the view at `view_root` (their
// chunks are then proven, as a complete snapshot's are) and lined up into `encrypted_of` (plain
// digest -> encrypted name). A source that cannot be read, or does not line up, names nothing.
Status read_sources(transfer::RequestInterface& requests, const remote::Remote& remote,
                    const remote::RemoteCatalog& catalog, const datastore::Datastore& store,
                    const std::string& view_root, const ViewGroups& groups,
                    datastore::DigestMap<Digest>& encrypted_of);

}  // namespace pbs::encryption
