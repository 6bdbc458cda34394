#pragma once
// Reading and writing one of the tool's small records in the bucket (record_keys.h): one GET or
// PUT, bounded in size (a bucket's objects are untrusted), with the server's clock of the answer,
// which the records use instead of the host's.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "remote/remote.h"
#include "s3/request.h"
#include "transfer/prefetched_reads.h"
#include "transfer/request_interface.h"
#include "util/result.h"

namespace pbs::records {

// No record of ours is larger; a larger object is refused before it is read.
inline constexpr std::uint64_t kMaxRecordSize = std::uint64_t(1) << 20;

struct RecordRead {
  std::optional<std::string> text;  // nullopt: no such object
  std::int64_t server_time = 0;     // the server's clock when it answered (else the local one)
};

// `rel` relative to the prefix; the current version, or `version_id` when one is given.
Result<RecordRead> read_record(transfer::RequestInterface& requests, const remote::Remote& remote,
                               std::string_view rel, const std::string& version_id = "",
                               std::uint64_t max_size = kMaxRecordSize);

// The same without waiting: `done` is called from within requests.run_until().
void submit_record_read(transfer::RequestInterface& requests, const remote::Remote& remote, std::string_view rel,
                        std::function<void(Result<RecordRead>)> done);

// Sends the current version's read now; read_record() of the same `rel` takes its answer.
void prefetch_record(transfer::PrefetchedReads& requests, const remote::Remote& remote, std::string_view rel,
                     std::uint64_t max_size = kMaxRecordSize);

// Writes `text` as application/json; returns the server's time of the write.
Result<std::int64_t> write_record(transfer::RequestInterface& requests, const remote::Remote& remote,
                                  std::string_view rel, std::string_view text, s3::PutOptions options = {});

}  // namespace pbs::records
