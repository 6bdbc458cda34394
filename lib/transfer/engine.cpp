#include "transfer/engine.h"

#include <curl/curl.h>

#include <algorithm>
#include <ctime>
#include <deque>
#include <mutex>
#include <queue>
#include <unordered_map>
#include <vector>

#include "s3/http_date.h"
#include "s3/xml.h"
#include "transfer/body_hasher.h"
#include "transfer/congestion.h"
#include "transfer/curl_failure.h"
#include "transfer/http_exchange.h"
#include "transfer/rate_limiter.h"
#include "transfer/retry_policy.h"

namespace pbs::transfer {

namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

const char* cause_name(s3::RetryCause c) {
  switch (c) {
    case s3::RetryCause::throttled: return "throttled";
    case s3::RetryCause::server_error: return "server-error";
    case s3::RetryCause::request_timeout: return "request-timeout";
    case s3::RetryCause::clock_skew: return "clock-skew";
    case s3::RetryCause::none: break;
  }
  return "other";
}

struct EasyDeleter {
  void operator()(CURL* e) const { curl_easy_cleanup(e); }
};
struct MultiDeleter {
  void operator()(CURLM* m) const { curl_multi_cleanup(m); }
};

}  // namespace

struct Engine::Impl {
  using Clock = std::chrono::steady_clock;
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

