#include <fmt/core.h>
#include <unistd.h>

#include "commands.h"
#include "exit_code.h"
#include "interrupt.h"
#include "job_setup.h"
#include "output.h"
#include "report/gc_printer.h"
#include "source.h"
#include "sync/gc_job.h"

namespace pbs::cli {

Result<std::int64_t> parse_duration(const std::string& text) {
  // "24h5m", "90m", "2d", "3600" (seconds), "0".
  std::int64_t total = 0, number = 0;
  bool digits = false;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      number = number * 10 + (c - '0');
      digits = true;
      continue;
    }
    std::int64_t unit = c == 's' ? 1 : c == 'm' ? 60 : c == 'h' ? 3600 : c == 'd' ? 86400 : 0;
    if (!digits || unit == 0) {
      return Error(Errc::invalid_argument, "duration '" + text + "' is not like 24h5m, 90m, 2d or 3600");
    }
    total += number * unit;
    number = 0;
    digits = false;
  }
  if (text.empty()) return Error(Errc::invalid_argument, "empty duration");
  return total + number;
}

int command_gc(const GcArgs& args, const GlobalOptions& global) {
  auto job = setup_job(global, "", args.target, false);
  if (!job) return report_error(job.error());
  print_warnings(job->conf, global);
  sync::GcOptions options;
  if (!args.grace.empty()) {
    auto g = parse_duration(args.grace);
    if (!g) return report_error(g.error());
    options.grace_seconds = *g;
  }
  options.dry_run = global.dry_run;
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  options.host = host;
  options.pid = ::getpid();
  options.interrupted = InterruptGuard::requested;
  auto engine = make_engine(*job);
  if (!engine) return report_error(engine.error());
  if (auto st = discover_prefix(*job, **engine, global); !st) return report_error(st.error());
  InterruptGuard interrupt;
  auto result = sync::run_gc(**engine, sync::Remote{job->target.bucket, job->target.prefix}, options);
  if (!result) return report_error(result.error());
  sync::RunOutcome outcome;
  if (result->interrupted) outcome.stop = sync::StopCause::interrupted;
  int code = exit_code_for(outcome, result->errors.empty());
  print_report(global, report::gc_json(*result, code), report::gc_text(*result), code);
  return code;
}

}  // namespace pbs::cli
