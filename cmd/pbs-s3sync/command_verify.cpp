#include <fmt/core.h>

#include "check/remote_verify.h"
#include "commands.h"
#include "datastore/local_verify.h"
#include "exit_code.h"
#include "job_setup.h"
#include "output.h"
#include "report/verify_printer.h"
#include "source.h"
#include "interrupt.h"
#include "thaw_options.h"

namespace pbs::cli {

namespace {
int verify_remote(const VerifyArgs& args, const GlobalOptions& global, const datastore::Namespace& ns) {
  auto t = open_target(global, args.source, args.point_in_time);
  if (!t) return report_error(global, t.error());
  auto& engine = t->engine;
  const auto* remote = &t->remote;
  check::RemoteVerifyOptions options;
  options.anchor = ns;
  options.max_depth = args.max_depth;
  options.deep = args.deep;
  options.sample_percent = args.sample;
  auto thaw = thaw_choice(args.thaw, "", global);
  if (!thaw) return report_error(global, thaw.error());
  options.thaw = *thaw;  // a verify asks for archived chunks only when told to: retrievals are billed
  options.interrupted = InterruptGuard::requested;
  if (auto source = key_source(args.key.passphrase_file, args.key.keyfile, t->job.target.options)) {
    auto key = open_target_key(*engine, *remote, *source, global);
    if (!key) return report_error(global, key.error());
    options.key = *key;
  }
  InterruptGuard interrupt;
  auto summary = check::run_remote_verify(*engine, *remote, options);
  if (!summary) return report_error(global, summary.error());
  int code = exit_code_for_findings(summary->ok());
  print_report(global, report::remote_verify_json(*summary), report::remote_verify_text(*summary), code);
  return code;
}
}  // namespace

int command_verify(const VerifyArgs& args, const GlobalOptions& global) {
  auto ns = datastore::Namespace::parse(args.ns);
  if (!ns) return report_error(global, ns.error());
  auto remote = is_remote_source(args.source, global);
  if (!remote) return report_error(global, remote.error());
  if (*remote) return verify_remote(args, global, *ns);
  if (args.deep) return report_error(global, Error(Errc::invalid_argument, "--deep applies to a remote TARGET; a local verify is always deep"));
  if (args.point_in_time) {
    return report_error(global, Error(Errc::invalid_argument, "--point-in-time reads a bucket's versions: give a remote "
                                                              "SOURCE (s3://bucket/prefix or a STORAGE id)"));
  }
  auto store = open_local_datastore(args.source);
  if (!store) return report_error(global, store.error());
  datastore::LocalVerifyOptions options;
  options.anchor = *ns;
  options.max_depth = args.max_depth;
  options.threads = global.parallelism.value_or(0);
  auto report = datastore::verify_datastore(*store, options);
  if (!report) return report_error(global, report.error());
  int code = exit_code_for_findings(report->ok());
  print_report(global, report::verify_json(*report), report::verify_text(*report), code);
  return code;
}

}  // namespace pbs::cli