  explicit Impl(EngineConfig config);
  ~Impl();
  void submit(s3::Request request, Sink sink, Completion done);
  void run_until(const std::function<bool()>& stop);
  void step();
  void take_hashed();
  void promote_due_retries(Clock::time_point now);
  void resume_paused();
  void start_ready();
  void start(Job& job);
  void finish(CURL* easy, CURLcode code);
  void finish_response(Job& job, HttpExchange& ex);
  void retry(Job& job, const char* cause, std::optional<double> retry_after);
  void complete(std::uint64_t id, Result<s3::Response> result);
  CURL* acquire_easy();
  std::int64_t now_epoch() const { return std::int64_t(std::time(nullptr)) + clock_offset_; }
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

Result<std::unique_ptr<Engine>> Engine::create(EngineConfig config) {
  global_init();
  if (config.credentials.access_key.empty() || config.credentials.secret_key.empty()) {
    return Error(Errc::config, "no S3 credentials: set AWS_ACCESS_KEY_ID and "
                               "AWS_SECRET_ACCESS_KEY (environment, STORAGE entry or ~/.aws)");
  }
  config.parallelism = std::max(1u, config.parallelism);
  auto impl = std::make_unique<Impl>(std::move(config));
  if (!impl->multi_) return Error(Errc::io, "libcurl: cannot create a multi handle");
  return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Engine::~Engine() = default;

void Engine::submit(s3::Request request, Sink sink, Completion done) {
  impl_->submit(std::move(request), std::move(sink), std::move(done));
}
void Engine::run_until(const std::function<bool()>& stop) { impl_->run_until(stop); }
std::size_t Engine::outstanding() const { return impl_->jobs_.size(); }
unsigned Engine::parallelism() const { return impl_->config_.parallelism; }
const Counters& Engine::counters() const { return impl_->counters_; }
const std::string& Engine::region() const { return impl_->config_.endpoint.region; }
std::int64_t Engine::now_epoch() const { return impl_->now_epoch(); }
const EngineConfig& Engine::config() const { return impl_->config_; }
unsigned Engine::window() const { return impl_->window_.allowed(); }
std::int64_t Engine::clock_offset() const { return impl_->clock_offset_; }

Engine::Impl::Impl(EngineConfig config)
    : config_(std::move(config)),
      signer_(config_.credentials, config_.endpoint.region),
      multi_(curl_multi_init()),
      limiter_(config_.bandwidth_limit),
      window_(config_.parallelism),
      retry_policy_(config_) {
  counters_.min_window = window_.allowed();
  clock_offset_ = config_.clock_offset_seconds;
  if (multi_) {
    curl_multi_setopt(multi_.get(), CURLMOPT_MAX_HOST_CONNECTIONS, long(config_.parallelism));
    curl_multi_setopt(multi_.get(), CURLMOPT_MAXCONNECTS, long(config_.parallelism));
  }
  CURLM* m = multi_.get();
  hasher_ = std::make_unique<BodyHasher>(config_.hash_threads, [m] { curl_multi_wakeup(m); });
}

Engine::Impl::~Impl() {
  hasher_.reset();  // joins workers before the multi handle they wake goes away
  for (auto& [easy, r] : running_) curl_multi_remove_handle(multi_.get(), easy);
  running_.clear();
}

void Engine::Impl::submit(s3::Request request, Sink sink, Completion done) {
  auto job = std::make_unique<Job>();
  job->id = next_id_++;
  job->request = std::move(request);
  job->sink = std::move(sink);
  job->done = std::move(done);
  Job& j = *job;
  jobs_.emplace(j.id, std::move(job));
  auto& r = j.request;
  bool has_body = r.body || r.body_file;
  if (r.check_body) {
    hasher_->submit(j.id, r.body, r.body_file, r.content_md5, r.check_body);
  } else if (!r.payload_sha256.empty() && !r.content_md5) {
    ready_.push_back(j.id);
  } else if (!has_body || (r.body && r.body->size() <= config_.inline_hash_limit)) {
    auto hashes = hash_body(r.body, std::nullopt, r.content_md5);
    r.payload_sha256 = hashes->sha256_hex;
    if (r.content_md5) r.headers.emplace_back("Content-MD5", hashes->md5_base64);
    r.content_md5 = false;
    ready_.push_back(j.id);
  } else {
    hasher_->submit(j.id, r.body, r.body_file, r.content_md5, nullptr);
  }
}

void Engine::Impl::take_hashed() {
  for (auto& d : hasher_->take_done()) {
    auto it = jobs_.find(d.job);
    if (it == jobs_.end()) continue;
    if (!d.hashes) {
      // A local failure (the body's file unreadable, its check failed): it names its file, and the
      // request it was meant for adds nothing the caller does not know.
      complete(d.job, std::move(d.hashes).error());
      continue;
    }
    auto& r = it->second->request;
    if (d.hashes->loaded) {  // checked in memory: send those bytes, do not read the file again
      r.body = std::move(d.hashes->loaded);
      r.body_file.reset();
    }
    r.check_body = nullptr;
    r.payload_sha256 = d.hashes->sha256_hex;
    if (r.content_md5) r.headers.emplace_back("Content-MD5", d.hashes->md5_base64);
    r.content_md5 = false;
    ready_.push_back(d.job);
  }
}

void Engine::Impl::promote_due_retries(Clock::time_point now) {
  while (!retries_.empty() && retries_.top().first <= now) {
    ready_.push_back(retries_.top().second);
    retries_.pop();
  }
}

void Engine::Impl::resume_paused() {
  for (auto& [easy, r] : running_) {
    if (!r.exchange->paused()) continue;
    if (limiter_.wait_for(1) > Clock::duration::zero()) return;
    r.exchange->resume(easy);
  }
}

CURL* Engine::Impl::acquire_easy() {
  if (!idle_easy_.empty()) {
    CURL* e = idle_easy_.back();
    idle_easy_.pop_back();
    curl_easy_reset(e);
    return e;
  }
  easy_pool_.emplace_back(curl_easy_init());
  return easy_pool_.back().get();
}

void Engine::Impl::start_ready() {
  while (!ready_.empty() && running_.size() < window_.allowed()) {
    std::uint64_t id = ready_.front();
    ready_.pop_front();
    auto it = jobs_.find(id);
    if (it != jobs_.end()) start(*it->second);
  }
}

void Engine::Impl::start(Job& job) {
  const auto& req = job.request;
  const auto& ep = config_.endpoint;
  std::vector<s3::Header> headers = req.headers;
  headers.emplace_back("Host", ep.host_header(req.bucket));
  std::string path = ep.path(req.bucket, req.key);
  signer_.sign_headers(req.method, path, req.query, headers, req.payload_sha256, now_epoch());
  std::string query = s3::canonical_query(req.query);
  std::string url = ep.scheme + "://" + ep.host_header(req.bucket) + path;
  if (!query.empty()) url += "?" + query;

  CURL* easy = acquire_easy();
  auto exchange = std::make_unique<HttpExchange>(job.id, job.request, job.sink, &limiter_);
  ExchangeOptions opt{config_.connect_timeout_seconds, config_.stall_seconds, ep.tls_verify,
                      ep.ca_file, config_.user_agent, job.fresh_connection};
  auto st = exchange->prepare(easy, url, headers, opt);
  ++job.attempts;
  if (!st) {
    idle_easy_.push_back(easy);
    complete(job.id, Error(st.error().code(), req.describe() + ": " + st.error().message()));
    return;
  }
  counters_.requests[std::string(s3::op_name(req.op))]++;
  running_.emplace(easy, Running{std::move(exchange), easy});
  curl_multi_add_handle(multi_.get(), easy);
}

void Engine::Impl::retry(Job& job, const char* cause, std::optional<double> retry_after) {
  counters_.retries[cause]++;
  job.fresh_connection = true;
  double delay = retry_policy_.delay_seconds(job.attempts, retry_after);
  auto due = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                std::chrono::duration<double>(delay));
  retries_.emplace(due, job.id);
}

void Engine::Impl::finish(CURL* easy, CURLcode code) {
  auto node = running_.extract(easy);
  curl_multi_remove_handle(multi_.get(), easy);
  idle_easy_.push_back(easy);
  auto& ex = *node.mapped().exchange;
  counters_.bytes_up += ex.bytes_sent();
  counters_.bytes_down += ex.bytes_received();
  auto it = jobs_.find(ex.job());
  if (it == jobs_.end()) return;
  Job& job = *it->second;
  const auto& req = job.request;
  if (code == CURLE_OK) {
    if (auto st = ex.flush_sink(); !st) {
      complete(job.id, Error(st.error().code(), req.describe() + ": " + st.error().message()));
      return;
    }
  }
  if (ex.local_error()) {
    complete(job.id, *ex.local_error());
    return;
  }
  if (code != CURLE_OK) {
    std::string detail = ex.curl_error()[0] ? ex.curl_error() : curl_easy_strerror(code);
    TransportFailure kind = classify_transport(code);
    if (kind == TransportFailure::connect) ++job.connect_failures;
    bool may_retry = kind != TransportFailure::fatal && job.attempts < config_.max_attempts &&
                     job.connect_failures < config_.max_connect_attempts;
    if (may_retry) return retry(job, transport_cause(code), std::nullopt);
    std::string where = req.describe() + " at " + config_.endpoint.display();
    return complete(job.id, transport_error(code, detail, where, job.attempts));
  }
  finish_response(job, ex);
}

// An HTTP answer: what the request accepts completes it; the rest is retried or becomes its error.
void Engine::Impl::finish_response(Job& job, HttpExchange& ex) {
  const auto& req = job.request;
  s3::Response resp = ex.take_response();
  // Only error answers carry an XML document worth parsing (never a 4 MiB chunk body).
  auto body = resp.status >= 300 ? s3::parse_error_body(resp.body_text()) : std::nullopt;
  // A 404 the request accepts (missing object) is still an error when the bucket is missing.
  bool bucket_missing = resp.status == 404 && body && body->code == "NoSuchBucket";
  if (req.accepts(resp.status) && !bucket_missing) {
    window_.on_success();
    double latency = std::chrono::duration<double>(Clock::now() - ex.started()).count();
    counters_.latency_sum += latency;
    counters_.latency_max = std::max(counters_.latency_max, latency);
    ++counters_.completed;
    complete(job.id, std::move(resp));
    return;
  }
  auto cause = s3::retry_cause(resp.status, body ? body->code : "");
  if (cause == s3::RetryCause::clock_skew && !job.skew_corrected) {
    job.skew_corrected = true;
    if (auto date = resp.header("date")) {
      if (auto server = s3::parse_http_date(*date)) clock_offset_ = *server - std::int64_t(std::time(nullptr));
    }
    counters_.retries["clock-skew"]++;
    ready_.push_front(job.id);  // signed again with the corrected clock, no delay
    return;
  }
  bool retryable = cause == s3::RetryCause::throttled || cause == s3::RetryCause::server_error ||
                   cause == s3::RetryCause::request_timeout;
  if (cause == s3::RetryCause::throttled) {
    ++counters_.throttle_events;
    if (window_.on_throttle(ex.started())) {
      counters_.min_window = std::min(counters_.min_window, window_.allowed());
    }
  }
  if (retryable && job.attempts < config_.max_attempts) {
    std::optional<double> retry_after;
    if (auto h = resp.header("retry-after")) retry_after = parse_retry_after(*h, now_epoch());
    retry(job, cause_name(cause), retry_after);
    return;
  }
  Error e = s3::response_error(req, resp, config_.endpoint.display());
  if (job.attempts > 1) e = Error(e.code(), e.message() + " (after " + std::to_string(job.attempts) + " attempts)");
  complete(job.id, std::move(e));
}

void Engine::Impl::complete(std::uint64_t id, Result<s3::Response> result) {
  auto node = jobs_.extract(id);
  if (node.empty()) return;
  if (!result) ++counters_.failures;
  Completion done = std::move(node.mapped()->done);
  node.mapped().reset();  // the request is gone before the callback may submit more
  if (done) done(std::move(result));
}

long Engine::Impl::poll_timeout_ms(Clock::time_point now) {
  long timeout = 1000;
  long curl_timeout = -1;
  curl_multi_timeout(multi_.get(), &curl_timeout);
  if (curl_timeout >= 0) timeout = std::min(timeout, curl_timeout);
  if (!retries_.empty()) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(retries_.top().first - now).count();
    timeout = std::min<long>(timeout, std::max<long>(0, long(ms) + 1));
  }
  bool paused = std::any_of(running_.begin(), running_.end(),
                            [](const auto& r) { return r.second.exchange->paused(); });
  if (paused) {
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(limiter_.wait_for(16384, now));
    timeout = std::min<long>(timeout, std::clamp<long>(long(wait.count()), 1, 50));
  }
  if (!ready_.empty() && running_.size() < window_.allowed()) timeout = 0;
  return timeout;
}

void Engine::Impl::step() {
  take_hashed();
  promote_due_retries(Clock::now());
  resume_paused();
  start_ready();
  int still = 0;
  curl_multi_perform(multi_.get(), &still);
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_.get(), &left)) {
    if (msg->msg == CURLMSG_DONE) finish(msg->easy_handle, msg->data.result);
  }
  if (jobs_.empty()) return;
  long timeout = poll_timeout_ms(Clock::now());
  if (timeout > 0) curl_multi_poll(multi_.get(), nullptr, 0, int(timeout), nullptr);
}

void Engine::Impl::run_until(const std::function<bool()>& stop) {
  bool nested = in_run_;
  in_run_ = true;
  while (!jobs_.empty() && !(stop && stop())) step();
  in_run_ = nested;
}

}  // namespace pbs::transfer
