#pragma once
// Fills an output with the chunks of one index, in a bounded window: every place of the index is
// a zero region (never fetched), a region an earlier run already filled (checked against the
// chunk's name, never trusted), or a chunk fetched, checked (chunk_content.h) and written at its
// offset. A chunk that repeats is fetched once: later places copy it from where it was written
// (standard output cannot be read back: there it is fetched again unless still on its way). Standard output gets the bytes in order, from a
// window of chunks held until their turn. A damaged or missing chunk is named with its offset;
// the rest is still written (a file or device), so a rerun fetches only what is missing.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <map>
#include <vector>

#include "crypto/crypt_key.h"
#include "datastore/digest_map.h"
#include "datastore/index_file.h"
#include "extract/extract_summary.h"
#include "extract/image_output.h"
#include "remote/chunk_listing.h"
#include "remote/remote.h"
#include "run/run_progress.h"
#include "run/run_stop.h"
#include "s3/response.h"
#include "transfer/request_interface.h"

namespace pbs::extract {

// Chunk bytes a run keeps on their way or waiting for their turn: memory follows this, never the
// image size.
inline constexpr std::uint64_t kWindowBytes = std::uint64_t(64) << 20;

struct ChunkSource {
  const datastore::IndexFile* index = nullptr;
  const crypto::CryptKey* key = nullptr;        // decrypts encrypted chunks (null: none given)
  bool encrypted = false;                       // the archive's chunks are encrypted (named with the key)
  const remote::ChunkListing* versions = nullptr;  // at a point in time: the chunk versions to fetch
};

class ExtractExecutor {
 public:
  ExtractExecutor(transfer::RequestInterface& requests, const remote::Remote& remote, ImageOutput& output,
                  ExtractSummary& summary, std::function<bool()> interrupted);

  // Every place written (or failed); finishes the output when all went well.
  void run(const ChunkSource& source, const std::function<void(const run::RunProgress&)>& tick);

 private:
  using Bytes = std::shared_ptr<const std::vector<std::uint8_t>>;  // null: zeros

  std::uint64_t offset(std::size_t i) const;
  std::uint64_t length(std::size_t i) const;
  bool can_start() const;
  void start(std::size_t i);
  void fetch(const Digest& d);
  void fetched(const Digest& d, Result<s3::Response> r);
  void deliver(std::size_t i, const Bytes& data);
  void write(std::size_t i, const Bytes& data);
  // The chunk at place `i` is already at `from` in the output: copied, not fetched.
  void copy(std::size_t i, std::uint64_t from);
  void failed(std::size_t i, const std::string& message);
  bool stopping();

  transfer::RequestInterface& requests_;
  remote::Remote remote_;
  ImageOutput& output_;
  ExtractSummary& summary_;
  run::RunStop stop_;
  ChunkSource source_;
  std::optional<Digest> zero_full_, zero_tail_;  // fixed index: the zero chunk, and a shorter last one
  std::size_t window_ = 0;                        // chunks on their way or waiting, at most
  std::size_t cursor_ = 0;                        // next place to start
  std::size_t flushed_ = 0;                       // standard output: places written, in order
  std::size_t in_flight_ = 0;
  bool broken_stream_ = false;                    // standard output lost a chunk: nothing after it can follow
  std::unordered_map<Digest, std::vector<std::size_t>, datastore::DigestHash> waiting_;  // chunk -> its places
  std::map<std::size_t, Bytes> ready_;            // standard output: places waiting for their turn
  datastore::DigestMap<std::uint64_t> written_at_;  // a file or device: where each chunk already is
  std::uint64_t bytes_placed_ = 0;
};

}  // namespace pbs::extract
