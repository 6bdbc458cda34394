#include <fmt/core.h>

#include "check/remote_inventory.h"
#include "commands.h"
#include "datastore/inventory.h"
#include "exit_code.h"
#include "job_setup.h"
#include "output.h"
#include "extract/snapshot_files.h"
#include "report/bill_printer.h"
#include "report/extract_printer.h"
#include "report/inventory_printer.h"
#include "source.h"

namespace pbs::cli {

int command_list(const ListArgs& args, const GlobalOptions& global) {
  auto ns = datastore::Namespace::parse(args.ns);
  if (!ns) return report_error(global, ns.error());
  Result<datastore::Inventory> inv = Error(Errc::io, "");
  std::optional<config::StorageOptions> stored;  // a remote source: its chunks' class and prices
  auto remote_source = is_remote_source(args.source, global);
  if (!remote_source) return report_error(global, remote_source.error());
  if (*remote_source) {
    auto t = open_target(global, args.source, args.point_in_time);
    if (!t) return report_error(global, t.error());
    auto& engine = t->engine;
    auto* remote = &t->remote;
    if (!args.snapshot.empty()) {
      auto snap = extract::open_snapshot(*engine, *remote, *ns, args.snapshot);
      if (!snap) return report_error(global, snap.error());
      print_report(global, report::archives_json(**snap, remote->url()), report::archives_text(**snap, remote->url()), kExitOk);
      return kExitOk;
    }
    inv = check::remote_inventory(*engine, *remote, {*ns, args.max_depth});
    if (!inv) return report_error(global, inv.error());
    stored = t->job.target.options;
  } else if (args.point_in_time || !args.snapshot.empty()) {
    return report_error(global, Error(Errc::invalid_argument, "--point-in-time and --snapshot read a bucket: give a "
                                                              "remote SOURCE (s3://bucket/prefix or a STORAGE id)"));
  } else {
    auto store = open_local_datastore(args.source);
    if (!store) return report_error(global, store.error());
    inv = datastore::build_inventory(*store, {*ns, args.max_depth});
  }
  if (!inv) return report_error(global, inv.error());
  int code = exit_code_for_findings(inv->problems.empty());
  auto json = report::inventory_json(*inv);
  auto text = report::inventory_text(*inv);
  if (stored) {
    // What keeping the prefix's chunks costs a month (the snapshot files are a small part next to them).
    json["storage"] = report::storage_json(stored->prices, stored->storage_class, inv->unique_chunk_bytes);
    text += report::storage_text(stored->prices, stored->storage_class, inv->unique_chunk_bytes, "chunks stored");
  }
  print_report(global, json, text, code);
  return code;
}

}  // namespace pbs::cli
