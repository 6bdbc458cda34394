// Hedged requests (engine_config.h): which requests may be sent twice, which attempts are slow
// beyond their kind's usual latency, and taking the loser of a race off the wire.
#include <curl/curl.h>

#include <algorithm>

#include "transfer/engine_impl.h"

namespace pbs::transfer {

bool Engine::Impl::hedgeable(const Job& job) const {
  return hedgeable_kind(job) && job.hedges < kMaxHedges;
}

CURL* Engine::Impl::newest_attempt(std::uint64_t job) const {
  CURL* newest = nullptr;
  Clock::time_point started{};
  for (const auto& [easy, r] : running_) {
    if (r.exchange->job() == job && (!newest || r.exchange->started() > started)) {
      newest = easy;
      started = r.exchange->started();
    }
  }
  return newest;
}

bool Engine::Impl::hedgeable_kind(const Job& job) const {
  const auto& r = job.request;
  if (job.sink.kind != Sink::Kind::memory) return false;
  switch (r.op) {
    case s3::Op::get_object:
    case s3::Op::head_object:
    case s3::Op::head_bucket:
    case s3::Op::list_objects:
    case s3::Op::list_object_versions:
      return true;
    // The same body under the same key: what a retry after a lost answer sends too. A conditional
    // one is refused the second time (412), which its caller takes as a retry's answer already.
    case s3::Op::put_object:
      return true;
    // The tool copies an object only onto itself (s3::touch_object): twice is once more the same.
    case s3::Op::copy_object:
      return true;
    default:
      return false;
  }
}

unsigned Engine::Impl::hedge_cap() const { return hedges_moving(in_flight_cap()); }

Engine::Impl::Lateness Engine::Impl::lateness(const HttpExchange& ex, const s3::Request& req,
                                               Clock::time_point now) const {
  // A transfer paused by the bandwidth limit waits for its turn, not for the server.
  if (ex.paused()) return Lateness::on_time;
  auto typical = latency_.typical(req.op, std::max(req.body_size(), ex.bytes_received()));
  double floor = config_.hedge_floor_seconds;
  double usual = typical ? *typical : floor / 2;  // a kind not seen yet: 2 s before a hedge
  auto idle = std::chrono::duration<double>(now - ex.last_progress()).count();
  auto age = std::chrono::duration<double>(now - ex.started()).count();
  double late = std::max(floor, config_.hedge_factor * usual);
  if (age >= late && idle >= floor) return Lateness::slow;
  // Half way there: no second request yet, but its slot goes to one that moves bytes. Otherwise
  // every late answer would hold a slot for the whole floor, and with one in six late that is a
  // third of the window.
  if (age >= late / 2 && idle >= floor / 2) return Lateness::waiting;
  return Lateness::on_time;
}

// A hedge meets a late answer as often as any request: a slow hedge stands aside as a slow first
// attempt does, and the request gets another (kMaxHedges at most), so hedges that only wait never
// hold back the hedging of others.
void Engine::Impl::hedge_slow(Clock::time_point now) {
  waiting_running_ = 0;
  if (!config_.hedge || interrupted_at_ || running_.empty()) return;
  unsigned waiting_hedges = 0;
  std::vector<std::uint64_t> candidates;
  for (const auto& [easy, r] : running_) {
    auto it = jobs_.find(r.exchange->job());
    if (it == jobs_.end() || !hedgeable_kind(*it->second)) continue;
    auto late = lateness(*r.exchange, it->second->request, now);
    if (late == Lateness::on_time) continue;
    ++waiting_running_;
    if (r.exchange->hedge) ++waiting_hedges;
    // The newest attempt is the one judged: an older one being slow is why that one was sent.
    if (late == Lateness::slow && easy == it->second->newest && hedgeable(*it->second)) {
      candidates.push_back(it->first);
    }
  }
  unsigned moving_hedges = hedges_running_ - waiting_hedges;
  double spendable = config_.hedge_share * double(counters_.total_requests()) + 8;
  for (auto id : candidates) {
    if (moving_hedges >= hedge_cap() || double(counters_.hedges) >= spendable) break;
    if (config_.budget && !config_.budget->try_start()) break;
    request_limiter_.take_all(1, now);
    start(*jobs_.at(id), true);
    ++moving_hedges;
  }
}

std::unique_ptr<HttpExchange> Engine::Impl::take_off_wire(CURL* easy) {
  auto node = running_.extract(easy);
  curl_multi_remove_handle(multi_.get(), easy);
  idle_easy_.push_back(easy);
  if (config_.budget) config_.budget->finished();
  auto ex = std::move(node.mapped().exchange);
  counters_.bytes_up += ex->bytes_sent();
  counters_.bytes_down += ex->bytes_received();
  if (ex->hedge) --hedges_running_;
  return ex;
}

void Engine::Impl::abandon_siblings(Job& job, CURL* winner) {
  std::vector<CURL*> others;
  for (const auto& [easy, r] : running_) {
    if (easy != winner && r.exchange->job() == job.id) others.push_back(easy);
  }
  for (CURL* easy : others) {
    auto loser = take_off_wire(easy);
    auto& ex = *loser;
    --job.running;
    if (!ex.sent()) {  // never left this machine: no request to count or bill
      --counters_.requests[std::string(s3::op_name(job.request.op))];
      if (ex.hedge) --counters_.hedges;
    }
  }
}

}  // namespace pbs::transfer
