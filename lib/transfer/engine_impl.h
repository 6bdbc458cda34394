#pragma once
// The engine's insides, shared by engine.cpp (submitting, starting, the event loop) and
// engine_answers.cpp (what each finished attempt means). Private to lib/transfer; libcurl's
// types are declared, curl.h itself stays in the .cpp files.

#include <algorithm>
#include <chrono>
#include <ctime>
#include <deque>
#include <memory>
#include <optional>
#include <queue>
#include <unordered_map>
#include <vector>

#include "s3/xml.h"
#include "transfer/body_hasher.h"
#include "transfer/congestion.h"
#include "transfer/endpoint_health.h"
#include "transfer/engine.h"
#include "transfer/http_exchange.h"
#include "transfer/latency_tracker.h"
#include "transfer/rate_limiter.h"
#include "transfer/retry_policy.h"

typedef void CURLM;

namespace pbs::transfer {

struct EasyDeleter {
  void operator()(CURL* e) const;
};
struct MultiDeleter {
  void operator()(CURLM* m) const;
};

struct Engine::Impl {
  using Clock = std::chrono::steady_clock;
  struct Job {
    std::uint64_t id = 0;
    s3::Request request;
    Sink sink;
    Completion done;
    Clock::time_point submitted;
    unsigned attempts = 0;
    unsigned connect_failures = 0;
    std::optional<Clock::time_point> first_failure;
    unsigned running = 0;   // attempts on the wire: 2 while a hedge races the slow one
    unsigned hedges = 0;    // hedges sent for it (kMaxHedges at most)
    CURL* newest = nullptr;  // its newest attempt on the wire: the one hedging judges
    unsigned skew_corrections = 0;  // each refusal for the clock judged by its own Date
    std::int64_t signed_offset = 0;  // the clock correction the last attempt was signed with
    bool fresh_connection = false;
  };
  struct Running {
    std::unique_ptr<HttpExchange> exchange;
    CURL* easy;
  };

  explicit Impl(EngineConfig config);
  ~Impl();
  void submit(s3::Request request, Sink sink, Completion done);
  void run_until(const std::function<bool()>& stop);
  void step();
  void take_hashed();
  void promote_due_retries(Clock::time_point now);
  void follow_interrupt(Clock::time_point now);
  void end_interrupted(Clock::time_point now, bool all_waiting);
  // Bodies go with UNSIGNED-PAYLOAD: TLS already protects them on the way (engine_config.h).
  // The object requests SSE-C concerns (not PBS's `.in-use`, which PBS writes), and whether this
  // one carries the customer key.
  static bool customer_key_object(const s3::Request& req) {
    if (req.key == ".in-use" || req.key.ends_with("/.in-use")) return false;
    return req.op == s3::Op::put_object || req.op == s3::Op::get_object || req.op == s3::Op::head_object ||
           req.op == s3::Op::copy_object;
  }
  bool customer_key_applies(const s3::Request& req) const {
    return !config_.sse_customer_key.empty() && customer_key_object(req);
  }
  // Why an answer refused an object for its customer key, or "" when that is not why.
  std::string customer_key_refusal(const s3::Request& req, const s3::Response& resp,
                                   const std::optional<s3::ErrorBody>& body) const;
  bool unsigned_payload() const { return unsigned_payload_; }
  // Attempts that only wait for a late answer, holding no slot of the window (at most two windows'
  // worth: while hedges race them, one in six answers late keeps about that many waiting).
  std::size_t waiting_late() const { return std::min<std::size_t>(waiting_running_, kStandAside * in_flight_cap()); }
  bool sent_before_interrupt(std::uint64_t id) const { return interrupted_at_ && id < first_after_interrupt_; }
  void resume_paused();
  bool may_start(Clock::time_point now);
  void follow_timetable(Clock::time_point now);
  void follow_budget(Clock::time_point now);
  unsigned in_flight_cap() const;
  void start_ready();
  void start(Job& job, bool hedge = false);
  // Hedging (engine_config.h): a second attempt of each request slow beyond its kind's latency.
  void hedge_slow(Clock::time_point now);
  bool hedgeable(const Job& job) const;
  bool hedgeable_kind(const Job& job) const;
  // Slow: past `hedge_factor` times its kind's usual latency (the floor at least) with no byte
  // moving for the floor: hedged. Waiting: half as late: it stands aside, holding no slot.
  enum class Lateness { on_time, waiting, slow };
  Lateness lateness(const HttpExchange& ex, const s3::Request& req, Clock::time_point now) const;
  // The attempt of a request started last among those on the wire (nullptr: none).
  CURL* newest_attempt(std::uint64_t job) const;
  // Hedges moving bytes at once (slow ones stand aside): half the window, two at least.
  static unsigned hedges_moving(unsigned window) { return std::max(2u, window / 2); }
  unsigned hedge_cap() const;
  // The other attempts of a request that has its answer: taken off the wire.
  void abandon_siblings(Job& job, CURL* winner);
  // Ends an attempt on the wire, whatever its outcome: its handle back to the pool, its permit
  // back to the host's budget, its bytes counted. The exchange is the caller's to read.
  std::unique_ptr<HttpExchange> take_off_wire(CURL* easy);
  CURL* acquire_easy();
  long poll_timeout_ms(Clock::time_point now);
  std::int64_t now_epoch() const { return std::int64_t(std::time(nullptr)) + clock_offset_; }

