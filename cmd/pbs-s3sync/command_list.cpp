#include <fmt/core.h>

#include "commands.h"
#include "datastore/inventory.h"
#include "exit_code.h"
#include "report/inventory_printer.h"
#include "source.h"

namespace pbs::cli {

int command_list(const ListArgs& args, const GlobalOptions& global) {
  auto store = open_local_datastore(args.source);
  if (!store) return report_error(store.error());
  auto ns = datastore::Namespace::parse(args.ns);
  if (!ns) return report_error(ns.error());
  auto inv = datastore::build_inventory(*store, {*ns, args.max_depth});
  if (!inv) return report_error(inv.error());
  if (global.output == OutputFormat::json) {
    fmt::print("{}\n", report::inventory_json(*inv).dump(2));
  } else {
    fmt::print("{}", report::inventory_text(*inv));
  }
  return inv->problems.empty() ? kExitOk : kExitPartial;
}

}  // namespace pbs::cli
