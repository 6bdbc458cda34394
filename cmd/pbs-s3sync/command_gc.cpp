#include <fmt/core.h>
#include <unistd.h>

#include "commands.h"
#include "exit_code.h"
#include "gc/gc_job.h"
#include "interrupt.h"
#include "job_setup.h"
#include "output.h"
#include "report/gc_printer.h"
#include "source.h"
#include "util/duration.h"

namespace pbs::cli {

int command_gc(const GcArgs& args, const GlobalOptions& global) {
  gc::GcOptions options;
  if (!args.grace.empty()) {
    auto g = parse_duration(args.grace);
    if (!g) return report_error(global, g.error());
    options.grace_seconds = *g;
  }
  options.dry_run = global.dry_run;
  options.host = host::local_host_name();
  options.pid = ::getpid();
  options.interrupted = InterruptGuard::requested;
  auto t = open_target(global, args.target);
  if (!t) return report_error(global, t.error());
  options.min_storage_days = t->job.target.options.min_storage_days;
  print_warnings(t->job.conf, global);
  InterruptGuard interrupt;
  auto result = gc::run_gc(*t->engine, t->remote, options);
  if (!result) return report_error(global, result.error());
  result->prices = t->job.target.options.prices;
  run::RunOutcome outcome;
  if (result->interrupted) outcome.stop = run::StopCause::interrupted;
  int code = exit_code_for(outcome, result->errors.empty());
  print_report(global, report::gc_json(*result, code), report::gc_text(*result), code);
  return code;
}

}  // namespace pbs::cli
