#include <fmt/core.h>

#include <algorithm>
#include <map>
#include <thread>

#include "config/datastore_cfg.h"
#include "exit_code.h"
#include "interrupt.h"
#include "job_setup.h"
#include "output.h"
#include "report/metrics_merge.h"
#include "sync_run.h"

namespace pbs::cli {

namespace {

Result<std::vector<std::string>> configured_datastores() {
  std::string path = datastore_cfg_path();
  PBS_ASSIGN(auto cfg, config::load_datastore_cfg(path));
  std::vector<std::string> names;
  for (const auto& [name, entry] : cfg) names.push_back(name);
  if (names.empty()) return Error(Errc::config, path + " names no datastore");
  return names;
}

// Each datastore into its own prefix: two jobs into one prefix would each take it for another
// source's (prefix_claim.h) and refuse, or worse, with --take-over, take turns.
Status check_prefixes(const std::vector<std::string>& names, const std::string& target, const GlobalOptions& global) {
  std::map<std::string, std::string> seen;
  for (const auto& name : names) {
    PBS_ASSIGN(Job job, setup_job(global, name, target, true));
    auto [it, fresh] = seen.emplace(job.target.url(), name);
    if (!fresh) {
      return Error(Errc::config, "datastores '" + it->second + "' and '" + name + "' would both sync into " +
                                     job.target.url() + ": with --all, leave PREFIX out of the STORAGE entry so that "
                                     "each datastore gets the prefix of its name");
    }
  }
  return {};
}

}  // namespace

int command_sync_all(const SyncArgs& args, const GlobalOptions& global) {
  if (!args.datastore.empty() && !args.target.empty()) {
    return report_error(global, Error(Errc::invalid_argument, "sync --all takes only a TARGET: the datastores are "
                                                              "those of datastore.cfg"));
  }
  if (!global.lock_file.empty()) {
    return report_error(global, Error(Errc::invalid_argument, "sync --all takes no --lock-file: each datastore's job "
                                                              "has its own lock"));
  }
  std::string target = args.target.empty() ? args.datastore : args.target;
  auto names = configured_datastores();
  if (!names) return report_error(global, names.error());
  if (auto st = check_prefixes(*names, target, global); !st) return report_error(global, st.error());
  if (auto conf = load_config(global); conf) print_warnings(*conf, global);
  GlobalOptions each = global;
  each.metrics_file.clear();
  InterruptGuard interrupt;  // one for every job: a job's end must not put the default handler back
  std::vector<SyncReport> reports(names->size());
  std::vector<std::thread> jobs;
  for (std::size_t i = 0; i < names->size(); ++i) {
    jobs.emplace_back([&, i] {
      SyncArgs one = args;
      one.all = false;
      one.datastore = (*names)[i];
      one.target = target;
      reports[i] = run_one_sync(one, each, {false, false});
    });
  }
  for (auto& j : jobs) j.join();
  SyncReport all;
  all.json = {{"command", "sync --all"}, {"target", target}, {"jobs", nlohmann::ordered_json::array()}};
  std::vector<std::string> metrics;
  std::size_t clean = 0;
  for (std::size_t i = 0; i < reports.size(); ++i) {
    const SyncReport& r = reports[i];
    all.code = std::max(all.code, r.code);
    clean += r.code == kExitOk;
    all.json["jobs"].push_back(r.json);
    all.text += fmt::format("== {} (exit {})\n", (*names)[i], r.code);
    all.text += r.error.empty() ? r.text : "error: " + r.error + "\n";
    metrics.push_back(r.metrics);
  }
  all.json["exit-code"] = all.code;
  all.text += fmt::format("{} job(s): {} complete, {} not\n", reports.size(), clean, reports.size() - clean);
  all.metrics = report::merge_metrics(metrics);
  publish(all, global);
  return all.code;
}

}  // namespace pbs::cli
