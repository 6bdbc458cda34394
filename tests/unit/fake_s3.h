#pragma once
// An in-memory bucket behind the request interface, for testing planning, executors and stop
// rules without a server. It answers as S3 does (the statuses, headers and XML documents radosgw
// sends, turned into the same typed errors the engine returns), runs each request's body check as
// the engine's hasher threads do, and lets a test script latency, faults and completion order on
// a virtual clock. It models the engine's answers after its retries, not the retries themselves.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "s3/request.h"
#include "transfer/request_interface.h"

namespace pbs::test {

class FakeS3 final : public transfer::RequestInterface {
 public:
  struct Object {
    std::vector<std::uint8_t> body;
    std::int64_t modified = 0;  // epoch seconds
  };
  // A scripted answer in place of the real one, for the requests `match` picks, `times` times
  // (-1: always): an HTTP status with an S3 error code, or `error`, an error from below HTTP
  // (network, timeout). With `local`, `error` is what the engine's hasher met reading or checking
  // the body (a file it may not read): the request then never reaches the server.
  struct Fault {
    std::function<bool(const s3::Request&)> match;
    long status = 0;
    std::string code;
    std::optional<Error> error;
    bool local = false;
    int times = -1;
  };
  // One answered request, in answer order.
  struct Answered {
    s3::Op op;
    std::string key;
    bool if_none_match = false;
    long status = 0;  // 0: answered with an error
    double at = 0;    // virtual seconds since the start
  };

  explicit FakeS3(std::string bucket = "bucket", unsigned parallelism = 4);

  using RequestInterface::submit;
  void submit(s3::Request request, transfer::Sink sink, transfer::Completion done) override;
  void run_until(const std::function<bool()>& stop) override;
  std::size_t outstanding() const override { return pending_.size(); }
  unsigned parallelism() const override { return parallelism_; }
  const transfer::Counters& counters() const override { return counters_; }
  const std::string& region() const override { return region_; }
  std::int64_t now_epoch() const override;
  Clock::time_point now() const override;

  // The bucket: key -> object. A test may change it between and during runs.
  std::map<std::string, Object> objects;
  bool bucket_exists = true;
  // A bucket with Object Lock (and so versioning): the configuration says so and retention is
  // accepted; versions themselves are radosgw's to keep (tests/s3/test_object_lock.cpp).
  bool object_lock = false;

  void fault(Fault f) { faults_.push_back(std::move(f)); }
  void clear_faults() { faults_.clear(); }
  // Virtual seconds each request takes, plus up to `jitter` more, drawn from `seed`.
  double latency = 0.01;
  double jitter = 0;
  // Answers come in a random order (from `seed`) instead of by due time.
  bool shuffle = false;
  void reseed(std::uint64_t seed) { rng_.seed(seed); }
  // Called when a request is submitted, and right before it is answered.
  std::function<void(const s3::Request&)> on_submit;
  std::function<void(const s3::Request&)> on_answer;
  // Moves the virtual clock on.
  void advance(double seconds) { clock_ += seconds; }

  const std::vector<Answered>& answered() const { return answered_; }
  // Requests that ended at their body check or body read, never sent.
  std::size_t refused_locally() const { return refused_locally_; }
  std::size_t count(s3::Op op) const;
  std::size_t count(s3::Op op, std::string_view key_prefix) const;
  // Keys under `prefix`, in order.
  std::vector<std::string> keys(std::string_view prefix = "") const;
  void put(const std::string& key, std::vector<std::uint8_t> body);

 private:
  struct Pending {
    s3::Request request;
    transfer::Completion done;
    double due = 0;
    std::uint64_t serial = 0;
  };
  Result<std::vector<std::uint8_t>> read_body(const s3::Request& request);
  Result<s3::Response> answer(const s3::Request& request, const std::vector<std::uint8_t>& body);
  s3::Response dispatch(const s3::Request& request, const std::vector<std::uint8_t>& body);
  Result<s3::Response> finish(const s3::Request& request, s3::Response response);
  s3::Response list(const s3::Request& request) const;
  s3::Response delete_objects(const std::vector<std::uint8_t>& body);

  std::string bucket_;
  unsigned parallelism_;
  std::string region_ = "us-east-1";
  std::int64_t epoch_base_;
  double clock_ = 0;
  std::uint64_t serial_ = 0;
  std::vector<Pending> pending_;
  std::vector<Fault> faults_;
  std::vector<Answered> answered_;
  std::size_t refused_locally_ = 0;
  transfer::Counters counters_;
  std::mt19937_64 rng_{1};
};

// Matchers for faults.
std::function<bool(const s3::Request&)> op_is(s3::Op op, std::string key_part = "");

}  // namespace pbs::test
