#include "records/gc_state.h"

#include <nlohmann/json.hpp>

#include "records/record_io.h"
#include "util/json_fields.h"

namespace pbs::records {

Result<GcState> parse_gc_state(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  auto bad = [&] { return Error(Errc::corrupt, std::string(kGcStateKey) + ": not a gc state document"); };
  if (j.is_discarded() || !j.is_object()) return bad();
  GcState s;
  bool ok = json_bool(j, "running", s.running) && json_string(j, "host", s.host) && json_int(j, "pid", s.pid) &&
            json_int(j, "started", s.started) && json_int(j, "finished", s.finished) &&
            json_int(j, "lease-expires", s.lease_expires);
  if (!ok) return bad();
  return s;
}

std::string format_gc_state(const GcState& s) {
  nlohmann::json j = {{"running", s.running}, {"host", s.host}, {"pid", s.pid}, {"started", s.started},
                      {"finished", s.finished}, {"lease-expires", s.lease_expires}};
  return j.dump();
}

Result<std::optional<GcState>> read_gc_state(transfer::RequestInterface& requests, const remote::Remote& remote) {
  PBS_ASSIGN(RecordRead read, read_record(requests, remote, kGcStateKey));
  if (!read.text) return std::optional<GcState>{};
  PBS_ASSIGN(GcState s, parse_gc_state(*read.text));
  return std::optional<GcState>(std::move(s));
}

Result<std::int64_t> write_gc_state(transfer::RequestInterface& requests, const remote::Remote& remote, const GcState& s) {
  return write_record(requests, remote, kGcStateKey, format_gc_state(s));
}

}  // namespace pbs::records
