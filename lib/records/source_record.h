#pragma once
// The record `<prefix>/.pbs-s3sync/source`: which source datastore (host and datastore name) a
// prefix belongs to, and since when (push/prefix_claim.h decides what a sync may do with it).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "remote/remote.h"
#include "transfer/request_interface.h"
#include "util/result.h"

namespace pbs::records {

struct SourceRecord {
  std::string host;
  std::string datastore;      // the datastore's name
  std::int64_t since = 0;     // server time from which this source owns the prefix (0: always)
  std::string taken_over_from;  // "datastore on host" of the previous owner, after a takeover

  bool same_source(const SourceRecord& o) const { return host == o.host && datastore == o.datastore; }
  std::string describe() const { return "datastore '" + datastore + "' on host '" + host + "'"; }
};

// Errc::corrupt when the text is not a source record.
Result<SourceRecord> parse_source_record(std::string_view text);
std::string format_source_record(const SourceRecord& record);

// What the prefix holds: nullopt when no record; an error (Errc::corrupt) inside the value when
// there is one that does not parse (a takeover may still replace it). `server_time`: the
// server's clock when it answered.
struct SourceRead {
  Result<std::optional<SourceRecord>> recorded = std::optional<SourceRecord>{};
  std::int64_t server_time = 0;
};
Result<SourceRead> read_source_record(transfer::RequestInterface& requests, const remote::Remote& remote);
Status write_source_record(transfer::RequestInterface& requests, const remote::Remote& remote,
                           const SourceRecord& record, const s3::PutOptions& options);

}  // namespace pbs::records
