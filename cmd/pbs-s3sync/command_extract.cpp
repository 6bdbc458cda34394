#include <fmt/core.h>

#include "commands.h"
#include "exit_code.h"
#include "extract/extract_job.h"
#include "interrupt.h"
#include "job_setup.h"
#include "output.h"
#include "report/extract_printer.h"
#include "thaw_options.h"

namespace pbs::cli {

int command_extract(const ExtractArgs& args, const GlobalOptions& given) {
  GlobalOptions global = given;
  global.report_on_stderr = args.output == "-";
  auto ns = datastore::Namespace::parse(args.ns);
  if (!ns) return report_error(global, ns.error());
  auto t = open_target(global, args.target, args.point_in_time);
  if (!t) return report_error(global, t.error());
  auto& engine = t->engine;
  auto* remote = &t->remote;

  extract::ExtractOptions options;
  options.ns = *ns;
  options.snapshot = args.snapshot;
  options.archive = args.archive;
  options.output = args.output;
  options.output_options = {args.force, args.zeroed_device};
  options.dry_run = global.dry_run;
  options.interrupted = InterruptGuard::requested;
  auto thaw = thaw_choice(args.thaw, t->job.target.options.storage_class, global);
  if (!thaw) return report_error(global, thaw.error());
  options.thaw = *thaw;
  // A key on the command line is opened first: a wrong passphrase fails before anything is
  // fetched or written. One from the configuration only when the archive is encrypted.
  if (auto source = key_source(args.key.passphrase_file, args.key.keyfile, t->job.target.options)) {
    if (args.key.passphrase_file.empty() && args.key.keyfile.empty()) {
      options.open_key = [&, source = *source] { return open_target_key(*engine, *remote, source, global, true); };
    } else {
      auto key = open_target_key(*engine, *remote, *source, global, true);
      if (!key) return report_error(global, key.error());
      options.key = *key;
    }
  }
  auto progress = progress_printer(global);
  if (progress.active()) {
    options.on_progress = [&](const run::RunProgress& p) { progress.update(p); };
  }
  InterruptGuard interrupt;
  auto result = extract::run_extract(*engine, *remote, options);
  progress.finish();
  if (!result) return report_error(global, result.error());
  int code = exit_code_for(result->outcome, result->ok() || global.dry_run);
  print_report(global, report::extract_json(*result, code), report::extract_text(*result), code);
  return code;
}

}  // namespace pbs::cli
