#include <fmt/core.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "exit_code.h"
#include "host/run_lock.h"
#include "host_budget_setup.h"
#include "job_setup.h"
#include "output.h"
#include "report/budget_printer.h"
#include "source.h"
#include "util/calendar.h"
#include "util/file_io.h"
#include "util/json_fields.h"

namespace pbs::cli {

namespace {

using ojson = nlohmann::ordered_json;

std::string when(std::int64_t epoch) { return format_utc(epoch, "%Y-%m-%dT%H:%M:%SZ"); }

// The lock files to look at: the one of DATASTORE+TARGET (or --lock-file), else all of them.
Result<std::vector<std::string>> lock_paths(const StatusArgs& args, const GlobalOptions& global) {
  if (!global.lock_file.empty()) return std::vector<std::string>{global.lock_file};
  if (!args.datastore.empty() || !args.target.empty()) {
    PBS_ASSIGN(Job job, setup_job(global, args.datastore, args.target, true, false));
    return std::vector<std::string>{job.lock_path};
  }
  std::vector<std::string> out;
  std::string dir = host::lock_directory();
  PBS_ASSIGN(auto st, stat_path(dir));
  if (!st) return out;
  PBS_TRY(list_dir(dir, [&](const DirEntry& e) {
    if (e.type == EntryType::file && std::string_view(e.name).ends_with(".lock")) {
      out.push_back(join_path(dir, e.name));
    }
    return true;
  }));
  std::sort(out.begin(), out.end());
  return out;
}

ojson run_json(const host::RunRecord& r) {
  ojson j = {{"started", when(r.started)}, {"finished", when(r.finished)}, {"exit-code", r.exit_code}};
  auto summary = ojson::parse(r.summary_json, nullptr, false);
  if (!summary.is_discarded() && summary.is_object()) j["summary"] = summary;
  return j;
}

std::string run_text(const host::RunRecord& r) {
  std::string s = fmt::format("{}, exit {}, {} s", when(r.finished), r.exit_code, r.finished - r.started);
  // The summary is what that run's version wrote: its counts are shown only when they read as such.
  auto j = nlohmann::json::parse(r.summary_json, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("snapshots") || !j["snapshots"].is_object()) return s;
  std::int64_t uploaded = 0, failed = 0, sent = 0;
  if (json_int(j["snapshots"], "uploaded", uploaded) && json_int(j["snapshots"], "failed", failed) &&
      json_int(j, "bytes-sent", sent)) {
    s += fmt::format(", {} snapshot(s) uploaded, {} failed, {} bytes sent", uploaded, failed, sent);
  }
  return s;
}

}  // namespace

int command_status(const StatusArgs& args, const GlobalOptions& global) {
  auto paths = lock_paths(args, global);
  if (!paths) return report_error(global, paths.error());
  auto conf = load_config(global);
  if (!conf) return report_error(global, conf.error());
  std::int64_t interval = sync_interval(*conf);
  std::int64_t now = std::time(nullptr);
  bool overdue_any = paths->empty();
  ojson all = ojson::array();
  std::string text;
  for (const auto& path : *paths) {
    auto state = host::read_lock_state(path);
    if (!state) return report_error(global, state.error());
    bool overdue = !state->last_success || now - state->last_success->finished > 2 * interval;
    overdue_any = overdue_any || overdue;
    ojson j;
    j["lock"] = path;
    if (state->holder) {
      const auto& h = *state->holder;
      j["holder"] = {{"pid", h.pid}, {"host", h.host}, {"started", when(h.started)}, {"command", h.command}};
    } else {
      j["holder"] = nullptr;
    }
    j["last-run"] = state->last_run ? run_json(*state->last_run) : ojson(nullptr);
    j["last-success"] = state->last_success ? run_json(*state->last_success) : ojson(nullptr);
    j["overdue"] = overdue;
    j["unreadable"] = state->unreadable;
    all.push_back(j);
    text += fmt::format("lock: {}\n", path);
    text += state->holder ? fmt::format("  running: PID {} on {} since {} ({})\n", state->holder->pid,
                                        state->holder->host, when(state->holder->started), state->holder->command)
                          : std::string("  running: no\n");
    if (state->stale_holder) {
      text += fmt::format("  stale lock record of PID {} (dead; pbs-s3sync unlock --force clears it)\n",
                          state->stale_holder->pid);
    }
    for (const auto& why : state->unreadable) text += "  unreadable: " + why + "; treated as absent\n";
    text += "  last run: " + (state->last_run ? run_text(*state->last_run) : std::string("never")) + "\n";
    text += "  last success: " + (state->last_success ? run_text(*state->last_success) : std::string("never")) + "\n";
    if (overdue) text += fmt::format("  OVERDUE: no success within 2 x SYNC_INTERVAL ({} s)\n", 2 * interval);
  }
  if (paths->empty()) text = "no runs recorded in " + host::lock_directory() + "\n";
  ojson json{{"sync-interval", interval}, {"jobs", all}};
  if (std::string dir = budget_directory(); !dir.empty()) {
    auto budget = transfer::read_host_budget(dir);
    if (!budget) return report_error(global, budget.error());
    text += report::budget_text(*budget);
    json["host-budget"] = report::budget_json(*budget);
  }
  int code = exit_code_for_findings(!(args.check && overdue_any));
  print_report(global, json, text, code);
  return code;
}

int command_unlock(const StatusArgs& args, const GlobalOptions& global) {
  auto paths = lock_paths(args, global);
  if (!paths) return report_error(global, paths.error());
  if (paths->size() != 1) {
    return report_error(global, Error(Errc::invalid_argument, "name the job: DATASTORE TARGET or --lock-file"));
  }
  const std::string& path = paths->front();
  auto state = host::read_lock_state(path);
  if (!state) return report_error(global, state.error());
  if (state->holder) {
    return report_error(global, Error(Errc::locked, path + " is held by a live run (PID " +
                                                std::to_string(state->holder->pid) + "); not touched"));
  }
  if (!args.force) {
    fmt::print("{}: {}; run with --force to clear it\n", path,
               state->stale_holder ? "stale record of a dead run" : "not held");
    return kExitUsage;
  }
  auto st = host::clear_stale_lock(path);
  if (!st && st.error().code() != Errc::not_found) return report_error(global, st.error());
  fmt::print("{}: cleared\n", path);
  return kExitOk;
}

}  // namespace pbs::cli
