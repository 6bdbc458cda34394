#include <fmt/core.h>
#include <unistd.h>

#include "commands.h"
#include "exit_code.h"
#include "gc/gc_job.h"
#include "host_budget_setup.h"
#include "interrupt.h"
#include "job_setup.h"
#include "output.h"
#include "report/gc_printer.h"
#include "source.h"
#include "util/duration.h"

namespace pbs::cli {

int command_gc(const GcArgs& args, const GlobalOptions& global) {
  auto job = setup_job(global, "", args.target, false);
  if (!job) return report_error(global, job.error());
  print_warnings(job->conf, global);
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
  job->budget = join_host_budget(*job, global);
  auto engine = make_engine(*job);
  if (!engine) return report_error(global, engine.error());
  if (auto st = discover_prefix(*job, **engine, global); !st) return report_error(global, st.error());
  InterruptGuard interrupt;
  auto result = gc::run_gc(**engine, remote::Remote{job->target.bucket, job->target.prefix}, options);
  if (!result) return report_error(global, result.error());
  run::RunOutcome outcome;
  if (result->interrupted) outcome.stop = run::StopCause::interrupted;
  int code = exit_code_for(outcome, result->errors.empty());
  print_report(global, report::gc_json(*result, code), report::gc_text(*result), code);
  return code;
}

}  // namespace pbs::cli
