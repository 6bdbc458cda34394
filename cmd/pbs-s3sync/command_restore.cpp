#include <fmt/core.h>

#include "commands.h"
#include "exit_code.h"
#include "host_budget_setup.h"
#include "interrupt.h"
#include "job_setup.h"
#include "output.h"
#include "report/restore_printer.h"
#include "restore/restore_job.h"
#include "source.h"
#include "thaw_options.h"

namespace pbs::cli {


int command_restore(const RestoreArgs& args, const GlobalOptions& global) {
  // The datastore may not exist yet: its path comes from the argument, its name gives the
  // default prefix.
  std::string path = args.datastore;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  std::string name = path.substr(path.rfind('/') + 1);
  auto conf = load_config(global);
  if (!conf) return report_error(global, conf.error());
  print_warnings(*conf, global);
  auto target = config::resolve_target(args.target, *conf, config::Environment::process(), name);
  if (!target) return report_error(global, target.error());
  Job job;
  job.conf = *conf;
  job.target = *target;
  job.datastore_path = path;
  if (auto st = finish_job(job, global); !st) return report_error(global, st.error());

  restore::RestoreOptions options;
  auto ns = datastore::Namespace::parse(args.ns);
  if (!ns) return report_error(global, ns.error());
  options.selection.anchor = *ns;
  options.selection.max_depth = args.max_depth;
  options.selection.latest = args.latest;
  if (!args.group.empty()) {
    auto g = datastore::parse_group(*ns, args.group);
    if (!g) return report_error(global, g.error());
    options.selection.group = *g;
  }
  if (!args.snapshot.empty()) {
    auto s = datastore::parse_snapshot(*ns, args.snapshot);
    if (!s) return report_error(global, s.error());
    options.selection.snapshot = *s;
  }
  options.dry_run = global.dry_run;
  options.interrupted = InterruptGuard::requested;
  auto thaw = thaw_choice(args.thaw, target->options.storage_class, global);
  if (!thaw) return report_error(global, thaw.error());
  options.thaw = *thaw;
  auto progress = progress_printer(global);
  if (progress.active()) options.on_progress = [&](const run::RunProgress& p) { progress.update(p); };

  auto remote = remote_for(*target, args.point_in_time);
  if (!remote) return report_error(global, remote.error());
  job.budget = join_host_budget(job, global);
  auto engine = make_engine(job);
  if (!engine) return report_error(global, engine.error());
  if (args.decrypt) {
    auto source = key_source(args.key.passphrase_file, args.key.keyfile, target->options);
    if (!source) {
      return report_error(global, Error(Errc::invalid_argument, "--decrypt needs the key: --passphrase-file FILE or "
                                                                "--keyfile FILE (or PASSPHRASE_FILE / KEYFILE)"));
    }
    auto key = open_target_key(**engine, *remote, *source, global);
    if (!key) return report_error(global, key.error());
    options.decrypt = *key;
  } else if (!args.key.passphrase_file.empty() || !args.key.keyfile.empty()) {
    return report_error(global, Error(Errc::invalid_argument, "a restore without --decrypt writes the snapshots as "
                                                              "stored and needs no key: add --decrypt"));
  }
  InterruptGuard interrupt;
  if (auto st = check_customer_key(job, **engine, *remote); !st) return report_error(global, st.error());
  auto result = restore::run_restore(**engine, *remote, path, options);
  progress.finish();
  if (!result) return report_error(global, result.error());
  result->prices = target->options.prices;
  int code = exit_code_for(result->outcome, result->complete());
  print_report(global, report::restore_json(*result, code), report::restore_text(*result), code);
  return code;
}

}  // namespace pbs::cli
