#include <fmt/core.h>

#include "commands.h"
#include "datastore/local_verify.h"
#include "exit_code.h"
#include "report/verify_printer.h"
#include "source.h"

namespace pbs::cli {

int command_verify(const VerifyArgs& args, const GlobalOptions& global) {
  auto store = open_local_datastore(args.source);
  if (!store) return report_error(store.error());
  auto ns = datastore::Namespace::parse(args.ns);
  if (!ns) return report_error(ns.error());
  datastore::LocalVerifyOptions options{*ns, args.max_depth, global.parallelism.value_or(0)};
  auto report = datastore::verify_datastore(*store, options);
  if (!report) return report_error(report.error());
  if (global.output == OutputFormat::json) {
    fmt::print("{}\n", report::verify_json(*report).dump(2));
  } else {
    fmt::print("{}", report::verify_text(*report));
  }
  return report->ok() ? kExitOk : kExitPartial;
}

}  // namespace pbs::cli
