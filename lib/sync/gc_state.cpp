#include "sync/gc_state.h"

#include <ctime>
#include <nlohmann/json.hpp>

#include "transfer/retry_policy.h"

namespace pbs::sync {

std::int64_t server_time(const s3::Response& response) {
  if (auto d = response.header("date")) {
    if (auto t = transfer::parse_http_date(*d)) return *t;
  }
  return std::int64_t(std::time(nullptr));
}

Result<std::optional<GcState>> read_gc_state(transfer::Engine& engine, const Remote& remote) {
  PBS_ASSIGN(auto r, engine.execute(s3::get_object(remote.bucket, remote.key(kGcStateKey))));
  if (r.status == 404) return std::optional<GcState>{};
  auto j = nlohmann::json::parse(r.body_text(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Error(Errc::corrupt, remote.key(kGcStateKey) + ": not a gc state document");
  }
  GcState s;
  s.running = j.value("running", false);
  s.host = j.value("host", "");
  s.pid = j.value("pid", std::int64_t(0));
  s.started = j.value("started", std::int64_t(0));
  s.finished = j.value("finished", std::int64_t(0));
  s.lease_expires = j.value("lease-expires", std::int64_t(0));
  return std::optional<GcState>(s);
}

Result<std::int64_t> write_gc_state(transfer::Engine& engine, const Remote& remote, const GcState& s) {
  nlohmann::json j = {{"running", s.running}, {"host", s.host}, {"pid", s.pid}, {"started", s.started},
                      {"finished", s.finished}, {"lease-expires", s.lease_expires}};
  std::string text = j.dump();
  auto body = std::make_shared<const std::vector<std::uint8_t>>(text.begin(), text.end());
  PBS_ASSIGN(auto r, engine.execute(s3::put_object(remote.bucket, remote.key(kGcStateKey), body)));
  return server_time(r);
}

}  // namespace pbs::sync
