#include "cli.h"

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include <set>
#include <string_view>

#include "commands.h"
#include "exit_code.h"
#include "option_checks.h"

namespace pbs::cli {

namespace {

void add_global_options(CLI::App& app, GlobalOptions& g) {
  app.add_option_function<std::string>(
         "--config",
         [&g](const std::string& path) {
           g.config_file = path;
           g.config_given = true;
         },
         "Configuration file (default /etc/pbs.conf)")
      ->envname("PBS_S3SYNC_CONFIG")
      ->option_text("FILE");
  app.add_option("-j,--parallelism", g.parallelism,
                 "Concurrent requests (the effective value is min(this, MAX_WORKERS))")
      ->check(whole_number_in(1, 256))
      ->option_text("N");
  app.add_option("--bandwidth-limit", g.bandwidth_limit,
                 "Whole-process transfer limit, e.g. 50M (bytes per second), or a timetable such as "
                 "\"08:00,512k 19:00,10M 23:00,off\" (Mon-08:00,... for weekdays); off: none, 0 is refused")
      ->option_text("RATE|TIMETABLE");
  app.add_option("--tps-limit", g.tps_limit, "Requests per second at most, every kind and retries too")
      ->check(number_in(0.01, 1e6))
      ->option_text("N");
  app.add_option("--weight", g.weight,
                 "This job's share of the host's budget (MAX_WORKERS, bandwidth, request rate) against the other "
                 "jobs running at the same time (default 1, or WEIGHT of the STORAGE entry)")
      ->check(whole_number_in(1, 100))
      ->option_text("N");
  app.add_flag("--dry-run", g.dry_run, "Print what would be done; send no write");
  app.add_option_function<std::string>(
         "--output", [&g](const std::string& v) { g.output = v == "json" ? OutputFormat::json : OutputFormat::text; },
         "Output format: a text summary (default) or one JSON document")
      ->check(CLI::IsMember({"text", "json"}))
      ->option_text("text|json");
  app.add_option("--progress", g.progress, "Progress line: auto, always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->option_text("auto|always|never");
  app.add_option("--metrics-file", g.metrics_file, "Write Prometheus textfile metrics here")
      ->option_text("PATH");
  app.add_flag_function("-v,--verbose", [&g](std::int64_t n) { g.verbosity += int(n); },
                        "More output");
  app.add_flag_function("-q,--quiet", [&g](std::int64_t n) { g.verbosity -= int(n); },
                        "Less output");
  app.add_option("--lock-file", g.lock_file, "Lock file (default under /run/lock/)")
      ->option_text("PATH");
  app.add_option("--max-outage", g.max_outage,
                 "How long the endpoint may fail every request before the run stops (default 10m, 1s to 7d)")
      ->option_text("DURATION");
}

void add_scope_options(CLI::App* cmd, std::string& ns, std::optional<std::size_t>& max_depth) {
  cmd->add_option("--ns", ns, "Namespace to start from (a/b/c); default the root")
      ->option_text("NS");
  cmd->add_option("--max-depth", max_depth, "Namespace levels below --ns (0 = only --ns)")
      ->check(whole_number_in(0, 7))
      ->option_text("N");
}

void add_point_in_time(CLI::App* cmd, std::optional<std::string>& when) {
  cmd->add_option("--point-in-time", when,
                  "Remote: the bucket as it was at TIME, from object versions (2026-11-30T22:00:00Z, "
                  "'2026-11-30 22:00' local, @EPOCH, or 36h ago; not empty, not in the future)")
      ->option_text("TIME");
}

void add_key_options(CLI::App* cmd, std::string& passphrase_file, std::string& keyfile) {
  cmd->add_option("--passphrase-file", passphrase_file,
                  "Encrypted prefix: the passphrase of the key kept in the bucket (PASSPHRASE_FILE)")
      ->option_text("FILE");
  cmd->add_option("--keyfile", keyfile, "Encrypted prefix: a PBS key file (KEYFILE)")->option_text("FILE");
}

// A command line that does not parse: what is wrong, and the commands when the first word is none
// of them; under --output json the one JSON document too. --help and --version end here, exit 0.
int usage_error(CLI::App& app, const CLI::ParseError& e, int argc, char** argv) {
  if (e.get_exit_code() == 0) return app.exit(e);
  std::string message = in_command_line_order(e.what());
  // The first word that is not an option or an option's value is the command.
  static const std::set<std::string_view> takes_value{"--config", "-j", "--parallelism", "--bandwidth-limit", "--tps-limit",
                                                      "--output", "--progress", "--metrics-file", "--lock-file", "--weight",
                                                      "--max-outage"};
  std::string first;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--output=json" || (a == "--output" && i + 1 < argc && std::string_view(argv[i + 1]) == "json")) json = true;
    if (takes_value.count(a)) {
      ++i;
    } else if (first.empty() && !a.starts_with("-")) {
      first = a;
    }
  }
  std::string commands;
  bool known = first.empty();
  for (const auto* sub : app.get_subcommands({})) {
    commands += (commands.empty() ? "" : ", ") + sub->get_name();
    known = known || sub->get_name() == first;
  }
  if (!known) {
    message = "unknown command '" + first + "'; the commands are: " + commands + " (pbs-s3sync --help)";
  } else if (first.empty()) {
    message = "no command given; the commands are: " + commands + " (pbs-s3sync --help)";
  }
  fmt::print(stderr, "pbs-s3sync: {}\n", message);
  if (json) {
    nlohmann::ordered_json j{{"command", first},
                             {"exit-code", int(kExitUsage)},
                             {"error", {{"kind", "usage"}, {"message", message}}}};
    fmt::print("{}\n", j.dump(2));
  }
  return kExitUsage;
}

// What the command line parses into, and the exit code the command that ran returned.
struct Commands {
  GlobalOptions global;
  int code = kExitOk;
  SyncArgs sync;
  RestoreArgs restore;
  ExtractArgs extract;
  VerifyArgs verify;
  ListArgs list;
  KeyCommandArgs key_show, key_export;
  GcArgs gc;
  StatusArgs status, unlock;
  ConfigCheckArgs config_check;
};

void add_sync(CLI::App& app, Commands& c) {
  auto* sync_cmd = app.add_subcommand("sync", "Upload a datastore to S3 in PBS's own S3 layout");
  sync_cmd->add_option("DATASTORE", c.sync.datastore, "Datastore path or PBS datastore name")->option_text(" ");
  sync_cmd->add_option("TARGET", c.sync.target, "s3://bucket[/prefix] or a STORAGE id of the config")
      ->option_text(" ");
  sync_cmd->add_option("--mode", c.sync.mode, "incremental (default) or full (list and repair everything)")
      ->check(CLI::IsMember({"incremental", "full"}))
      ->option_text("incremental|full");
  add_scope_options(sync_cmd, c.sync.ns, c.sync.max_depth);
  sync_cmd->add_option("--group-filter", c.sync.group_filters,
                       "[include:|exclude:]type:vm | group:vm/100 | regex:RE (one per use, repeatable)")
      ->allow_extra_args(false)
      ->option_text("FILTER");
  sync_cmd->add_option("--transfer-last", c.sync.transfer_last, "Only the newest N snapshots per group")
      ->check(whole_number_in(1, 1000000))
      ->option_text("N");
  sync_cmd->add_flag("--encrypted-only", c.sync.encrypted_only, "Only encrypted snapshots");
  sync_cmd->add_flag("--verified-only", c.sync.verified_only, "Only snapshots whose last verify passed");
  sync_cmd->add_flag("--remove-vanished", c.sync.remove_vanished,
                     "Delete remote snapshots that are gone locally (manifest first)");
  sync_cmd->add_option("--max-delete", c.sync.max_delete, "Delete at most N snapshots per run; without it, more than half of the remote snapshots (or all) are never deleted")
      ->check(CLI::NonNegativeNumber)
      ->option_text("N");
  sync_cmd->add_flag("--if-due", c.sync.if_due, "Do nothing unless SYNC_INTERVAL has passed since the last success");
  sync_cmd->add_flag("--all", c.sync.all,
                     "Every datastore of datastore.cfg, each into its own prefix of TARGET, as parallel jobs sharing "
                     "the host's budget (then TARGET is the only argument)");
  sync_cmd->add_flag("--force-in-use", c.sync.force_in_use,
                     "Write even though the prefix holds PBS's .in-use marker");
  sync_cmd->add_flag("--take-over", c.sync.take_over,
                     "Write into a prefix another host or datastore synced to, and own it from now on");
  sync_cmd->add_option("--object-lock", c.sync.object_lock,
                       "Lock every object written (S3 Object Lock; the bucket must have it): OBJECT_LOCK")
      ->transform(CLI::IsMember({"GOVERNANCE", "COMPLIANCE", "OFF"}, CLI::ignore_case))
      ->option_text("GOVERNANCE|COMPLIANCE|off");
  sync_cmd->add_option("--object-lock-days", c.sync.object_lock_days,
                       "Days each object stays locked, extended while snapshots need it: OBJECT_LOCK_DAYS")
      ->check(whole_number_in(1, 36500))
      ->option_text("N");
  sync_cmd->add_flag("--encrypt", c.sync.encrypt,
                     "Encrypt plain snapshots on the way up, in PBS's own format (ENCRYPTION=true)");
  add_key_options(sync_cmd, c.sync.key.passphrase_file, c.sync.key.keyfile);
  sync_cmd->callback([&c] {
    c.global.command = "sync";
    c.code = command_sync(c.sync, c.global);
  });
}

// Chunks in an archive class are asked for with these (RestoreObject).
void add_thaw_options(CLI::App* cmd, ThawArgs& thaw) {
  cmd->add_option("--restore-tier", thaw.tier,
                  "Archived chunks (GLACIER, DEEP_ARCHIVE) are asked for at this retrieval tier (default standard)")
      ->transform(CLI::IsMember({"bulk", "standard", "expedited"}, CLI::ignore_case))
      ->option_text("bulk|standard|expedited");
  cmd->add_option("--restore-days", thaw.days, "Days the provider keeps the readable copies of archived chunks (default 7)")
      ->check(whole_number_in(1, 365))
      ->option_text("N");
  cmd->add_flag("--request-only", thaw.request_only,
                "Ask for the archived chunks needed and end; the same command run once they are readable "
                "fetches them");
}

void add_restore(CLI::App& app, Commands& c) {
  auto* restore_cmd = app.add_subcommand("restore", "Restore snapshots from S3 into a datastore PBS accepts");
  restore_cmd->add_option("TARGET", c.restore.target, "s3://bucket[/prefix] or a STORAGE id")
      ->required()->option_text(" ");
  restore_cmd->add_option("DATASTORE", c.restore.datastore, "Datastore directory (created when absent)")
      ->required()->option_text(" ");
  add_scope_options(restore_cmd, c.restore.ns, c.restore.max_depth);
  restore_cmd->add_option("--group", c.restore.group, "Only this group, e.g. vm/100")
      ->option_text("TYPE/ID");
  restore_cmd->add_option("--snapshot", c.restore.snapshot, "Only this snapshot, e.g. vm/100/2026-11-01T02:00:00Z")
      ->option_text("TYPE/ID/TIME");
  restore_cmd->add_flag("--latest", c.restore.latest, "Only the newest complete snapshot of each group");
  add_point_in_time(restore_cmd, c.restore.point_in_time);
  restore_cmd->add_flag("--decrypt", c.restore.decrypt,
                        "Encrypted prefix: write the plain originals back (default: as stored, PBS reads them "
                        "with the key)");
  add_key_options(restore_cmd, c.restore.key.passphrase_file, c.restore.key.keyfile);
  add_thaw_options(restore_cmd, c.restore.thaw);
  restore_cmd->callback([&c] {
    c.global.command = "restore";
    c.code = command_restore(c.restore, c.global);
  });
}

void add_extract(CLI::App& app, Commands& c) {
  auto* cmd = app.add_subcommand("extract", "One archive of one snapshot straight from S3, no PBS needed: a VM disk "
                                            "as a raw image, a pxar stream, a decoded blob");
  cmd->add_option("TARGET", c.extract.target, "s3://bucket[/prefix] or a STORAGE id")->required()->option_text(" ");
  cmd->add_option("SNAPSHOT", c.extract.snapshot, "TYPE/ID/TIME, or TYPE/ID/latest (vm/100/latest)")
      ->required()->option_text(" ");
  cmd->add_option("ARCHIVE", c.extract.archive, "drive-scsi0.img, root.pxar, qemu-server.conf (suffix optional)")
      ->required()->option_text(" ");
  cmd->add_option("OUTPUT", c.extract.output, "A file (written sparse), a block device, or - for standard output")
      ->required()->option_text(" ");
  cmd->add_option("--ns", c.extract.ns, "The snapshot's namespace (a/b/c); default the root")->option_text("NS");
  add_point_in_time(cmd, c.extract.point_in_time);
  cmd->add_flag("--force", c.extract.force, "Replace an existing OUTPUT file, or write over a block device");
  cmd->add_flag("--zeroed-device", c.extract.zeroed_device,
                "OUTPUT is a device that reads as zeros (new thin volume): zero regions are not written");
  add_key_options(cmd, c.extract.key.passphrase_file, c.extract.key.keyfile);
  add_thaw_options(cmd, c.extract.thaw);
  cmd->callback([&c] {
    c.global.command = "extract";
    c.code = command_extract(c.extract, c.global);
  });
}

void add_verify(CLI::App& app, Commands& c) {
  auto* verify_cmd = app.add_subcommand(
      "verify", "Check every snapshot: a local DATASTORE deeply, or a remote TARGET complete");
  verify_cmd->add_option("SOURCE", c.verify.source, "Datastore path, or s3://bucket/prefix or STORAGE id")
      ->required()->option_text(" ");
  add_scope_options(verify_cmd, c.verify.ns, c.verify.max_depth);
  add_point_in_time(verify_cmd, c.verify.point_in_time);
  verify_cmd->add_flag("--deep", c.verify.deep, "Remote: also download chunks and check them");
  verify_cmd->add_option("--sample", c.verify.sample, "With --deep: percent of the chunks to download")
      ->check(number_in(0, 100))
      ->option_text("PCT");
  add_key_options(verify_cmd, c.verify.key.passphrase_file, c.verify.key.keyfile);
  add_thaw_options(verify_cmd, c.verify.thaw);
  verify_cmd->callback([&c] {
    c.global.command = "verify";
    c.code = command_verify(c.verify, c.global);
  });
}

void add_list(CLI::App& app, Commands& c) {
  auto* list_cmd =
      app.add_subcommand("list", "Namespaces, groups, snapshots and sizes of a DATASTORE or a TARGET");
  list_cmd->add_option("SOURCE", c.list.source, "Datastore path, or s3://bucket/prefix or STORAGE id")
      ->required()->option_text(" ");
  add_scope_options(list_cmd, c.list.ns, c.list.max_depth);
  add_point_in_time(list_cmd, c.list.point_in_time);
  list_cmd->add_option("--snapshot", c.list.snapshot,
                       "Remote: the archives of this snapshot with their sizes (TYPE/ID/TIME or TYPE/ID/latest)")
      ->option_text("TYPE/ID/TIME");
  list_cmd->callback([&c] {
    c.global.command = "list";
    c.code = command_list(c.list, c.global);
  });
}

void add_key(CLI::App& app, Commands& c) {
  auto* key_cmd = app.add_subcommand("key", "The encryption key of an encrypted TARGET");
  key_cmd->require_subcommand(1);
  auto* show_cmd = key_cmd->add_subcommand("show", "Print the key's fingerprint");
  show_cmd->add_option("TARGET", c.key_show.target, "s3://bucket[/prefix] or a STORAGE id")->option_text(" ");
  add_key_options(show_cmd, c.key_show.key.passphrase_file, c.key_show.key.keyfile);
  show_cmd->callback([&c] {
    c.global.command = "key show";
    c.code = command_key_show(c.key_show, c.global);
  });
  auto* export_cmd = key_cmd->add_subcommand(
      "export", "Print the key as a PBS key file (proxmox-backup-client --keyfile, or a PBS sync key with --kdf none)");
  export_cmd->add_option("TARGET", c.key_export.target, "s3://bucket[/prefix] or a STORAGE id")->option_text(" ");
  add_key_options(export_cmd, c.key_export.key.passphrase_file, c.key_export.key.keyfile);
  export_cmd->add_option("--kdf", c.key_export.kdf,
                         "scrypt: protected by the passphrase (default); none: unprotected (keep it 0600)")
      ->check(CLI::IsMember({"none", "scrypt"}))
      ->option_text("none|scrypt");
  export_cmd->callback([&c] {
    c.global.command = "key export";
    c.code = command_key_export(c.key_export, c.global);
  });
}

void add_gc(CLI::App& app, Commands& c) {
  auto* gc_cmd = app.add_subcommand("gc", "Delete remote chunks no complete remote snapshot references");
  gc_cmd->add_option("TARGET", c.gc.target, "s3://bucket[/prefix] or a STORAGE id")->option_text(" ");
  gc_cmd->add_option("--grace", c.gc.grace, "Keep unreferenced chunks younger than this (default 24h5m)")
      ->option_text("DURATION");
  gc_cmd->callback([&c] {
    c.global.command = "gc";
    c.code = command_gc(c.gc, c.global);
  });
}

void add_status(CLI::App& app, Commands& c) {
  auto* status_cmd = app.add_subcommand("status", "Lock holder, last run, overdue check");
  status_cmd->add_option("DATASTORE", c.status.datastore, "Datastore path or name (default: every job)")
      ->option_text(" ");
  status_cmd->add_option("TARGET", c.status.target, "s3://bucket[/prefix] or a STORAGE id")->option_text(" ");
  status_cmd->add_flag("--check", c.status.check,
                       "Exit 1 when the last success is older than 2 x SYNC_INTERVAL (monitoring)");
  status_cmd->callback([&c] {
    c.global.command = "status";
    c.code = command_status(c.status, c.global);
  });

  auto* unlock_cmd = app.add_subcommand("unlock", "Clear the lock record left by a dead run");
  unlock_cmd->add_option("DATASTORE", c.unlock.datastore, "Datastore path or name")->option_text(" ");
  unlock_cmd->add_option("TARGET", c.unlock.target, "s3://bucket[/prefix] or a STORAGE id")->option_text(" ");
  unlock_cmd->add_flag("--force", c.unlock.force, "Clear it (never touches a live run's lock)");
  unlock_cmd->callback([&c] {
    c.global.command = "unlock";
    c.code = command_unlock(c.unlock, c.global);
  });
}

void add_config(CLI::App& app, Commands& c) {
  auto* config = app.add_subcommand("config", "Configuration tools");
  config->require_subcommand(1);
  auto* check_cmd = config->add_subcommand("check", "Parse the config, resolve credentials, probe the bucket");
  check_cmd->add_option("TARGET", c.config_check.target, "s3://bucket[/prefix] or a STORAGE id")
      ->option_text(" ");
  check_cmd->add_option("--datastore", c.config_check.datastore, "Datastore (for the default prefix)")
      ->option_text("DATASTORE");
  check_cmd->callback([&c] {
    c.global.command = "config check";
    c.code = command_config_check(c.config_check, c.global);
  });
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{"pbs-s3sync: mirror a Proxmox Backup Server datastore to S3 and back"};
  app.set_version_flag("--version", std::string("pbs-s3sync ") + PBS_S3SYNC_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  Commands c;
  add_global_options(app, c.global);
  for (int i = 0; i < argc; ++i) c.global.command_line += (i ? " " : "") + std::string(argv[i]);
  for (auto add : {add_sync, add_restore, add_extract, add_verify, add_list, add_key, add_gc, add_status, add_config}) add(app, c);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return usage_error(app, e, argc, argv);
  }
  return c.code;
}

}  // namespace pbs::cli
