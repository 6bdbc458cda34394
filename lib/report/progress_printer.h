#pragma once
// Progress while a run works: a live line on a terminal (stderr), or one log line every 30 s
// otherwise (cron mail and journald want lines, not carriage returns). Both say bytes done of
// the total, percent, the rate of the last 20 s and when the run should end at that rate.

#include <chrono>
#include <cstdio>
#include <deque>
#include <string>
#include <utility>

#include "run/run_progress.h"

namespace pbs::report {

// The line's text. `rate`: bytes per second lately (0: not known yet, no ETA).
std::string progress_text(const run::RunProgress& p, double rate);

class ProgressPrinter {
 public:
  enum class Mode { off, line, log };
  ProgressPrinter(Mode mode, std::FILE* out, double log_interval_seconds = 30);
  static Mode choose(const std::string& setting, std::FILE* out);  // auto | always | never

  bool active() const { return mode_ != Mode::off; }
  void update(const run::RunProgress& p);
  void finish();

 private:
  using Clock = std::chrono::steady_clock;
  double recent_rate(Clock::time_point now, std::uint64_t bytes);

  Mode mode_;
  std::FILE* out_;
  double interval_;
  Clock::time_point start_;
  Clock::time_point last_;
  std::deque<std::pair<Clock::time_point, std::uint64_t>> samples_;  // the last 20 s
  bool drawn_ = false;
};

}  // namespace pbs::report
