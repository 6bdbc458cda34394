#pragma once
// Gets one chunk into the bucket. Without a listing to go by it asks with HEAD first; then a PUT
// with If-None-Match (412: another run stored it meanwhile). The chunk file is checked (magic,
// CRC) on the hasher threads right before it is sent: a damaged, empty, missing or unreadable
// chunk file is never sent. A provider answering 501 to conditional PUT is noticed on the first
// chunk; that chunk and the rest go without the header.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "datastore/datastore.h"
#include "push/object_puts.h"
#include "push/sync_summary.h"
#include "remote/remote.h"
#include "run/run_stop.h"
#include "transfer/request_interface.h"

namespace pbs::push {

struct ChunkOutcome {
  enum class Kind {
    uploaded,         // sent by this run
    present,          // stored already (HEAD 200 or PUT 412)
    missing_locally,  // the chunk file is gone (the snapshot may have been pruned)
    local_fault,      // damaged or unreadable here: never sent
    remote_error,     // the request failed
    abandoned,        // the run is stopping: the next request it needed was not started
  };
  Kind kind = Kind::uploaded;
  std::uint64_t bytes = 0;                    // uploaded
  std::optional<std::int64_t> last_modified;  // present, when HEAD said
  bool damaged = false;                       // local_fault: the file failed its check
  run::ObjectError error;                          // local_fault, remote_error
};

class ChunkUploader {
 public:
  ChunkUploader(transfer::RequestInterface& requests, const remote::Remote& remote, const datastore::Datastore& store,
                PutSettings& settings, run::RunStop& stop, SyncSummary& summary);

  // `head_first`: ask before sending. `conditional`: the PUT may use If-None-Match (a repair
  // overwrites on purpose).
  void upload(const Digest& digest, bool head_first, bool conditional, std::function<void(ChunkOutcome)> done);

 private:
  void put(const Digest& digest, bool conditional, std::function<void(ChunkOutcome)> done);

  transfer::RequestInterface& requests_;
  const remote::Remote& remote_;
  const datastore::Datastore& store_;
  PutSettings& settings_;
  run::RunStop& stop_;
  SyncSummary& summary_;
};

}  // namespace pbs::push
