#pragma once
// An encrypted run syncs a view of the datastore as it is to be stored: each plain snapshot as
// PBS 4.2's push sync job encrypts it (chunks sealed with AES-256-GCM under the name
// SHA-256(plaintext || id_key), indexes with those names, blobs sealed, the manifest with
// `crypt-mode: encrypt`, `key-fingerprint`, its HMAC signature and `sync-source-signature`:
// crypto/sealed_manifest.h); snapshots the backup client encrypted as they are; partially
// encrypted ones left out with a warning, as PBS leaves them out. The view is a private directory
// of snapshot files whose chunks are aliases of the plain chunks they are made from
// (Datastore::view), so planning and the executor work on it as on any datastore.
//
// What makes a night cheap: an encrypted name is a function of key and plaintext, and indexes,
// blobs and manifests are sealed with an IV derived from the very bytes they seal, so a snapshot's
// files always become the same bytes (chunks get random IVs, as PBS gives them: they are sealed
// once). A remote snapshot whose manifest is signed with the key and whose
// `sync-source-signature` is the signature of the local manifest came from that local snapshot;
// its remote indexes, lined up entry by entry with the local ones, name every chunk they share
// with the newer snapshots of its group. Only chunks no such snapshot names are read (checked,
// decoded and hashed on worker threads). Nothing is kept on the host between runs.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "crypto/crypt_key.h"
#include "datastore/datastore.h"
#include "datastore/local_scan.h"
#include "records/sealed_manifests.h"
#include "remote/catalog.h"
#include "remote/remote.h"
#include "transfer/request_interface.h"
#include "util/file_io.h"

namespace pbs::encryption {

struct EncryptedView {
  ScratchDir dir;
  datastore::Datastore store;
  datastore::LocalScan scan;
  std::size_t snapshots_built = 0;   // encrypted in this run (new, changed, or sent again)
  std::size_t chunks_read = 0;       // plain chunks read to learn their encrypted names
  std::uint64_t bytes_read = 0;      // their bytes
  std::size_t chunks_named = 0;      // named by remote indexes instead
  std::vector<std::string> warnings;
  // The manifests of the encrypted snapshots as the view has them, and as the prefix's record
  // held them (records/sealed_manifests.h): the run writes the record again when they differ.
  records::SealedManifests sealed;
  records::SealedManifests recorded;
};

struct ViewOptions {
  bool full = false;     // rebuild every snapshot (a full run compares everything)
  unsigned threads = 2;  // for reading chunks
};

Result<EncryptedView> make_encrypted_view(const datastore::Datastore& store, const datastore::LocalScan& scan,
                                          const remote::RemoteCatalog& catalog,
                                          std::shared_ptr<const crypto::CryptKey> key,
                                          transfer::RequestInterface& requests, const remote::Remote& remote,
                                          const ViewOptions& options);

}  // namespace pbs::encryption
