#pragma once
// The remote object `<prefix>/.pbs-s3sync/gc-state` that lets gc and sync on other hosts see each
// other: gc writes it when it starts (running, with a lease) and when it ends (finished time).
// Times are the server's (its Date header), so host clocks do not matter. gc and sync read it
// with the same parser; a document that does not parse says nothing trustworthy about a gc, so
// neither takes it as a lease: gc goes ahead and writes a good one, sync checks everything again.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "records/record_keys.h"
#include "remote/remote.h"
#include "transfer/request_interface.h"

namespace pbs::records {

struct GcState {
  bool running = false;
  std::string host;
  std::int64_t pid = 0;
  std::int64_t started = 0;
  std::int64_t finished = 0;
  std::int64_t lease_expires = 0;

  // A gc holds the lease at `now` (server time).
  bool holds_lease(std::int64_t now) const { return running && lease_expires > now; }
};

// Errc::corrupt when the text is not a gc state document.
Result<GcState> parse_gc_state(std::string_view text);
std::string format_gc_state(const GcState& state);

// nullopt when no gc ever ran on the prefix; Errc::corrupt when the object does not parse.
Result<std::optional<GcState>> read_gc_state(transfer::RequestInterface& requests, const remote::Remote& remote);
// Writes it and returns the server's time of the write.
Result<std::int64_t> write_gc_state(transfer::RequestInterface& requests, const remote::Remote& remote,
                                    const GcState& state);

}  // namespace pbs::records
