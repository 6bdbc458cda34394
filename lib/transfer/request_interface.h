#pragma once
// The narrow seam between what a run decides and how its requests travel (as ninja's
// DiskInterface is for files): submit S3 requests with a completion, drive them until a condition
// holds, read the clocks. The libcurl engine implements it; the unit tests implement it with an
// in-memory bucket that scripts latency, faults and completion order (tests/unit/fake_s3.h).
//
// Completions run on the caller's thread, from within run_until(), never from inside submit();
// they may submit more requests.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "s3/request.h"
#include "s3/response.h"
#include "transfer/counters.h"
#include "util/result.h"

namespace pbs::transfer {

using Completion = std::function<void(Result<s3::Response>)>;

// Where a response body goes.
struct Sink {
  enum class Kind { memory, file };
  Kind kind = Kind::memory;
  std::string path;  // file: written from offset 0, truncated at every attempt
  std::uint64_t max_memory = std::uint64_t(64) << 20;

  static Sink to_file(std::string p) { return Sink{Kind::file, std::move(p)}; }
  static Sink in_memory(std::uint64_t max) { return Sink{Kind::memory, {}, max}; }
};

class RequestInterface {
 public:
  using Clock = std::chrono::steady_clock;
  virtual ~RequestInterface() = default;

  // Takes the request; its completion is called exactly once, from within run_until().
  virtual void submit(s3::Request request, Sink sink, Completion done) = 0;
  void submit(s3::Request request, Completion done) { submit(std::move(request), Sink{}, std::move(done)); }

  // Drives requests until `stop()` is true (checked between events) or nothing is outstanding.
  virtual void run_until(const std::function<bool()>& stop) = 0;
  void run() { run_until(nullptr); }
  // Submits one request and runs until it completes (not from inside a completion).
  Result<s3::Response> execute(s3::Request request, Sink sink = {});

  // Requests submitted and not completed yet.
  virtual std::size_t outstanding() const = 0;
  // How many requests may travel at once now (the concurrency window: it moves during a run).
  virtual unsigned parallelism() const = 0;
  // Requests on the wire that only wait for a late answer (hedging, engine_config.h): they hold
  // no slot of the window, so callers keep that many more submitted.
  virtual std::size_t waiting_late() const { return 0; }
  virtual const Counters& counters() const = 0;
  // The region requests are signed for (CreateBucket needs it in its body).
  virtual const std::string& region() const = 0;
  // The server's clock as far as it is known (epoch seconds): the local clock corrected by what
  // RequestTimeTooSkewed answers taught.
  virtual std::int64_t now_epoch() const = 0;
  // Monotonic time, for intervals.
  virtual Clock::time_point now() const { return Clock::now(); }
};

// How many requests a run keeps submitted: a few more than travel at once, so a finished transfer
// is replaced without waiting for the caller, and few enough that the window shrinking under
// throttling does not leave hundreds queued.
inline std::size_t submit_depth(const RequestInterface& requests) {
  std::size_t p = requests.parallelism();
  return std::max<std::size_t>(2 * p, p + 4) + requests.waiting_late();
}

}  // namespace pbs::transfer
