#pragma once
// One function per command: takes parsed options, calls lib/, prints, returns the exit code.

#include <optional>
#include <string>
#include <vector>

#include "cli.h"
#include "util/result.h"

namespace pbs::cli {

// The key of an encrypted prefix (sync/prefix_key.h); empty: PASSPHRASE_FILE / KEYFILE of the
// STORAGE entry.
struct KeyArgs {
  std::string passphrase_file;
  std::string keyfile;
};

struct ListArgs {
  std::string snapshot;  // remote: this snapshot's archives (TYPE/ID/TIME or TYPE/ID/latest)
  std::string source;  // datastore path (remote targets come with the remote issue)
  std::string ns;
  std::optional<std::size_t> max_depth;
  std::optional<std::string> point_in_time;  // remote only: the bucket as it was then (given empty: refused)
};
int command_list(const ListArgs& args, const GlobalOptions& global);

// Chunks in an archive class (GLACIER, DEEP_ARCHIVE): how to ask for them.
struct ThawArgs {
  std::string tier;                 // --restore-tier bulk|standard|expedited
  std::optional<unsigned> days;     // --restore-days N
  bool request_only = false;        // --request-only
  bool given() const { return !tier.empty() || days || request_only; }
};

struct VerifyArgs {
  ThawArgs thaw;  // --deep: archived chunks
  std::string source;
  std::string ns;
  std::optional<std::size_t> max_depth;
  bool deep = false;
  double sample = 100;
  std::optional<std::string> point_in_time;
  KeyArgs key;  // an encrypted prefix: check signatures, and with --deep decrypt chunks
};
int command_verify(const VerifyArgs& args, const GlobalOptions& global);

struct SyncArgs {
  std::string datastore;
  std::string target;
  std::string mode = "incremental";
  std::string ns;
  std::optional<std::size_t> max_depth;
  std::vector<std::string> group_filters;
  std::optional<unsigned> transfer_last;
  bool encrypted_only = false;
  bool verified_only = false;
  bool remove_vanished = false;
  std::optional<std::size_t> max_delete;
  bool if_due = false;
  bool all = false;  // --all: every datastore of datastore.cfg, in parallel
  bool force_in_use = false;
  bool take_over = false;
  std::string object_lock;  // overrides OBJECT_LOCK
  unsigned object_lock_days = 0;
  bool encrypt = false;     // or ENCRYPTION=true
  KeyArgs key;
};
int command_sync(const SyncArgs& args, const GlobalOptions& global);


struct RestoreArgs {
  std::string target;
  std::string datastore;
  std::string ns;
  std::optional<std::size_t> max_depth;
  std::string group;
  std::string snapshot;
  bool latest = false;
  std::optional<std::string> point_in_time;
  bool decrypt = false;  // write the plain originals back
  KeyArgs key;
  ThawArgs thaw;
};
int command_restore(const RestoreArgs& args, const GlobalOptions& global);

struct ExtractArgs {
  ThawArgs thaw;
  std::string target;
  std::string snapshot;  // TYPE/ID/TIME or TYPE/ID/latest
  std::string archive;
  std::string output;  // a file, a block device, or "-"
  std::string ns;
  std::optional<std::string> point_in_time;
  bool force = false;
  bool zeroed_device = false;
  KeyArgs key;
};
int command_extract(const ExtractArgs& args, const GlobalOptions& global);

struct KeyCommandArgs {
  std::string target;
  KeyArgs key;
  std::string kdf = "scrypt";  // export: none | scrypt
};
int command_key_show(const KeyCommandArgs& args, const GlobalOptions& global);
int command_key_export(const KeyCommandArgs& args, const GlobalOptions& global);

struct GcArgs {
  std::string target;
  std::string grace;
};
int command_gc(const GcArgs& args, const GlobalOptions& global);

struct StatusArgs {
  std::string datastore;
  std::string target;
  bool check = false;
  bool force = false;  // unlock
};
int command_status(const StatusArgs& args, const GlobalOptions& global);
int command_unlock(const StatusArgs& args, const GlobalOptions& global);

struct ConfigCheckArgs {
  std::string target;
  std::string datastore;
};
int command_config_check(const ConfigCheckArgs& args, const GlobalOptions& global);

}  // namespace pbs::cli
