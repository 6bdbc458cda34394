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
  slots_.push_back(slot);
  ++unclaimed_pending_;
  ++unclaimed_;
  inner_.submit(std::move(request), std::move(sink), [this, slot](Result<s3::Response> r) {
    if (!slot->claimed) {
      --unclaimed_pending_;
      slot->answer = std::move(r);
      return;
    }
    // Asked for while on the wire: this runs inside run_until(), where completions belong.
    Completion done = std::move(slot->waiting);
    if (done) done(std::move(r));
  });
}

void PrefetchedReads::submit(s3::Request request, Sink sink, Completion done) {
  if (unclaimed_ == 0) return inner_.submit(std::move(request), std::move(sink), std::move(done));
  std::string match = match_key(request, sink);
  bool read = request.op == s3::Op::get_object || request.op == s3::Op::head_object || request.op == s3::Op::head_bucket ||
              request.op == s3::Op::list_objects || request.op == s3::Op::list_object_versions;
  if (!read) {
    std::string object = request.bucket + '/' + request.key;
    for (auto& slot : slots_) {
      if (slot->claimed || slot->object != object) continue;
      slot->claimed = true;  // stale: dropped when it comes
      --unclaimed_;
      if (!slot->answer) --unclaimed_pending_;
    }
  }
  for (auto& slot : slots_) {
    if (slot->claimed || match.empty() || slot->match != match) continue;
    slot->claimed = true;
    --unclaimed_;
    ++taken_;
    if (slot->answer) {
      ready_.emplace_back(std::move(done), std::move(*slot->answer));
    } else {
      --unclaimed_pending_;
      slot->waiting = std::move(done);
    }
    return;
  }
  inner_.submit(std::move(request), std::move(sink), std::move(done));
}

std::size_t PrefetchedReads::outstanding() const {
  return inner_.outstanding() - unclaimed_pending_ + ready_.size();
}

void PrefetchedReads::run_until(const std::function<bool()>& stop) {
  for (;;) {
    while (!ready_.empty()) {
      auto [done, result] = std::move(ready_.front());
      ready_.pop_front();
      done(std::move(result));
    }
    if (stop && stop()) return;
    if (outstanding() == 0) return;
    inner_.run_until([&] { return !ready_.empty() || (stop && stop()) || outstanding() == 0; });
    if (ready_.empty() && inner_.outstanding() == 0) return;
  }
}

}  // namespace pbs::transfer
