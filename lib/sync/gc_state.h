#pragma once
// The remote object `<prefix>/.pbs-s3sync/gc-state` that lets gc and sync on other hosts see each
// other: gc writes it when it starts (running, with a lease) and when it ends (finished time).
// Times are the server's (its Date header), so host clocks do not matter.

#include <cstdint>
#include <optional>
#include <string>

#include "sync/sync_executor.h"
#include "transfer/engine.h"

namespace pbs::sync {

inline constexpr std::string_view kGcStateKey = ".pbs-s3sync/gc-state";

struct GcState {
  bool running = false;
  std::string host;
  std::int64_t pid = 0;
  std::int64_t started = 0;
  std::int64_t finished = 0;
  std::int64_t lease_expires = 0;
};

// nullopt when no gc ever ran on the prefix.
Result<std::optional<GcState>> read_gc_state(transfer::Engine& engine, const Remote& remote);
// Writes it and returns the server's time of the write.
Result<std::int64_t> write_gc_state(transfer::Engine& engine, const Remote& remote, const GcState& state);

// The server's clock from a response (Date header), else the local clock.
std::int64_t server_time(const s3::Response& response);

}  // namespace pbs::sync
