#pragma once
// The encrypted name of a plain chunk is SHA-256(plaintext || id_key): learning it means reading
// and decoding the chunk. The chunks no remote index names are read on worker threads (checked,
// decoded, hashed), the only reads of chunk data an encrypted night does before the upload.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "crypto/crypt_key.h"
#include "datastore/datastore.h"
#include "datastore/digest_map.h"

namespace pbs::encryption {

struct ChunkNaming {
  std::size_t read = 0;         // chunks read
  std::uint64_t bytes = 0;      // their bytes
  std::map<Digest, std::string> unreadable;  // chunks that cannot be sealed, and why (few)
};

// Names every chunk of `todo` into `encrypted_of` (plain digest -> encrypted name), reading with up
// to `threads` threads.
ChunkNaming name_chunks(const datastore::Datastore& store, const crypto::CryptKey& key, const std::vector<Digest>& todo,
                        unsigned threads, datastore::DigestMap<Digest>& encrypted_of);

}  // namespace pbs::encryption
