#include <fmt/core.h>
#include <unistd.h>

#include <ctime>

#include "commands.h"
#include "sync_run.h"
#include "exit_code.h"
#include "host/run_lock.h"
#include "host_budget_setup.h"
#include "interrupt.h"
#include "job_setup.h"
#include "output.h"
#include "push/sync_job.h"
#include "report/printable.h"
#include "report/sync_printer.h"
#include "source.h"
#include "util/file_io.h"

namespace pbs::cli {

namespace {

// How every sync ends, with a summary or an error, so that monitoring never sees silence: the
// report (text, or one JSON document that carries the error too), the metrics with the exit code
// and the time of the last success, and the run's record in the lock file.
class SyncEnd {
 public:
  SyncEnd() : started_(std::time(nullptr)) {}

  push::SyncSummary summary;
  std::string lock_path;
  const config::StorageOptions* target_options = nullptr;  // its prices and chunk class, once resolved
  std::optional<host::RunLock> lock;

  SyncReport fail(const Error& error) { return finish(exit_code_for(error), &error); }
  SyncReport done() { return finish(exit_code_for(summary.outcome, summary.complete()), nullptr); }

 private:
  SyncReport finish(int code, const Error* error) {
    SyncReport r;
    if (target_options) {
      summary.prices = target_options->prices;
      summary.chunk_class = target_options->storage_class;
    }
    r.code = code;
    r.json = report::sync_json(summary, code);
    if (error) {
      r.json["error"] = error_json(*error);
      r.error = error->message();
    } else {
      r.text = report::sync_text(summary);
    }
    std::int64_t finished = std::time(nullptr);
    std::optional<std::int64_t> last_success;
    if (code == kExitOk) {
      last_success = finished;
    } else if (auto state = host::read_lock_state(lock_path); state && state->last_success) {
      last_success = state->last_success->finished;
    }
    r.metrics = report::sync_metrics(summary, code, finished, last_success);
    if (lock) {
      auto st = lock->record({started_, finished, code, r.json.dump()});
      if (!st) fmt::print(stderr, "pbs-s3sync: cannot record the run: {}\n", st.error().message());
    }
    return r;
  }

