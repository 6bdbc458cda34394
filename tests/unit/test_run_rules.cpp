// The rules a run follows, each on its own: retry delays, the throttling window, the stop control.
#include <vector>

#include "push/sync_summary.h"
#include "report/sync_printer.h"
#include "run/run_stop.h"
#include "s3/request.h"
#include "s3/response.h"
#include "test_support.h"
#include "transfer/congestion.h"
#include "transfer/endpoint_health.h"
#include "transfer/engine_config.h"
#include "transfer/retry_policy.h"

using namespace pbs;

TEST_CASE("retry delays: full jitter under the exponential cap, Retry-After as a floor", "[rules][retry]") {
  transfer::EngineConfig config;
  config.backoff_base_seconds = 0.2;
  config.backoff_cap_seconds = 20;
  config.retry_after_cap_seconds = 120;
  transfer::RetryPolicy policy(config, 42);
  for (unsigned attempt = 1; attempt <= 12; ++attempt) {
    double ceiling = std::min(20.0, 0.2 * double(1u << attempt));
    for (int i = 0; i < 50; ++i) {
      double d = policy.delay_seconds(attempt, std::nullopt);
      CHECK(d >= 0);
      CHECK(d <= ceiling);
    }
  }
  CHECK(policy.delay_seconds(1, 3.0) >= 3.0);
  CHECK(policy.delay_seconds(1, 1000.0) == 120.0);  // a silly Retry-After is capped
  CHECK(transfer::parse_retry_after("7", 0) == 7.0);
  CHECK(transfer::parse_retry_after("Tue, 01 Dec 2026 13:00:10 GMT", 1796130000) == 10.0);
  CHECK_FALSE(transfer::parse_retry_after("soon", 0));
}

TEST_CASE("throttling window: one overload halves it once, successes grow it back", "[rules][window]") {
  transfer::ConcurrencyWindow w(16);
  auto t0 = transfer::ConcurrencyWindow::Clock::now();
  CHECK(w.on_throttle(t0));
  CHECK(w.allowed() == 8);
  // Answers to requests started before the decrease are the same overload.
  for (int i = 0; i < 5; ++i) CHECK_FALSE(w.on_throttle(t0));
  CHECK(w.allowed() == 8);
  for (int i = 0; i < 200; ++i) w.on_success();
  CHECK(w.allowed() == 16);
  for (int i = 0; i < 10; ++i) w.on_throttle(transfer::ConcurrencyWindow::Clock::now());
  CHECK(w.allowed() == 1);
}

TEST_CASE("run stop: the first cause wins, refusals stop, errors about one object do not", "[rules][stop]") {
  std::vector<run::ObjectError> errors;
  bool interrupt = false;
  run::RunStop stop(run::RunKind::sync, run::LocalFaultPolicy::fail_snapshots, [&] { return interrupt; }, errors);
  CHECK_FALSE(stop.stopping());
  stop.remote_error(Error(Errc::no_such_key, "GetObject s3://b/k: no such object"));
  stop.remote_error(Error(Errc::throttled, "PutObject s3://b/k: slow down"));
  CHECK_FALSE(stop.local_fault("/ds/.chunks/ab/abcd", "write failed: No space left on device"));
  CHECK_FALSE(stop.stopping());
  CHECK_THAT(stop.left_behind(), Catch::Contains("internal error"));
  stop.remote_error(Error(Errc::access_denied, "PutObject s3://b/k: AccessDenied"));
  CHECK(stop.stopping());
  interrupt = true;
  CHECK(stop.stopping());
  CHECK(stop.outcome().stop == run::StopCause::remote);  // the interrupt came second
  CHECK(stop.left_behind() == "not completed: the server refused this run (see above)");
  CHECK(errors.empty());

  std::vector<run::ObjectError> restore_errors;
  run::RunStop restore(run::RunKind::restore, run::LocalFaultPolicy::stop_run, nullptr, restore_errors);
  CHECK(restore.local_fault("/ds/.chunks/ab/abcd", "write failed: No space left on device"));
  CHECK(restore.local_fault("/ds/.chunks/cd/cdef", "write failed: No space left on device"));
  CHECK(restore.outcome().stop == run::StopCause::local);
  CHECK(restore_errors.size() == 1);  // the first failure only
  CHECK_THAT(restore.left_behind(), Catch::StartsWith("not restored: the restore stopped after a local write error"));

  std::vector<run::ObjectError> lost;
  run::RunStop gone(run::RunKind::sync, run::LocalFaultPolicy::fail_snapshots, nullptr, lost);
  gone.remote_error(Error(Errc::network, "PutObject: connection refused"));
  CHECK(gone.outcome().stop == run::StopCause::remote);
  CHECK_THAT(gone.left_behind(), Catch::Contains("could not be reached"));
}

