#include <fmt/core.h>
#include <unistd.h>

#include <ctime>

#include "commands.h"
#include "exit_code.h"
#include "interrupt.h"
#include "job_setup.h"
#include "output.h"
#include "report/progress_printer.h"
#include "report/sync_printer.h"
#include "source.h"
#include "sync/run_lock.h"
#include "sync/sync_job.h"
#include "util/file_io.h"

namespace pbs::cli {

namespace {

std::string hostname() {
  char buf[256] = {};
  ::gethostname(buf, sizeof buf - 1);
  return buf;
}

}  // namespace

int command_sync(const SyncArgs& args, const GlobalOptions& global) {
  auto job = setup_job(global, args.datastore, args.target, true);
  if (!job) return report_error(job.error());
  print_warnings(job->conf, global);
  auto store = datastore::Datastore::open(job->datastore_path);
  if (!store) return report_error(store.error());

  sync::SyncOptions options;
  options.mode = args.mode == "full" ? sync::SyncMode::full : sync::SyncMode::incremental;
  auto ns = datastore::Namespace::parse(args.ns);
  if (!ns) return report_error(ns.error());
  options.scope.anchor = *ns;
  options.scope.max_depth = args.max_depth;
  for (const auto& f : args.group_filters) {
    auto filter = sync::GroupFilter::parse(f);
    if (!filter) return report_error(filter.error());
    options.scope.filters.push_back(std::move(*filter));
  }
  options.scope.transfer_last = args.transfer_last;
  options.scope.encrypted_only = args.encrypted_only;
  options.scope.verified_only = args.verified_only;
  options.remove_vanished = args.remove_vanished;
  options.max_delete = args.max_delete;
  options.dry_run = global.dry_run;
  options.force_in_use = args.force_in_use;
  const auto& t = job->target;
  options.upload.put.if_none_match = t.options.if_none_match;
  options.upload.put.content_md5 = t.options.content_md5;
  options.upload.put.storage_class = t.options.storage_class;
  options.upload.put.sse = t.options.sse;
  options.upload.put.sse_kms_key_id = t.options.sse_kms_key_id;
  options.upload.interrupted = InterruptGuard::requested;

  std::optional<sync::RunLock> lock;
  if (!global.dry_run) {
    sync::LockHolder holder{::getpid(), hostname(), std::int64_t(std::time(nullptr)), global.command_line,
                            job->datastore_path, t.url()};
    if (args.if_due) {
      auto state = sync::read_lock_state(job->lock_path);
      if (state && state->last_success && job->conf.sync_interval &&
          std::time(nullptr) - state->last_success->finished < *job->conf.sync_interval) {
        if (global.verbosity >= 0) {
          fmt::print("not due: last success {} s ago, SYNC_INTERVAL is {} s\n",
                     std::time(nullptr) - state->last_success->finished, *job->conf.sync_interval);
        }
        return kExitOk;
      }
    }
    auto acquired = sync::RunLock::acquire(job->lock_path, std::move(holder));
    if (!acquired) return report_error(acquired.error());
    lock.emplace(std::move(*acquired));
  }

  auto engine = make_engine(*job);
  if (!engine) return report_error(engine.error());
  report::ProgressPrinter progress(report::ProgressPrinter::choose(global.progress, stderr), stderr);
  if (global.verbosity < 0 || global.output == OutputFormat::json) {
    progress = report::ProgressPrinter(report::ProgressPrinter::Mode::off, stderr);
  }
  options.on_progress = [&](const sync::RunProgress& p) { progress.update(p); };

  sync::SyncSummary summary;
  summary.datastore = job->datastore_path;
  summary.target = t.url();
  summary.parallelism = job->parallelism;
  summary.parallelism_source = job->parallelism_source;
  summary.bandwidth_limit = job->bandwidth;
  summary.warnings = job->conf.warnings;
  std::int64_t started = std::time(nullptr);
  InterruptGuard interrupt;
  auto result = sync::run_sync(*store, **engine, sync::Remote{t.bucket, t.prefix}, options, std::move(summary));
  progress.finish();
  if (!result) {
    int code = exit_code_for(result.error());
    fmt::print(stderr, "pbs-s3sync: {}\n", result.error().message());
    if (lock) (void)lock->record({started, std::int64_t(std::time(nullptr)), code, "{}"});
    return code;
  }
  int code = exit_code_for(result->outcome, result->complete());
  auto json = report::sync_json(*result, code);
  print_report(global, json, report::sync_text(*result), code);
  std::int64_t finished = std::time(nullptr);
  if (!global.metrics_file.empty()) {
    std::string text = report::sync_metrics(*result, code, finished);
    auto st = write_file_atomic(global.metrics_file, as_bytes(text), AtomicWriteOptions{0644, true, {}});
    if (!st) fmt::print(stderr, "pbs-s3sync: cannot write metrics: {}\n", st.error().message());
  }
  if (lock) {
    auto st = lock->record({started, finished, code, json.dump()});
    if (!st) fmt::print(stderr, "pbs-s3sync: cannot record the run: {}\n", st.error().message());
  }
  return code;
}

}  // namespace pbs::cli