  std::int64_t started_;
};

Result<push::SyncOptions> sync_options(const SyncArgs& args, const GlobalOptions& global, const Job& job) {
  push::SyncOptions options;
  options.mode = args.mode == "full" ? push::SyncMode::full : push::SyncMode::incremental;
  PBS_ASSIGN(options.scope.anchor, datastore::Namespace::parse(args.ns));
  options.scope.max_depth = args.max_depth;
  for (const auto& f : args.group_filters) {
    PBS_ASSIGN(auto filter, datastore::GroupFilter::parse(f));
    options.scope.filters.push_back(std::move(filter));
  }
  options.scope.transfer_last = args.transfer_last;
  options.scope.encrypted_only = args.encrypted_only;
  options.scope.verified_only = args.verified_only;
  options.remove_vanished = args.remove_vanished;
  options.max_delete = args.max_delete;
  options.dry_run = global.dry_run;
  options.force_in_use = args.force_in_use;
  options.take_over = args.take_over;
  options.source.host = host::local_host_name();
  options.source.datastore = job.datastore_name;
  const auto& t = job.target;
  options.upload.put.if_none_match = t.options.if_none_match;
  options.upload.put.content_md5 = t.options.content_md5;
  options.upload.put.storage_class = t.options.storage_class;
  options.upload.put.sse = t.options.sse;
  options.upload.put.sse_kms_key_id = t.options.sse_kms_key_id;
  options.upload.interrupted = InterruptGuard::requested;
  std::string mode = !args.object_lock.empty() ? args.object_lock : t.options.object_lock;
  unsigned days = args.object_lock_days ? args.object_lock_days : t.options.object_lock_days;
  for (auto& c : mode) c = char(std::toupper(static_cast<unsigned char>(c)));
  if (mode == "OFF") {
    if (args.object_lock_days) return Error(Errc::invalid_argument, "--object-lock off locks nothing: leave --object-lock-days out");
    options.lock_off = true;
    mode.clear();
    days = 0;
  }
  if (!mode.empty() || days) {
    if (mode.empty() || !days) {
      return Error(Errc::invalid_argument, "an object lock needs a mode and a number of days (--object-lock and "
                                           "--object-lock-days, or OBJECT_LOCK and OBJECT_LOCK_DAYS)");
    }
    retention::LockPolicy lock{mode, days, sync_interval(job.conf)};
    PBS_TRY(retention::check_lock_policy(lock));
    options.lock = std::move(lock);
  }
  if (args.encrypt || t.options.encryption) {
    auto source = key_source(args.key.passphrase_file, args.key.keyfile, t.options);
    if (!source) {
      return Error(Errc::invalid_argument, "--encrypt needs --passphrase-file FILE or --keyfile FILE (PASSPHRASE_FILE "
                                           "or KEYFILE in the STORAGE entry)");
    }
    options.encryption = std::move(*source);
  } else if (!args.key.passphrase_file.empty() || !args.key.keyfile.empty()) {
    return Error(Errc::invalid_argument, "--passphrase-file and --keyfile are for an encrypted sync: add --encrypt");
  }
  return options;
}

// The last success was less than SYNC_INTERVAL ago: nothing to do, said as every run says it.
std::optional<SyncReport> not_due(const Job& job) {
  auto state = host::read_lock_state(job.lock_path);
  std::int64_t interval = sync_interval(job.conf), now = std::time(nullptr);
  if (!state || !state->last_success || now - state->last_success->finished >= interval) return std::nullopt;
  SyncReport r;
  std::int64_t ago = now - state->last_success->finished;
  r.text = fmt::format("not due: last success {} s ago, SYNC_INTERVAL is {} s\n", ago, interval);
  r.json = {{"command", "sync"}, {"datastore", job.datastore_path}, {"target", job.target.url()},
            {"exit-code", 0}, {"skipped", "not due"}, {"last-success-seconds-ago", ago},
            {"sync-interval", interval}};
  return r;
}

}  // namespace

SyncReport run_one_sync(const SyncArgs& args, const GlobalOptions& global, const SyncRunSettings& settings) {
  SyncEnd end;
  end.summary.target = args.target;
  end.summary.datastore = args.datastore;
  end.lock_path = global.lock_file;
  auto job = setup_job(global, args.datastore, args.target, true);
  if (!job) return end.fail(job.error());
  const auto& t = job->target;
  end.summary.datastore = job->datastore_path;
  end.summary.target = t.url();
  end.target_options = &t.options;
  end.summary.parallelism = job->parallelism;
  end.summary.parallelism_source = job->parallelism_source;
  end.summary.bandwidth_limit = job->bandwidth.rate_at(std::time(nullptr));
  if (job->bandwidth.timetable()) end.summary.bandwidth_timetable = job->bandwidth.describe();
  end.summary.requests_per_second = job->requests_per_second;
  end.summary.warnings = job->conf.warnings;
  end.lock_path = job->lock_path;
  if (settings.print_warnings) print_warnings(job->conf, global);
  auto store = datastore::Datastore::open(job->datastore_path);
  if (!store) return end.fail(store.error());
  auto options = sync_options(args, global, *job);
  if (!options) return end.fail(options.error());
  if (!global.dry_run) {
    if (args.if_due) {
      if (auto skipped = not_due(*job)) return *skipped;
    }
    host::LockHolder holder{::getpid(), host::local_host_name(), std::int64_t(std::time(nullptr)), global.command_line,
                            job->datastore_path, t.url()};
    auto acquired = host::RunLock::acquire(job->lock_path, std::move(holder));
    if (!acquired) return end.fail(acquired.error());
    end.lock.emplace(std::move(*acquired));
  }
  job->budget = join_host_budget(*job, global);
  auto engine = make_engine(*job);
  if (!engine) return end.fail(engine.error());
  auto progress = settings.progress ? progress_printer(global) : report::ProgressPrinter(report::ProgressPrinter::Mode::off, stderr);
  if (progress.active()) options->on_progress = [&](const run::RunProgress& p) { progress.update(p); };
  auto result = push::run_sync(*store, **engine, remote::Remote{t.bucket, t.prefix}, *options, end.summary);
  progress.finish();
  if (!result) {
    end.summary.counters = (*engine)->counters();  // what was done before the stop
    return end.fail(result.error());
  }
  end.summary = std::move(*result);
  return end.done();
}

void publish(const SyncReport& r, const GlobalOptions& global) {
  if (!r.error.empty()) {
    fmt::print(stderr, "pbs-s3sync: {}\n", printable(r.error));
    if (global.output == OutputFormat::json) fmt::print("{}\n", r.json.dump(2));
  } else {
    print_report(global, r.json, r.text, r.code);
  }
  if (global.metrics_file.empty() || r.metrics.empty()) return;
  // node_exporter's textfile directory may not exist yet (the exporter installed later).
  std::string dir = global.metrics_file.substr(0, global.metrics_file.rfind('/'));
  if (!dir.empty() && dir != global.metrics_file) (void)make_dirs(dir, 0755);
  auto st = write_file_atomic(global.metrics_file, as_bytes(r.metrics), AtomicWriteOptions{0644, true, {}});
  if (!st) fmt::print(stderr, "pbs-s3sync: cannot write metrics: {}\n", st.error().message());
}

int command_sync(const SyncArgs& args, const GlobalOptions& global) {
  if (args.all) return command_sync_all(args, global);
  InterruptGuard interrupt;
  SyncReport r = run_one_sync(args, global, {});
  publish(r, global);
  return r.code;
}

}  // namespace pbs::cli
