#pragma once
// Reads sent before they are asked for. A run's start asks several questions that do not depend
// on each other (is a PBS attached, who owns the prefix, is it encrypted or locked, what is
// there), each read by its own module with execute(), one after another: one round trip each.
// Sent here at once, they cost one round trip together, and the modules stay as they are: the
// first identical submit() later takes the answer (or waits for it) instead of sending again.
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "transfer/request_interface.h"

namespace pbs::transfer {

class PrefetchedReads final : public RequestInterface {
 public:
  explicit PrefetchedReads(RequestInterface& inner) : inner_(inner) {}
  PrefetchedReads(const PrefetchedReads&) = delete;
  PrefetchedReads& operator=(const PrefetchedReads&) = delete;

  // Sends a read (no body, answer in memory) now. An answer never taken is dropped, and so is one
  // not taken before a write to the same object was submitted.
  void prefetch(s3::Request request, Sink sink = {});
  // Prefetched answers taken so far, for tests and reports.
  std::size_t taken() const { return state_->taken; }

  void submit(s3::Request request, Sink sink, Completion done) override;
  void run_until(const std::function<bool()>& stop) override;
  std::size_t outstanding() const override;
  unsigned parallelism() const override { return inner_.parallelism(); }
  std::size_t waiting_late() const override { return inner_.waiting_late(); }
  const Counters& counters() const override { return inner_.counters(); }
  const std::string& region() const override { return inner_.region(); }
  std::int64_t now_epoch() const override { return inner_.now_epoch(); }
  Clock::time_point now() const override { return inner_.now(); }

 private:
  struct Slot {
    std::string match;  // what makes two requests the same question
    std::string object;  // bucket and key: a write to it makes the answer stale
    bool claimed = false;
    std::optional<Result<s3::Response>> answer;
    Completion waiting;  // claimed before its answer came
  };
  // Shared with the completions of the prefetched requests: one may come after this object is
  // gone (a run that failed early leaves them on the wire while its engine goes on).
  struct State {
    std::vector<std::shared_ptr<Slot>> slots;
    std::deque<std::pair<Completion, Result<s3::Response>>> ready;
    std::size_t unclaimed_pending = 0;  // prefetched, not asked for, still on the wire
    std::size_t unclaimed = 0;          // prefetched, not asked for (0: every submit goes straight on)
    std::size_t taken = 0;
  };
  static std::string match_key(const s3::Request& request, const Sink& sink);

  RequestInterface& inner_;
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

}  // namespace pbs::transfer
