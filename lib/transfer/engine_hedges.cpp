// Hedged requests (engine_config.h): which requests may be sent twice, which attempts are slow
// beyond their kind's usual latency, and taking the loser of a race off the wire.
#include <curl/curl.h>

#include <algorithm>

#include "transfer/engine_impl.h"

namespace pbs::transfer {

bool Engine::Impl::hedgeable(const Job& job) const {
  // One attempt on the wire, or one more after a hedge that is slow in its turn.
  return hedgeable_kind(job) && job.hedges < kMaxHedges && job.running == job.hedges + 1;
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
    default:
      return false;
  }
}

void Engine::Impl::hedge_slow(Clock::time_point now) {
  slow_running_ = 0;
  if (!config_.hedge || interrupted_at_ || running_.empty()) return;
  unsigned cap = std::max(1u, in_flight_cap() / 4);
  double spendable = config_.hedge_share * double(counters_.total_requests()) + 8;
  std::vector<std::uint64_t> slow;
  for (const auto& [easy, r] : running_) {
    auto it = jobs_.find(r.exchange->job());
    // A transfer paused by the bandwidth limit waits for its turn, not for the server.
    if (it == jobs_.end() || r.exchange->paused() || !hedgeable_kind(*it->second)) continue;
    const auto& req = it->second->request;
    auto typical = latency_.typical(req.op, std::max(req.body_size(), r.exchange->bytes_received()));
    double threshold = std::max(config_.hedge_floor_seconds, typical ? config_.hedge_factor * *typical
                                                                      : 3 * config_.hedge_floor_seconds);
    auto idle = std::chrono::duration<double>(now - r.exchange->last_progress()).count();
    auto age = std::chrono::duration<double>(now - r.exchange->started()).count();
    if (age < threshold || idle < config_.hedge_floor_seconds) continue;
    if (!r.exchange->hedge) ++slow_running_;
    bool newest = it->second->hedges == 0 || r.exchange->hedge;  // the newest attempt is the one judged
    if (!newest || !hedgeable(*it->second)) continue;
    if (hedges_running_ + slow.size() >= cap || double(counters_.hedges + slow.size()) >= spendable) continue;
    slow.push_back(it->first);
  }
  for (auto id : slow) {
    auto it = jobs_.find(id);
    if (it == jobs_.end()) continue;
    if (config_.budget && !config_.budget->try_start()) break;
    request_limiter_.take_all(1, now);
    start(*it->second, true);
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
