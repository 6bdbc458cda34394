#pragma once
// SIGINT and SIGTERM (Ctrl-C, `timeout`, systemd stopping a cron job) ask a sync, restore or gc
// to stop cleanly: nothing new is started, what is in flight finishes, the summary is printed and
// the run recorded. A second signal kills at once.

#include <signal.h>

namespace pbs::cli {

class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
  static bool requested();

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

}  // namespace pbs::cli
