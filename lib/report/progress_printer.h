#pragma once
// Progress while a run works: a live line on a terminal (stderr), or one log line every 30 s
// otherwise (cron mail and journald want lines, not carriage returns).

#include <chrono>
#include <cstdio>
#include <string>

#include "sync/run_progress.h"

namespace pbs::report {

class ProgressPrinter {
 public:
  enum class Mode { off, line, log };
  ProgressPrinter(Mode mode, std::FILE* out, double log_interval_seconds = 30);
  static Mode choose(const std::string& setting, std::FILE* out);  // auto | always | never

  void update(const sync::RunProgress& p);
  void finish();

 private:
  Mode mode_;
  std::FILE* out_;
  double interval_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
  bool drawn_ = false;
};

}  // namespace pbs::report
