#include "interrupt.h"

#include <csignal>

namespace pbs::cli {

namespace {
volatile std::sig_atomic_t g_requested = 0;
extern "C" void on_signal(int) { g_requested = 1; }
}  // namespace

InterruptGuard::InterruptGuard() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND;  // the second signal gets the default action
  sigaction(SIGINT, &sa, &old_int_);
  sigaction(SIGTERM, &sa, &old_term_);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &old_int_, nullptr);
  sigaction(SIGTERM, &old_term_, nullptr);
}

bool InterruptGuard::requested() { return g_requested != 0; }

}  // namespace pbs::cli