TEST_CASE("local and remote error codes are apart, and a permission error names the user", "[rules][errors]") {
  CHECK_FALSE(is_remote(Errc::permission_denied));
  CHECK_FALSE(is_remote(Errc::not_found));
  CHECK_FALSE(is_remote(Errc::no_space));
  CHECK(is_remote(Errc::access_denied));
  CHECK(is_remote(Errc::no_such_key));
  CHECK(is_remote(Errc::network));
  auto e = errno_error(EACCES, "open", "/ds/.chunks/ab/abcd");
  CHECK(e.code() == Errc::permission_denied);
  CHECK_THAT(e.message(), Catch::StartsWith("/ds/.chunks/ab/abcd: open failed: Permission denied (running as "));
}

TEST_CASE("endpoint health: failures among successes are one request's, a quiet spell is an outage",
          "[rules][outage]") {
  using Clock = transfer::EndpointHealth::Clock;
  using Verdict = transfer::EndpointHealth::Verdict;
  transfer::HealthConfig c;
  c.max_outage_seconds = 60;
  c.request_budget_seconds = 30;
  c.quiet_seconds = 5;
  auto t0 = Clock::now();
  auto at = [&](double s) { return t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s)); };
  transfer::EndpointHealth h(c, t0);
  // Never answered: a few connect attempts, then the request fails (a wrong ENDPOINT, most likely).
  CHECK(h.failed(at(0.1), false, true, 1, at(0.1)) == Verdict::retry);
  CHECK(h.failed(at(0.2), false, true, 3, at(0.1)) == Verdict::fail_request);
  // Answered once: refused connections are ridden out like any failure.
  h.success(at(1));
  CHECK(h.answered());
  CHECK(h.failed(at(2), false, true, 5, at(2)) == Verdict::retry);
  CHECK_FALSE(h.out(at(3)));
  CHECK(h.may_start(at(3), 16));
  // One request failing while others succeed: it fails after its budget; throttled ones never.
  for (double t = 4; t < 40; t += 2) h.success(at(t));
  CHECK(h.failed(at(40), false, false, 0, at(9)) == Verdict::fail_request);
  CHECK(h.failed(at(40), true, false, 0, at(9)) == Verdict::retry);
  // Only answers to requests sent after its first failure count: stragglers sent before the
  // endpoint went away, answered late, do not make one failing request its own problem.
  transfer::EndpointHealth late(c, t0);
  late.success(at(1));
  late.success(at(33), at(0.5));
  late.success(at(34), at(0.6));
  CHECK(late.failed(at(35), false, false, 0, at(2)) == Verdict::retry);
  // Nothing succeeds for 5 s: out. One probe at a time, spaced by backoff.
  h.success(at(50));
  CHECK(h.failed(at(51), true, false, 0, at(51)) == Verdict::retry);
  CHECK_FALSE(h.out(at(54)));
  CHECK(h.out(at(56)));
  CHECK(h.out_for(at(56)) == Approx(5.0));
  CHECK(h.failed(at(56), true, false, 0, at(51)) == Verdict::retry);
  CHECK_FALSE(h.may_start(at(56), 1));          // something is on the wire
  CHECK_FALSE(h.may_start(at(56.1), 0));        // the next probe is not due yet
  CHECK(h.may_start(at(57), 0));
  // A success ends the outage and says so.
  CHECK(h.success(at(60)));
  CHECK_FALSE(h.out(at(61)));
  CHECK_FALSE(h.success(at(62)));
  // An outage longer than its budget fails everything.
  CHECK(h.failed(at(70), false, true, 1, at(70)) == Verdict::retry);
  CHECK(h.failed(at(120), false, true, 9, at(70)) == Verdict::retry);
  CHECK(h.failed(at(131), false, true, 12, at(70)) == Verdict::fail_all);

  // A budget shorter than the quiet time: out when the budget ends, and no probe waits past it.
  transfer::HealthConfig brief = c;
  brief.max_outage_seconds = 3;
  transfer::EndpointHealth b(brief, t0);
  b.success(at(1));
  CHECK(b.failed(at(2), false, false, 0, at(2)) == Verdict::retry);
  CHECK_FALSE(b.out(at(3.9)));
  CHECK(b.out(at(4.1)));
  REQUIRE(b.outage_deadline());
  CHECK(*b.outage_deadline() == at(5));
  for (double t = 4.1; t < 5; t += 0.3) CHECK(b.failed(at(t), false, false, 0, at(2)) == Verdict::retry);
  CHECK(b.next_probe() <= at(5));
  CHECK(b.failed(at(5.05), false, false, 0, at(2)) == Verdict::fail_all);
}

