#pragma once
// SHA-256 (for the signature, unless the payload goes unsigned over TLS) and optionally MD5
// (Content-MD5) of request bodies, computed on
// worker threads so a 64 MiB file never stalls the event loop. Files are streamed in pieces:
// memory stays bounded whatever the body size.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "s3/request.h"
#include "util/result.h"

namespace pbs::transfer {

using BodyTransform = std::function<Result<std::vector<std::uint8_t>>(std::span<const std::uint8_t>)>;

struct BodyHashes {
  std::string sha256_hex;  // or UNSIGNED-PAYLOAD when not asked for
  std::string md5_base64;  // empty unless asked for
  s3::Bytes loaded;        // the bytes to send, when a check or transform needed them in memory
};

// Hashes a memory body or a file range (errors name the file). With a check or a transform, the
// body is first held in memory (a file range is read whole) and must pass the check; what is
// hashed (and sent) is then the transform's result. `sha256` false: the payload is sent unsigned.
Result<BodyHashes> hash_body(const s3::Bytes& body, const std::optional<s3::FileRange>& file,
                             bool sha256, bool md5,
                             const std::function<Status(std::span<const std::uint8_t>)>& check = {},
                             const BodyTransform& transform = {});

class BodyHasher {
 public:
  struct Done {
    std::uint64_t job;
    Result<BodyHashes> hashes;
  };

  // `notify` is called from a worker after each result (the engine wakes its poll with it).
  BodyHasher(unsigned threads, std::function<void()> notify, bool sha256 = true);
  ~BodyHasher();
  BodyHasher(const BodyHasher&) = delete;
  BodyHasher& operator=(const BodyHasher&) = delete;

  void submit(std::uint64_t job, s3::Bytes body, std::optional<s3::FileRange> file, bool md5,
              std::function<Status(std::span<const std::uint8_t>)> check, BodyTransform transform = {});
  std::vector<Done> take_done();

 private:
  struct Work {
    std::uint64_t job;
    s3::Bytes body;
    std::optional<s3::FileRange> file;
    bool md5;
    std::function<Status(std::span<const std::uint8_t>)> check;
    BodyTransform transform;
  };
  void worker();

  std::function<void()> notify_;
  bool sha256_ = true;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Work> work_;
  std::vector<Done> done_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace pbs::transfer
