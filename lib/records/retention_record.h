#pragma once
// The record `<prefix>/.pbs-s3sync/retention`: up to when (`covered-until`) every object of every
// complete remote snapshot is locked, in which mode and for how many days, and when the last
// extension pass ran (retention/retention_pass.h keeps it true).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "remote/remote.h"
#include "s3/request.h"
#include "transfer/request_interface.h"
#include "util/result.h"

namespace pbs::records {

struct RetentionRecord {
  std::string mode;
  unsigned days = 0;
  std::int64_t covered_until = 0;
  std::int64_t extended_at = 0;  // when the last pass ran (0: never: the prefix was empty)
};
Result<RetentionRecord> parse_retention_record(std::string_view text);
std::string format_retention_record(const RetentionRecord& record);
// nullopt when there is none, or it does not parse (a pass makes it good again).
Result<std::optional<RetentionRecord>> read_retention_record(transfer::RequestInterface& requests,
                                                             const remote::Remote& remote);
// Written locked itself (`retention`), so that deleting it cannot end what it says.
Status write_retention_record(transfer::RequestInterface& requests, const remote::Remote& remote,
                              const RetentionRecord& record, const s3::Retention& retention);

}  // namespace pbs::records
