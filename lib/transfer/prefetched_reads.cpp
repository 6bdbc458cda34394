#include "transfer/prefetched_reads.h"

namespace pbs::transfer {

std::string PrefetchedReads::match_key(const s3::Request& request, const Sink& sink) {
  if (sink.kind != Sink::Kind::memory || request.body || request.body_file) return {};
  std::string key = std::string(s3::op_name(request.op)) + '\n' + request.bucket + '\n' + request.key + '\n';
  for (const auto& q : request.query) key += q.first + "=" + q.second + "&";
  key += '\n';
  for (const auto& h : request.headers) key += h.first + ":" + h.second + "\n";
  for (long s : request.accepted_statuses) key += std::to_string(s) + ',';
  return key + '\n' + std::to_string(sink.max_memory);
}

void PrefetchedReads::prefetch(s3::Request request, Sink sink) {
  std::string match = match_key(request, sink);
  if (match.empty()) return;
  auto slot = std::make_shared<Slot>();
  slot->match = std::move(match);
  slot->object = request.bucket + '/' + request.key;
  state_->slots.push_back(slot);
  ++state_->unclaimed_pending;
  ++state_->unclaimed;
  inner_.submit(std::move(request), std::move(sink), [state = state_, slot](Result<s3::Response> r) {
    if (!slot->claimed) {
      --state->unclaimed_pending;
      slot->answer = std::move(r);
      return;
    }
    // Asked for while on the wire: this runs inside run_until(), where completions belong.
    Completion done = std::move(slot->waiting);
    if (done) done(std::move(r));
  });
}

void PrefetchedReads::submit(s3::Request request, Sink sink, Completion done) {
  State& st = *state_;
  if (st.unclaimed == 0) return inner_.submit(std::move(request), std::move(sink), std::move(done));
  std::string match = match_key(request, sink);
  bool read = request.op == s3::Op::get_object || request.op == s3::Op::head_object || request.op == s3::Op::head_bucket ||
              request.op == s3::Op::list_objects || request.op == s3::Op::list_object_versions;
  if (!read) {
    std::string object = request.bucket + '/' + request.key;
    for (auto& slot : st.slots) {
      if (slot->claimed || slot->object != object) continue;
      slot->claimed = true;  // stale: dropped when it comes
      --st.unclaimed;
      if (!slot->answer) --st.unclaimed_pending;
    }
  }
  for (auto& slot : st.slots) {
    if (slot->claimed || match.empty() || slot->match != match) continue;
    slot->claimed = true;
    --st.unclaimed;
    ++st.taken;
    if (slot->answer) {
      st.ready.emplace_back(std::move(done), std::move(*slot->answer));
    } else {
      --st.unclaimed_pending;
      slot->waiting = std::move(done);
    }
    return;
  }
  inner_.submit(std::move(request), std::move(sink), std::move(done));
}

std::size_t PrefetchedReads::outstanding() const {
  return inner_.outstanding() - state_->unclaimed_pending + state_->ready.size();
}

void PrefetchedReads::run_until(const std::function<bool()>& stop) {
  auto state = state_;
  for (;;) {
    while (!state->ready.empty()) {
      auto [done, result] = std::move(state->ready.front());
      state->ready.pop_front();
      done(std::move(result));
    }
    if (stop && stop()) return;
    if (outstanding() == 0) return;
    inner_.run_until([&] { return !state->ready.empty() || (stop && stop()) || outstanding() == 0; });
    if (state->ready.empty() && inner_.outstanding() == 0) return;
  }
}

}  // namespace pbs::transfer
