// What a finished attempt means: an answer the request accepts completes it; throttling, server
// errors, resets and stalls are retried under the rules of endpoint_health.h; the rest become the
// request's error, which says what failed and what to do.
#include <curl/curl.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "s3/http_date.h"
#include "s3/xml.h"
#include "transfer/curl_failure.h"
#include "transfer/engine_impl.h"

namespace pbs::transfer {

namespace {

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

// The clock is this far off when signatures start to be refused.
constexpr std::int64_t kSkewLimitSeconds = 15 * 60;
// Refusals for the clock one request may answer by correcting it: behind a load balancer one node
// with a wrong clock must not decide the offset for good, nor make a request fail that the next
// node would take.
constexpr unsigned kMaxSkewCorrections = 3;

std::string attempts_text(unsigned attempts) {
  return attempts > 1 ? " (after " + std::to_string(attempts) + " attempts)" : "";
}

}  // namespace

void Engine::Impl::finish(CURL* easy, int curl_code) {
  auto code = CURLcode(curl_code);
  auto finished = take_off_wire(easy);
  auto& ex = *finished;
  auto it = jobs_.find(ex.job());
  if (it == jobs_.end()) return;
  Job& job = *it->second;
  const auto& req = job.request;
  --job.running;
  if (job.running > 0) {
    // A race of two attempts: an accepted answer wins and ends the other; anything else leaves the
    // request to the attempt still on the wire.
    bool accepted = code == CURLE_OK && !ex.local_error() && req.accepts(ex.status());
    if (!accepted) {
      if (job.newest == easy) job.newest = newest_attempt(job.id);  // the one hedging judges now
      return;
    }
    if (ex.hedge) {
      ++counters_.hedges_won;
      for (const auto& [other, r] : running_) {
        if (r.exchange->job() == job.id) {
          counters_.hedge_waited_seconds += std::chrono::duration<double>(Clock::now() - r.exchange->started()).count();
        }
      }
    }
    abandon_siblings(job, easy);
  }
  if (unsigned again = ex.resent()) {
    counters_.requests[std::string(s3::op_name(req.op))] += again;
    counters_.retries["connection-reset"] += again;
  }
  if (code == CURLE_OK) {
    if (auto st = ex.flush_sink(); !st) {
      return complete(job.id, Error(st.error().code(), req.describe() + ": " + st.error().message()));
    }
  }
  if (ex.local_error()) return complete(job.id, *ex.local_error());
  if (code != CURLE_OK) {
    std::string detail = ex.curl_error()[0] ? ex.curl_error() : curl_easy_strerror(code);
    TransportFailure kind = classify_transport(code);
    // Before the endpoint has answered once, a scheme that does not match its port is a setting to
    // fix, not an outage to ride out: a few attempts (one may be a server restarting) and it ends.
    std::string mismatch = answered_ ? "" : scheme_mismatch(code, detail, config_.endpoint.scheme == "https");
    if (!mismatch.empty() && ++scheme_mismatches_ >= kSchemeMismatchAttempts) {
      Error error(Errc::config, req.describe() + " at " + config_.endpoint.display() + ": " + detail + " (" +
                                    std::to_string(scheme_mismatches_) + " attempts): " + mismatch);
      complete(job.id, error);
      return fail_all(error);
    }
    bool connect = kind == TransportFailure::connect;
    if (connect) ++job.connect_failures;
    Error error = transport_error(code, detail, req.describe() + " at " + config_.endpoint.display());
    if (kind == TransportFailure::fatal && mismatch.empty()) {
      return complete(job.id, Error(error.code(), error.message() + attempts_text(job.attempts)));
    }
    return failed_attempt(job, false, connect, transport_cause(code), std::nullopt, std::move(error));
  }
  finish_response(job, ex);
}

void Engine::Impl::finish_response(Job& job, HttpExchange& ex) {
  answered_ = true;
  const auto& req = job.request;
  s3::Response resp = ex.take_response();
  // Only error answers carry an XML document worth parsing (never a 4 MiB chunk body).
  auto body = resp.status >= 300 ? s3::parse_error_body(resp.body_text()) : std::nullopt;
  // A 404 the request accepts (missing object) is still an error when the bucket is missing.
  bool bucket_missing = resp.status == 404 && body && body->code == "NoSuchBucket";
  if (req.accepts(resp.status) && !bucket_missing) return succeeded(job, ex, std::move(resp));
  auto cause = s3::retry_cause(resp.status, body ? body->code : "");
  std::optional<std::int64_t> server_clock;
  if (auto date = resp.header("date")) server_clock = s3::parse_http_date(*date);
  // A HEAD refused with 403 carries no error document: the Date header can still show that the
  // refusal is the clock's, not the credentials'.
  if (cause == s3::RetryCause::none && resp.status == 403 && (!body || body->code.empty()) && server_clock &&
      std::llabs(*server_clock - now_epoch()) > kSkewLimitSeconds) {
    cause = s3::RetryCause::clock_skew;
  }
  // Each refusal is judged by its own Date: retried with the offset it implies, unless that is the
  // offset the refused attempt was already signed with (then the clock is not what is wrong).
  if (cause == s3::RetryCause::clock_skew && job.skew_corrections < kMaxSkewCorrections) {
    std::int64_t implied = server_clock ? *server_clock - std::int64_t(std::time(nullptr)) : job.signed_offset;
    if (job.skew_corrections == 0 || std::llabs(implied - job.signed_offset) > 60) {
      ++job.skew_corrections;
      clock_offset_ = implied;
      counters_.retries["clock-skew"]++;
      ready_.push_front(job.id);  // signed again with the corrected clock, no delay
      return;
    }
  }
  Error error = s3::response_error(req, resp, config_.endpoint.display());
  if (auto why = customer_key_refusal(req, resp, body); !why.empty()) {
    error = Error(Errc::config, error.message() + "; " + why);
  }
  if (cause == s3::RetryCause::clock_skew && error.code() != Errc::auth) {
    error = Error(Errc::auth, error.message() + ": the server's clock (Date: " + s3::format_http_date(*server_clock) +
                                  ") and this machine's differ by more than 15 minutes; fix the time (NTP)");
  }
  bool throttled = cause == s3::RetryCause::throttled;
  bool retryable = throttled || cause == s3::RetryCause::server_error || cause == s3::RetryCause::request_timeout;
  if (!retryable) return complete(job.id, Error(error.code(), error.message() + attempts_text(job.attempts)));
  if (throttled) {
    ++counters_.throttle_events;
    if (window_.on_throttle(ex.started())) {
      counters_.min_window = std::min(counters_.min_window, window_.allowed());
      counters_.window_limit = window_.limit();
    }
  }
  std::optional<double> retry_after;
  if (auto h = resp.header("retry-after")) retry_after = parse_retry_after(*h, now_epoch());
  failed_attempt(job, throttled, false, cause_name(cause), retry_after, std::move(error));
}

// SSE-C, judged here where it is known whether the key went with the request. AWS answers a
// wrong customer key with 403, radosgw with 400 InvalidArgument; an SSE-C object read without a
// key gets 400 (a HEAD: with no body to say why).
std::string Engine::Impl::customer_key_refusal(const s3::Request& req, const s3::Response& resp,
                                               const std::optional<s3::ErrorBody>& body) const {
  if (!customer_key_object(req)) return "";
  if (!config_.sse_customer_key.empty()) {
    if (resp.status != 403 && resp.status != 400) return "";
    return config_.endpoint.scheme != "https" ? "SSE_CUSTOMER_KEY_FILE (SSE-C) needs an https ENDPOINT"
                                              : "the object was stored with another customer key than "
                                                "SSE_CUSTOMER_KEY_FILE's (SSE-C), or with none";
  }
  bool says_so = !body || body->code.empty() || body->message.find("ncryption") != std::string::npos;
  if (resp.status != 400 || !says_so || req.op == s3::Op::put_object) return "";
  return "the object was stored with server-side encryption by a customer key (SSE-C): give that key with "
         "SSE_CUSTOMER_KEY_FILE in the STORAGE entry";
}

void Engine::Impl::succeeded(Job& job, const HttpExchange& ex, s3::Response response) {
  auto now = Clock::now();
  // An offset is kept only while answers agree with it: one learned from a node with a wrong
  // clock is dropped when an accepted answer's Date agrees with the local clock instead.
  if (clock_offset_ != 0 && clock_offset_ != config_.clock_offset_seconds) {
    if (auto date = response.header("date"); date) {
      if (auto server = s3::parse_http_date(*date)) {
        std::int64_t local = std::int64_t(std::time(nullptr));
        if (std::llabs(*server - local) < 60 && std::llabs(*server - (local + clock_offset_)) > 60) clock_offset_ = 0;
      }
    }
  }
  window_.on_success();
  if (health_.success(now, ex.started())) {
    // The endpoint is back: what waited out the outage goes again now, not after its backoff.
    counters_.outage_seconds += std::chrono::duration<double>(now - *outage_noticed_).count();
    outage_noticed_.reset();
    while (!retries_.empty()) {
      ready_.push_back(retries_.top().second);
      retries_.pop();
    }
  }
  double latency = std::chrono::duration<double>(now - ex.started()).count();
  latency_.record(job.request.op, std::max(job.request.body_size(), ex.bytes_received()), latency);
  counters_.latency_sum += latency;
  counters_.latency_max = std::max(counters_.latency_max, latency);
  ++counters_.completed;
  complete(job.id, std::move(response));
}

void Engine::Impl::failed_attempt(Job& job, bool throttled, bool connect, const char* cause,
                                  std::optional<double> retry_after, Error error) {
  auto now = Clock::now();
  if (interrupted_at_) {
    return complete(job.id, Error(Errc::interrupted, error.message() + "; not retried: the run was interrupted"));
  }
  if (!job.first_failure) job.first_failure = now;
  auto verdict = health_.failed(now, throttled, connect, job.connect_failures, *job.first_failure);
  if (health_.out(now) && !outage_noticed_) {
    outage_noticed_ = now;
    ++counters_.outages;
  }
  switch (verdict) {
    case EndpointHealth::Verdict::retry:
      return retry(job, cause, retry_after);
    case EndpointHealth::Verdict::fail_request: {
      double failing = std::chrono::duration<double>(now - *job.first_failure).count();
      std::string why = connect ? "" : " (it kept failing for " + std::to_string(std::lround(failing)) +
                                           " s while other requests succeeded)";
      return complete(job.id, Error(error.code(), error.message() + attempts_text(job.attempts) + why));
    }
    case EndpointHealth::Verdict::fail_all: {
      long out = std::lround(health_.out_for(now));
      // The outage counts in the summary though it never ended, as long as the message says.
      counters_.outage_seconds += health_.out_for(now);
      outage_noticed_.reset();
      Error outage(Errc::network, config_.endpoint.display() + " has not answered for " + std::to_string(out) +
                                      " s, longer than the outage budget (--max-outage / MAX_OUTAGE, " +
                                      std::to_string(std::lround(health_.config().max_outage_seconds)) +
                                      " s); the last error: " + error.message());
      complete(job.id, outage);
      return fail_all(outage);
    }
  }
}

void Engine::Impl::retry(Job& job, const char* cause, std::optional<double> retry_after) {
  counters_.retries[cause]++;
  job.fresh_connection = true;
  double delay = retry_policy_.delay_seconds(job.attempts, retry_after);
  auto now = Clock::now();
  auto due = now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(delay));
  // In an outage no backoff waits past the budget's end: the run stops on time, not a step late.
  if (auto deadline = health_.outage_deadline(); deadline && health_.out(now)) due = std::max(now, std::min(due, *deadline));
  retries_.emplace(due, job.id);
}

// Every request not on the wire ends with `error`; those on the wire end the same way when they fail.
void Engine::Impl::fail_all(Error error) {
  std::vector<std::uint64_t> waiting(ready_.begin(), ready_.end());
  ready_.clear();
  for (; !retries_.empty(); retries_.pop()) waiting.push_back(retries_.top().second);
  for (auto id : waiting) complete(id, error);
}

void Engine::Impl::complete(std::uint64_t id, Result<s3::Response> result) {
  auto node = jobs_.extract(id);
  if (node.empty()) return;
  if (!result) ++counters_.failures;
  Completion done = std::move(node.mapped()->done);
  node.mapped().reset();  // the request is gone before the callback may submit more
  if (done) done(std::move(result));
}

}  // namespace pbs::transfer
