#include <curl/curl.h>

#include <algorithm>
#include <cmath>
#include <mutex>

#include "transfer/engine_impl.h"

namespace pbs::transfer {

namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

void EasyDeleter::operator()(CURL* e) const { curl_easy_cleanup(e); }
void MultiDeleter::operator()(CURLM* m) const { curl_multi_cleanup(m); }

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
unsigned Engine::parallelism() const { return std::max(1u, impl_->in_flight_cap()); }
std::size_t Engine::waiting_late() const { return impl_->waiting_late(); }
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
      limiter_(double(config_.bandwidth.rate_at(std::time(nullptr)))),
      request_limiter_(config_.requests_per_second, 1),
      window_(config_.parallelism, config_.initial_parallelism),
      retry_policy_(config_),
      health_(config_.health, Clock::now()) {
  timetable_rate_ = limiter_.rate();
  counters_.min_window = counters_.peak_window = window_.allowed();
  counters_.window_limit = window_.limit();
  clock_offset_ = config_.clock_offset_seconds;
  if (multi_) {
    // Room for the hedges, and for the requests that take the slots of those only waiting for an
    // answer: one waiting for a connection that a stalled request holds would wait as long as it.
    unsigned p = config_.parallelism;
    long connections = long(config_.hedge ? p * (1 + kStandAside) + hedges_moving(p) : p);
    curl_multi_setopt(multi_.get(), CURLMOPT_MAX_HOST_CONNECTIONS, connections);
    curl_multi_setopt(multi_.get(), CURLMOPT_MAXCONNECTS, connections);
  }
  CURLM* m = multi_.get();
  hasher_ = std::make_unique<BodyHasher>(config_.hash_threads, [m] { curl_multi_wakeup(m); }, !unsigned_payload());
}

Engine::Impl::~Impl() {
  hasher_.reset();  // joins workers before the multi handle they wake goes away
  for (auto& [easy, r] : running_) {
    curl_multi_remove_handle(multi_.get(), easy);
    if (config_.budget) config_.budget->finished();
  }
  running_.clear();
}

void Engine::Impl::submit(s3::Request request, Sink sink, Completion done) {
  auto job = std::make_unique<Job>();
  job->id = next_id_++;
  job->submitted = Clock::now();
  job->request = std::move(request);
  job->sink = std::move(sink);
  job->done = std::move(done);
  Job& j = *job;
  jobs_.emplace(j.id, std::move(job));
  auto& r = j.request;
  bool has_body = r.body || r.body_file;
  if (r.check_body || r.transform_body) {
    hasher_->submit(j.id, r.body, r.body_file, r.content_md5, r.check_body, r.transform_body);
  } else if (!r.payload_sha256.empty() && !r.content_md5) {
    ready_.push_back(j.id);
  } else if (has_body && unsigned_payload() && !r.content_md5) {
    r.payload_sha256 = s3::kUnsignedPayload;  // nothing to read before it goes: curl reads the body once
    ready_.push_back(j.id);
  } else if (!has_body || (r.body && r.body->size() <= config_.inline_hash_limit)) {
    auto hashes = hash_body(r.body, std::nullopt, !has_body || !unsigned_payload(), r.content_md5);
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
    if (sent_before_interrupt(d.job)) {
      complete(d.job, Error(Errc::interrupted, it->second->request.describe() + ": interrupted before it was sent"));
      continue;
    }
    auto& r = it->second->request;
    if (d.hashes->loaded) {  // checked in memory: send those bytes, do not read the file again
      r.body = std::move(d.hashes->loaded);
      r.body_file.reset();
    }
    r.check_body = nullptr;
    r.transform_body = nullptr;
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

// A paused transfer goes on once a piece worth moving is there (curl moves 16 KiB a call): one
// byte at a time would wake the loop thousands of times a second under a low limit.
void Engine::Impl::resume_paused() {
  for (auto& [easy, r] : running_) {
    if (!r.exchange->paused()) continue;
    bandwidth_waited_ = true;
    if (limiter_.wait_for(kResumeBytes) > Clock::duration::zero()) return;
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

// The throttling window, within this job's share of the host's budget.
unsigned Engine::Impl::in_flight_cap() const {
  unsigned cap = window_.allowed();
  if (config_.budget && config_.budget->share().in_flight) cap = std::min(cap, config_.budget->share().in_flight);
  return cap;
}

bool Engine::Impl::may_start(Clock::time_point now) {
  // An attempt past its kind's usual latency with no byte moving only waits for an answer: it
  // leaves its slot to a request that moves bytes (at most a window's worth of them stand aside).
  std::size_t in_flight = running_.size() - waiting_late();
  return in_flight < in_flight_cap() && health_.may_start(now, in_flight) &&
         request_limiter_.wait_for(1, now) == Clock::duration::zero();
}

// The slot in force is looked up once a second (local time), so a slot change takes effect
// within a second, also in the middle of a transfer.
void Engine::Impl::follow_timetable(Clock::time_point now) {
  if (!config_.bandwidth.timetable() || now - timetable_checked_ < std::chrono::seconds(1)) return;
  timetable_checked_ = now;
  auto rate = double(config_.bandwidth.rate_at(std::time(nullptr)));
  if (rate == timetable_rate_) return;
  timetable_rate_ = rate;
  ++counters_.bandwidth_changes;
  if (!config_.budget) limiter_.set_rate(rate, now);
}

// A share changes the limiters only when it moved by more than 1%. The bytes moved are the byte
// limiter's count (every transfer goes through it), which grows as they move, not as they end.
void Engine::Impl::follow_budget(Clock::time_point now) {
  auto& budget = *config_.budget;
  if (budget.refresh(now, !jobs_.empty(), bandwidth_waited_, limiter_.taken(), timetable_rate_)) {
    bandwidth_waited_ = false;
  }
  const JobShare& share = budget.share();
  auto moved = [](double a, double b) { return std::abs(a - b) > 0.01 * std::max(a, b); };
  if (moved(share.bytes_per_second, limiter_.rate())) limiter_.set_rate(share.bytes_per_second, now);
  double requests = share.requests_per_second ? share.requests_per_second : config_.requests_per_second;
  if (moved(requests, request_limiter_.rate())) request_limiter_.set_rate(requests, now);
  if (jobs_.empty()) return;
  counters_.host_jobs_peak = std::max<std::uint64_t>(counters_.host_jobs_peak, budget.jobs());
  bool first = counters_.share_in_flight_max == 0;
  unsigned slots = share.in_flight ? share.in_flight : window_.max();
  counters_.share_in_flight_min = first ? slots : std::min(counters_.share_in_flight_min, slots);
  counters_.share_in_flight_max = std::max(counters_.share_in_flight_max, slots);
  counters_.share_bytes_min = first ? share.bytes_per_second : std::min(counters_.share_bytes_min, share.bytes_per_second);
  counters_.share_bytes_max = std::max(counters_.share_bytes_max, share.bytes_per_second);
}

void Engine::Impl::start_ready() {
  auto now = Clock::now();
  budget_full_ = false;
  while (!ready_.empty() && may_start(now)) {
    std::uint64_t id = ready_.front();
    auto it = jobs_.find(id);
    if (it == jobs_.end()) {
      ready_.pop_front();
      continue;
    }
    // The host-wide permit last: it is taken only for a request that starts now.
    if (config_.budget && !config_.budget->try_start()) {
      budget_full_ = true;
      break;
    }
    ready_.pop_front();
    request_limiter_.take_all(1, now);
    start(*it->second);
  }
}

void Engine::Impl::start(Job& job, bool hedge) {
  const auto& req = job.request;
  const auto& ep = config_.endpoint;
  std::vector<s3::Header> headers = req.headers;
  headers.emplace_back("Host", ep.host_header(req.bucket));
  std::string path = ep.path(req.bucket, req.key);
  job.signed_offset = clock_offset_;
  if (customer_key_applies(req)) {
    auto add = [&](const std::string& prefix) {
      headers.emplace_back(prefix + "algorithm", "AES256");
      headers.emplace_back(prefix + "key", config_.sse_customer_key);
      headers.emplace_back(prefix + "key-MD5", config_.sse_customer_key_md5);
    };
    add("x-amz-server-side-encryption-customer-");
    if (req.op == s3::Op::copy_object) add("x-amz-copy-source-server-side-encryption-customer-");
  }
  signer_.sign_headers(req.method, path, req.query, headers, req.payload_sha256, now_epoch());
  if (req.payload_sha256 == s3::kUnsignedPayload) ++counters_.unsigned_payloads;
  std::string query = s3::canonical_query(req.query);
  std::string url = ep.scheme + "://" + ep.host_header(req.bucket) + path;
  if (!query.empty()) url += "?" + query;

  CURL* easy = acquire_easy();
  auto exchange = std::make_unique<HttpExchange>(job.id, job.request, job.sink, &limiter_);
  exchange->hedge = hedge;
  ExchangeOptions opt{config_.connect_timeout_seconds, config_.stall_seconds, ep.tls_verify,
                      ep.ca_file, config_.user_agent, job.fresh_connection || hedge};
  auto st = exchange->prepare(easy, url, headers, opt);
  if (!hedge) ++job.attempts;
  if (!st) {
    idle_easy_.push_back(easy);
    if (config_.budget) config_.budget->finished();
    if (hedge) return;  // the first attempt still runs
    complete(job.id, Error(st.error().code(), req.describe() + ": " + st.error().message()));
    return;
  }
  counters_.requests[std::string(s3::op_name(req.op))]++;
  ++job.running;
  job.newest = easy;
  if (hedge) {
    ++job.hedges;
    ++hedges_running_;
    ++counters_.hedges;
  }
  running_.emplace(easy, Running{std::move(exchange), easy});
  curl_multi_add_handle(multi_.get(), easy);
}

long Engine::Impl::poll_timeout_ms(Clock::time_point now) {
  long timeout = 1000;  // the interrupt is polled at least this often
  if (interrupted_at_) timeout = 100;
  if (config_.hedge && !running_.empty()) timeout = std::min(timeout, 250L);  // slow requests are looked for
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
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(limiter_.wait_for(kResumeBytes, now));
    timeout = std::min<long>(timeout, std::clamp<long>(long(wait.count()), 1, 50));
  }
  if (!ready_.empty()) {
    if (budget_full_) {  // other jobs hold the host's requests: look again soon
      timeout = std::min<long>(timeout, 10);
    } else if (may_start(now)) {
      timeout = 0;
    } else if (auto wait = request_limiter_.wait_for(1, now); wait > Clock::duration::zero()) {
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(wait).count();
      timeout = std::min<long>(timeout, std::max<long>(1, long(ms) + 1));
    } else if (running_.empty() && health_.out(now)) {  // the next probe of an outage
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(health_.next_probe() - now).count();
      timeout = std::min<long>(timeout, std::max<long>(1, long(ms) + 1));
    }
  }
  return timeout;
}

// After an interrupt a request has until the grace is over, counted from the interrupt or, for
// one submitted later, from its submission; one still waiting then ends unsent (again), one in
// flight is abandoned. `all_waiting`: every waiting one ends now (those the interrupt found).
void Engine::Impl::end_interrupted(Clock::time_point now, bool all_waiting) {
  auto grace = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(config_.interrupt_grace_seconds));
  // Ids of requests already ended (a queue may still hold them) count as over: they are dropped.
  auto over = [&](std::uint64_t id) {
    auto it = jobs_.find(id);
    return it == jobs_.end() || now >= std::max(*interrupted_at_, it->second->submitted) + grace;
  };
  std::vector<std::uint64_t> waiting, kept;
  for (auto id : ready_) (all_waiting || over(id) ? waiting : kept).push_back(id);
  ready_.assign(kept.begin(), kept.end());
  decltype(retries_) still;
  for (; !retries_.empty(); retries_.pop()) {
    auto due = retries_.top();
    if (all_waiting || over(due.second)) {
      waiting.push_back(due.second);
    } else {
      still.push(due);
    }
  }
  retries_ = std::move(still);
  std::vector<CURL*> abandoned;
  for (const auto& [easy, r] : running_) {
    if (over(r.exchange->job())) abandoned.push_back(easy);
  }
  // Completions may submit, or even run the engine again: every id and handle is looked up anew.
  for (auto id : waiting) {
    auto it = jobs_.find(id);
    if (it == jobs_.end()) continue;
    complete(id, Error(Errc::interrupted, it->second->request.describe() + ": interrupted before it was sent"));
  }
  for (CURL* easy : abandoned) {
    auto found = running_.find(easy);
    if (found == running_.end() || !over(found->second.exchange->job())) continue;  // reused meanwhile
    auto it = jobs_.find(take_off_wire(easy)->job());
    if (it == jobs_.end()) continue;
    complete(it->first, Error(Errc::interrupted, it->second->request.describe() + ": abandoned in flight when the " +
                                                     "interrupt's grace of " +
                                                     std::to_string(std::lround(config_.interrupt_grace_seconds)) +
                                                     " s was over"));
  }
}

void Engine::Impl::follow_interrupt(Clock::time_point now) {
  bool first = false;
  if (!interrupted_at_) {
    if (!config_.interrupted || !config_.interrupted()) return;
    interrupted_at_ = now;
    first_after_interrupt_ = next_id_;
    first = true;
  }
  end_interrupted(now, first);
}

void Engine::Impl::step() {
  follow_interrupt(Clock::now());
  take_hashed();
  follow_timetable(Clock::now());
  if (config_.budget) follow_budget(Clock::now());
  promote_due_retries(Clock::now());
  resume_paused();
  start_ready();
  hedge_slow(Clock::now());
  // After the free slots were filled: requests still ready found none.
  if (window_.sample(Clock::now(), !ready_.empty() && running_.size() >= window_.allowed(), counters_.completed,
                     counters_.bytes_up + counters_.bytes_down)) {
    counters_.peak_window = window_.peak();
    counters_.window_limit = window_.limit();
  }
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
