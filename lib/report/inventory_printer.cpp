#include "report/inventory_printer.h"

#include <fmt/format.h>

#include <map>

#include "report/human.h"
#include "report/printable.h"

namespace pbs::report {

using datastore::Inventory;
using ojson = nlohmann::ordered_json;

std::string inventory_text(const Inventory& inv) {
  std::string out = fmt::format("Datastore {}\n", inv.root);
  std::map<std::string, std::vector<const datastore::GroupSummary*>> by_ns;
  for (const auto& g : inv.groups) by_ns[g.ref.ns.name()].push_back(&g);
  for (const auto& ns : inv.namespaces) {
    out += fmt::format("namespace {}\n", ns.is_root() ? "<root>" : ns.name());
    for (const auto* g : by_ns[ns.name()]) {
      out += fmt::format("  {}  owner {}{}  {} snapshot{}{}\n", g->ref.name(),
                         g->owner.value_or("(none)"), g->has_notes ? "  notes" : "",
                         g->snapshots.size(), g->snapshots.size() == 1 ? "" : "s",
                         g->unfinished ? fmt::format(" (+{} unfinished)", g->unfinished) : "");
      for (const auto& s : g->snapshots) {
        out += fmt::format("    {}  {} files  {}{}{}{}\n", s.ref.time_string(), s.files.size(),
                           human_bytes(s.logical_size), s.is_protected ? "  protected" : "",
                           s.encrypted ? "  encrypted" : "",
                           s.verify_state ? "  verify=" + *s.verify_state : "");
      }
    }
  }
  out += fmt::format("{} namespace{}, {} group{}, {} snapshot{}", inv.namespaces.size(),
                     inv.namespaces.size() == 1 ? "" : "s", inv.groups.size(),
                     inv.groups.size() == 1 ? "" : "s", inv.snapshots,
                     inv.snapshots == 1 ? "" : "s");
  if (inv.unfinished_snapshots) out += fmt::format(" ({} unfinished, skipped)", inv.unfinished_snapshots);
  out += fmt::format("\nlogical {}, {} unique chunks ({} on disk), dedup ratio {:.2f}\n",
                     human_bytes(inv.logical_bytes), inv.unique_chunks,
                     human_bytes(inv.unique_chunk_bytes), inv.dedup_ratio());
  if (inv.missing_chunks) out += fmt::format("{} referenced chunks are missing\n", inv.missing_chunks);
  for (const auto& p : inv.problems) out += fmt::format("problem: {}\n", printable(p));
  return out;
}

ojson inventory_json(const Inventory& inv) {
  ojson doc;
  doc["datastore"] = inv.root;
  ojson namespaces = ojson::array();
  for (const auto& ns : inv.namespaces) namespaces.push_back(ns.name());
  doc["namespaces"] = std::move(namespaces);
  ojson groups = ojson::array();
  for (const auto& g : inv.groups) {
    ojson jg;
    jg["ns"] = g.ref.ns.name();
    jg["type"] = std::string(datastore::type_name(g.ref.type));
    jg["id"] = g.ref.id;
    jg["owner"] = g.owner ? ojson(*g.owner) : ojson(nullptr);
    jg["notes"] = g.has_notes;
    jg["unfinished"] = g.unfinished;
    ojson snaps = ojson::array();
    for (const auto& s : g.snapshots) {
      ojson js;
      js["time"] = s.ref.time_string();
      js["epoch"] = s.ref.time;
      js["files"] = s.files;
      js["logical-size"] = s.logical_size;
      js["chunk-refs"] = s.chunk_refs;
      js["protected"] = s.is_protected;
      js["encrypted"] = s.encrypted;
      js["verify-state"] = s.verify_state ? ojson(*s.verify_state) : ojson(nullptr);
      snaps.push_back(std::move(js));
    }
    jg["snapshots"] = std::move(snaps);
    groups.push_back(std::move(jg));
  }
  doc["groups"] = std::move(groups);
  ojson totals;
  totals["namespaces"] = inv.namespaces.size();
  totals["groups"] = inv.groups.size();
  totals["snapshots"] = inv.snapshots;
  totals["unfinished-snapshots"] = inv.unfinished_snapshots;
  totals["logical-bytes"] = inv.logical_bytes;
  totals["unique-chunks"] = inv.unique_chunks;
  totals["unique-chunk-bytes"] = inv.unique_chunk_bytes;
  totals["missing-chunks"] = inv.missing_chunks;
  totals["dedup-ratio"] = inv.dedup_ratio();
  doc["totals"] = std::move(totals);
  doc["problems"] = inv.problems;
  return doc;
}

}  // namespace pbs::report
