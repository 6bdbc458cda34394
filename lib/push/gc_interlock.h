#pragma once
// sync's half of the gc interlock (gc_job.h has gc's half). A chunk this run finds stored but did
// not upload, and that no complete remote snapshot references, may be deleted by a gc on another
// host before the manifest that needs it is written. Two guards:
// - every such chunk older than 12 h is touched (a server-side copy onto itself, no data sent),
//   so gc's grace period (24h05m by default) protects it until the manifest is written;
// - before a manifest, gc-state is read (before the first, again after new reuse, and at least
//   every minute): a running gc leaves the snapshot for the next run; a gc that finished during
//   this run (or a touch that failed, or a gc-state that does not parse) makes every object the
//   manifest names be checked again with HEAD and sent again when it is gone.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "datastore/digest_set.h"
#include "push/object_puts.h"
#include "push/sync_summary.h"
#include "records/record_io.h"
#include "remote/remote.h"
#include "run/run_stop.h"
#include "transfer/request_interface.h"

namespace pbs::push {

class GcInterlock {
 public:
  enum class Gate {
    open,     // the manifest may go up now
    wait,     // a gc-state read or a touch is in flight
    recheck,  // check the snapshot's objects again first (recheck()), then it may go up
    closed,   // a gc is running (or gc-state unreadable): leave the snapshot; see closed_reason()
  };
  struct RecheckItem {
    std::string key_rel;
    std::string path;               // the local file to send again when the object is gone
    std::optional<Digest> chunk;    // set for a chunk
    bool sealed = false;            // a chunk of an encrypted view: `path` is its plain file
  };
  // The outcome of one item: nullopt when present or sent again; `missing_locally` when the local
  // file is gone too.
  using RecheckDone = std::function<void(std::optional<run::ObjectError> error, bool missing_locally)>;

  // `wake` is called when an answer may have changed a gate.
  GcInterlock(transfer::RequestInterface& requests, const remote::Remote& remote, const PutSettings& settings,
              run::RunStop& stop, SyncSummary& summary, std::function<void()> wake);

  // Chunk `d` is stored remotely, this run did not upload it, and no complete snapshot proves it.
  void reused(const Digest& d, std::optional<std::int64_t> last_modified);
  bool is_reused(const Digest& d) const { return reused_.contains(d); }
  Gate gate();
  const std::string& closed_reason() const { return closed_reason_; }
  // HEADs every item and sends again those that are gone; `done` once per item.
  void recheck(const std::vector<RecheckItem>& items, const RecheckDone& done);

 private:
  void touch(const Digest& d);
  void read_state();
  void on_state(const Result<records::RecordRead>& r, std::uint64_t serial);
  void close(std::string why);
  void set_recheck(const std::string& why);

  transfer::RequestInterface& requests_;
  const remote::Remote& remote_;
  const PutSettings& settings_;
  run::RunStop& stop_;
  SyncSummary& summary_;
  std::function<void()> wake_;
  std::int64_t run_start_;  // server time
  datastore::DigestSet reused_;
  datastore::DigestSet touched_;
  std::uint64_t reuse_serial_ = 0;  // bumped at each new reuse
  std::uint64_t clear_serial_ = 0;  // reuse_serial_ when gc-state was last read and clear
  std::chrono::steady_clock::time_point read_at_{};
  // What gc-state said last: nothing yet; no gc since the run began; a gc ran (or a touch failed),
  // so objects are checked again; a gc is running or gc-state is unreadable (closed_reason_).
  enum class State { unknown, clear, recheck, closed } state_ = State::unknown;
  bool reading_ = false;
  std::size_t touches_pending_ = 0;
  bool touch_failed_ = false;
  std::string closed_reason_;
};

}  // namespace pbs::push
