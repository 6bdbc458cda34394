#include "records/source_record.h"

#include <nlohmann/json.hpp>

#include "records/record_io.h"
#include "records/record_keys.h"
#include "util/json_fields.h"

namespace pbs::records {

Result<SourceRecord> parse_source_record(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  auto bad = [] { return Error(Errc::corrupt, std::string(kSourceKey) + ": not a source record"); };
  if (j.is_discarded() || !j.is_object()) return bad();
  SourceRecord r;
  bool ok = json_string(j, "host", r.host, true) && json_string(j, "datastore", r.datastore, true) &&
            json_int(j, "since", r.since) && json_string(j, "taken-over-from", r.taken_over_from);
  if (!ok) return bad();
  return r;
}

std::string format_source_record(const SourceRecord& r) {
  nlohmann::json j = {{"host", r.host}, {"datastore", r.datastore}, {"since", r.since}};
  if (!r.taken_over_from.empty()) j["taken-over-from"] = r.taken_over_from;
  return j.dump();
}

Result<SourceRead> read_source_record(transfer::RequestInterface& requests, const remote::Remote& remote) {
  PBS_ASSIGN(RecordRead read, read_record(requests, remote, kSourceKey));
  SourceRead out;
  out.server_time = read.server_time;
  if (read.text) {
    auto parsed = parse_source_record(*read.text);
    if (parsed) {
      out.recorded = std::optional(std::move(*parsed));
    } else {
      out.recorded = std::move(parsed).error();
    }
  }
  return out;
}

Status write_source_record(transfer::RequestInterface& requests, const remote::Remote& remote,
                           const SourceRecord& record, const s3::PutOptions& options) {
  PBS_TRY(write_record(requests, remote, kSourceKey, format_source_record(record), options));
  return {};
}

}  // namespace pbs::records
