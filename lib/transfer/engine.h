#pragma once
// The transfer engine: one libcurl multi handle driving up to N easy handles (kept alive and
// reused), on the caller's thread. Callers submit S3 requests with a completion; the engine hashes
// bodies on worker threads, signs each attempt, retries what may succeed later (backoff with full
// jitter, Retry-After, a fresh connection), halves concurrency under throttling and grows it back,
// shares one bandwidth budget among all transfers, and counts everything.

#include <curl/curl.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <queue>
#include <unordered_map>
#include <vector>

#include "s3/request.h"
#include "s3/response.h"
#include "transfer/body_hasher.h"
#include "transfer/congestion.h"
#include "transfer/counters.h"
#include "transfer/engine_config.h"
#include "transfer/http_exchange.h"
#include "transfer/rate_limiter.h"
#include "transfer/retry_policy.h"
#include "util/result.h"

namespace pbs::transfer {

// Called on the engine's thread, from within run(); may submit more requests.
using Completion = std::function<void(Result<s3::Response>)>;

class Engine {
 public:
  using Clock = std::chrono::steady_clock;

  static Result<std::unique_ptr<Engine>> create(EngineConfig config);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  void submit(s3::Request request, Sink sink, Completion done);
  void submit(s3::Request request, Completion done) { submit(std::move(request), Sink{}, std::move(done)); }

  // Drives transfers until nothing is outstanding.
  void run();
  // Drives transfers until `stop()` is true (checked between events) or nothing is outstanding.
  void run_until(const std::function<bool()>& stop);
  // Submits one request and runs until it completes (not from inside a completion).
  Result<s3::Response> execute(s3::Request request, Sink sink = {});

  std::size_t outstanding() const { return jobs_.size(); }
  const Counters& counters() const { return counters_; }
  const EngineConfig& config() const { return config_; }
  unsigned window() const { return window_.allowed(); }
  // Seconds added to the local clock when signing (learned from RequestTimeTooSkewed).
  std::int64_t clock_offset() const { return clock_offset_; }

 private:
  struct Job {
    std::uint64_t id = 0;
    s3::Request request;
    Sink sink;
    Completion done;
    unsigned attempts = 0;
    unsigned connect_failures = 0;
    bool skew_corrected = false;
    bool fresh_connection = false;
  };
  struct Running {
    std::unique_ptr<HttpExchange> exchange;
    CURL* easy;
  };
  struct EasyDeleter {
    void operator()(CURL* e) const { curl_easy_cleanup(e); }
  };
  struct MultiDeleter {
    void operator()(CURLM* m) const { curl_multi_cleanup(m); }
  };

  explicit Engine(EngineConfig config);
  void step();
  void take_hashed();
  void promote_due_retries(Clock::time_point now);
  void resume_paused();
  void start_ready();
  void start(Job& job);
  void finish(CURL* easy, CURLcode code);
  void retry(Job& job, const char* cause, std::optional<double> retry_after);
  void complete(std::uint64_t id, Result<s3::Response> result);
  CURL* acquire_easy();
  std::int64_t now_epoch() const;
  long poll_timeout_ms(Clock::time_point now);

  EngineConfig config_;
  s3::Signer signer_;
  std::unique_ptr<CURLM, MultiDeleter> multi_;
  std::vector<std::unique_ptr<CURL, EasyDeleter>> easy_pool_;
  std::vector<CURL*> idle_easy_;
  std::unordered_map<std::uint64_t, std::unique_ptr<Job>> jobs_;
  std::deque<std::uint64_t> ready_;
  using Due = std::pair<Clock::time_point, std::uint64_t>;
  std::priority_queue<Due, std::vector<Due>, std::greater<Due>> retries_;
  std::unordered_map<CURL*, Running> running_;
  RateLimiter limiter_;
  ConcurrencyWindow window_;
  RetryPolicy retry_policy_;
  std::unique_ptr<BodyHasher> hasher_;
  Counters counters_;
  std::uint64_t next_id_ = 1;
  std::int64_t clock_offset_ = 0;
  bool in_run_ = false;
};

}  // namespace pbs::transfer