TEST_CASE("a plain 503 is told as a service unavailable, SlowDown and 429 as slow down", "[run]") {
  auto told = [](long status, const std::string& code) {
    s3::Response resp;
    resp.status = status;
    std::string body = code.empty() ? "" : "<Error><Code>" + code + "</Code></Error>";
    resp.body.assign(body.begin(), body.end());
    auto e = s3::response_error(s3::head_object("b", "k"), resp, "http://x");
    CHECK(e.code() == Errc::throttled);  // retried and waited out alike
    return e.message();
  };
  CHECK_THAT(told(503, "ServiceUnavailable"), Catch::Contains("service is unavailable"));
  CHECK_THAT(told(503, ""), Catch::Contains("slow down"));  // no body (HEAD): SlowDown as likely
  CHECK_THAT(told(503, "SlowDown"), Catch::Contains("slow down"));
  CHECK_THAT(told(429, ""), Catch::Contains("slow down"));
  CHECK_THAT(told(503, "ServiceUnavailable"), !Catch::Contains("slow down"));
}

TEST_CASE("a sync refused before it began says null for its mode and chunk check, not empty strings", "[run]") {
  push::SyncSummary refused;
  auto j = report::sync_json(refused, 3);
  CHECK(j["mode"].is_null());
  CHECK(j["chunks"]["check"].is_null());
  refused.mode = "incremental";
  refused.chunk_check = "conditional-put";
  auto ran = report::sync_json(refused, 0);
  CHECK(ran["mode"] == "incremental");
  CHECK(ran["chunks"]["check"] == "conditional-put");
}

TEST_CASE("requests are counted by how providers bill them, in the JSON and the metrics", "[run][bill]") {
  push::SyncSummary s;
  s.counters.requests = {{"PutObject", 10}, {"CopyObject", 2}, {"ListObjectsV2", 3}, {"GetObject", 4},
                         {"HeadObject", 5}, {"HeadBucket", 1}, {"DeleteObjects", 6}, {"PutObjectRetention", 7}};
  s.counters.bytes_up = 1000;
  s.counters.bytes_down = 200;
  auto j = report::sync_json(s, 0)["requests"];
  CHECK(j["by-price-class"]["put-copy-post-list"] == 15);
  CHECK(j["by-price-class"]["get-head"] == 10);
  CHECK(j["by-price-class"]["delete"] == 6);
  CHECK(j["by-price-class"]["retention"] == 7);
  CHECK(j["bytes-sent"] == 1000);
  CHECK(j["bytes-received"] == 200);
  auto metrics = report::sync_metrics(s, 0, 0, std::nullopt);
  CHECK_THAT(metrics, Catch::Contains("class=\"put-copy-post-list\"} 15\n"));
  CHECK_THAT(metrics, Catch::Contains("pbs_s3sync_bytes_received{"));
  CHECK_THAT(report::sync_text(s), Catch::Contains("billed as: 15 PUT/COPY/POST/LIST, 10 GET/HEAD, 6 DELETE"));
}
