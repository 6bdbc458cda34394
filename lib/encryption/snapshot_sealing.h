#pragma once
// One plain snapshot sealed into the encrypted view's directory, as PBS 4.2's push sync seals it:
// indexes with the encrypted names of their chunks, blobs sealed with an IV derived from the bytes
// they seal (so a snapshot always becomes the same bytes), the manifest encrypted and signed
// (crypto/sealed_manifest.h). Its chunks are not written: the view's datastore aliases each
// encrypted name to the plain chunk it is sealed from on the way up.

#include <map>
#include <span>
#include <string>

#include "crypto/crypt_key.h"
#include "datastore/datastore.h"
#include "datastore/digest_map.h"
#include "datastore/local_scan.h"
#include "datastore/manifest.h"
#include "util/result.h"

namespace pbs::encryption {

// A file of the view: owner-only, as the view is private.
Status write_view_file(const std::string& path, std::span<const std::uint8_t> bytes);

struct ChunkNames {
  const datastore::DigestMap<Digest>& encrypted_of;  // plain digest -> encrypted name
  const std::map<Digest, std::string>& unreadable;    // plain chunks that cannot be sealed, and why
};

// Writes the snapshot's sealed files and manifest into `dir` and returns the manifest; `aliases`
// gets encrypted name -> plain digest of its chunks. An unreadable chunk fails it (Errc::corrupt).
Result<datastore::Manifest> seal_snapshot(const datastore::Datastore& store, const datastore::LocalSnapshot& s,
                                          const crypto::CryptKey& key, const ChunkNames& names, const std::string& dir,
                                          datastore::DigestMap<Digest>& aliases);

}  // namespace pbs::encryption
