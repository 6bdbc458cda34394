#include "encryption/chunk_naming.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "datastore/blob.h"
#include "util/file_io.h"

namespace pbs::encryption {

using namespace datastore;

ChunkNaming name_chunks(const Datastore& store, const crypto::CryptKey& key, const std::vector<Digest>& todo,
                        unsigned threads, DigestMap<Digest>& encrypted_of) {
  std::vector<Digest> names(todo.size());
  std::mutex mu;  // guards `failed`: few entries, so a map beside the names, not a slot per chunk
  std::map<std::size_t, Error> failed;
  std::atomic<std::size_t> next{0};
  std::atomic<std::uint64_t> bytes{0};
  auto work = [&] {
    std::vector<std::uint8_t> buffer;
    Sha256 h;
    for (std::size_t i; (i = next.fetch_add(1)) < todo.size();) {
      auto st = read_file_into(store.chunk_path(todo[i]), buffer);
      Result<std::uint64_t> decoded = std::uint64_t(0);
      if (st) {
        bytes += buffer.size();
        decoded = decode_blob_stream(buffer, kMaxChunkSize, [&](std::span<const std::uint8_t> p) { h.update(p); });
      }
      names[i] = key.finish_chunk_digest(h);  // resets `h` for the next chunk either way
      if (!st || !decoded) {
        std::lock_guard lock(mu);
        failed.emplace(i, !st ? std::move(st).error() : std::move(decoded).error());
      }
    }
  };
  unsigned n = std::max(1u, std::min<unsigned>(threads, unsigned(todo.size() / 64 + 1)));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < n; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  ChunkNaming out;
  for (std::size_t i = 0; i < todo.size(); ++i) {
    auto bad = failed.find(i);
    if (bad == failed.end()) {
      encrypted_of.emplace(todo[i], names[i]);
    } else {
      std::string why = bad->second.code() == Errc::not_found ? "is missing locally" : bad->second.message();
      out.unreadable.emplace(todo[i], "chunk " + store.chunk_path(todo[i]) + " " + why);
    }
  }
  out.read = todo.size();
  out.bytes = bytes;
  return out;
}

}  // namespace pbs::encryption
