#include "records/retention_record.h"

#include <nlohmann/json.hpp>

#include "records/record_io.h"
#include "records/record_keys.h"
#include "util/json_fields.h"

namespace pbs::records {

Result<RetentionRecord> parse_retention_record(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  auto bad = [&] { return Error(Errc::corrupt, std::string(kRetentionKey) + ": not a retention record"); };
  if (j.is_discarded() || !j.is_object()) return bad();
  RetentionRecord r;
  std::int64_t days = 0;
  bool ok = json_string(j, "mode", r.mode, true) && json_int(j, "days", days) &&
            json_int(j, "covered-until", r.covered_until) && json_int(j, "extended-at", r.extended_at);
  if (!ok || days < 1 || days > 36500 || r.covered_until <= 0) return bad();
  r.days = unsigned(days);
  return r;
}

std::string format_retention_record(const RetentionRecord& r) {
  nlohmann::json j = {{"mode", r.mode}, {"days", r.days}, {"covered-until", r.covered_until},
                      {"extended-at", r.extended_at}};
  return j.dump();
}

Result<std::optional<RetentionRecord>> read_retention_record(transfer::RequestInterface& requests,
                                                             const remote::Remote& remote) {
  PBS_ASSIGN(RecordRead read, read_record(requests, remote, kRetentionKey));
  if (!read.text) return std::optional<RetentionRecord>{};
  auto rec = parse_retention_record(*read.text);
  if (!rec) return std::optional<RetentionRecord>{};
  return std::optional<RetentionRecord>(std::move(*rec));
}

Status write_retention_record(transfer::RequestInterface& requests, const remote::Remote& remote,
                              const RetentionRecord& record, const s3::Retention& retention) {
  s3::PutOptions o;
  o.retention = retention;
  PBS_TRY(write_record(requests, remote, kRetentionKey, format_retention_record(record), o));
  return {};
}

}  // namespace pbs::records