  // engine_answers.cpp
  void finish(CURL* easy, int curl_code);
  void finish_response(Job& job, HttpExchange& ex);
  void succeeded(Job& job, const HttpExchange& ex, s3::Response response);
  // A failed attempt that may succeed later: retried, or given up with `error` (this request, or
  // every waiting one when the endpoint has been out for longer than the outage budget).
  void failed_attempt(Job& job, bool throttled, bool connect, const char* cause,
                      std::optional<double> retry_after, Error error);
  void retry(Job& job, const char* cause, std::optional<double> retry_after);
  void fail_all(Error error);
  void complete(std::uint64_t id, Result<s3::Response> result);

  EngineConfig config_;
  const bool unsigned_payload_ = config_.unsigned_payload && config_.endpoint.scheme == "https";
  s3::Signer signer_;
  std::unique_ptr<CURLM, MultiDeleter> multi_;
  std::vector<std::unique_ptr<CURL, EasyDeleter>> easy_pool_;
  std::vector<CURL*> idle_easy_;
  std::unordered_map<std::uint64_t, std::unique_ptr<Job>> jobs_;
  std::deque<std::uint64_t> ready_;
  using Due = std::pair<Clock::time_point, std::uint64_t>;
  std::priority_queue<Due, std::vector<Due>, std::greater<Due>> retries_;
  std::unordered_map<CURL*, Running> running_;
  RateLimiter limiter_;          // bytes, both ways
  RateLimiter request_limiter_;  // attempts: one at a time, 1/rate apart
  Clock::time_point timetable_checked_{};
  double timetable_rate_ = 0;    // this job's bandwidth now, before the host's budget shares it
  ConcurrencyWindow window_;
  RetryPolicy retry_policy_;
  EndpointHealth health_;
  std::optional<Clock::time_point> outage_noticed_;
  std::unique_ptr<BodyHasher> hasher_;
  Counters counters_;
  LatencyTracker latency_;
  unsigned hedges_running_ = 0;
  std::size_t waiting_running_ = 0;  // attempts late enough to stand aside (hedge_slow)
  std::uint64_t next_id_ = 1;
  std::int64_t clock_offset_ = 0;
  bool in_run_ = false;
  static constexpr unsigned kSchemeMismatchAttempts = 3;
  // Four hedges: with one answer in six late, one request in 10,000 still meets five late answers.
  static constexpr unsigned kMaxHedges = 4;
  static constexpr unsigned kStandAside = 2;
  static constexpr std::size_t kResumeBytes = 16384;  // per request: a hedge may meet a slow answer too
  bool answered_ = false;            // an HTTP answer came in this run: the scheme fits the port
  unsigned scheme_mismatches_ = 0;   // failures that said it does not, before any answer
  std::optional<Clock::time_point> interrupted_at_;
  std::uint64_t first_after_interrupt_ = 0;  // ids from here were submitted after the interrupt
  bool budget_full_ = false;  // the host's budget refused a permit this step
  bool bandwidth_waited_ = false;  // a transfer waited for byte tokens since the last budget refresh
};

}  // namespace pbs::transfer
