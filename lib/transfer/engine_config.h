#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "s3/endpoint.h"
#include "s3/sigv4.h"
#include "transfer/endpoint_health.h"
#include "transfer/host_budget.h"
#include "util/bandwidth.h"

namespace pbs::transfer {

struct EngineConfig {
  s3::Endpoint endpoint;
  s3::Credentials credentials;
  unsigned parallelism = 8;          // easy handles / requests in flight at most: the ceiling
  unsigned initial_parallelism = 0;  // below the ceiling: start here and grow while it pays; 0: fixed
  HealthConfig health;               // outage and per-request budgets (endpoint_health.h)
  double backoff_base_seconds = 0.2;
  double backoff_cap_seconds = 20.0;
  double retry_after_cap_seconds = 120.0;
  BandwidthSchedule bandwidth;        // uploads and downloads together; default: none
  double requests_per_second = 0;     // every attempt counts; 0: no cap
  long connect_timeout_seconds = 10;
  long stall_seconds = 60;           // a transfer moving no byte for this long is retried
  unsigned hash_threads = 2;         // SHA-256 of bodies, off the event loop
  std::uint64_t inline_hash_limit = 64 * 1024;  // smaller memory bodies are hashed in place
  std::string user_agent = "pbs-s3sync";
  std::int64_t clock_offset_seconds = 0;  // added to the local clock when signing (tests: skew)
  // The host's budget shared with the other jobs (host_budget.h): requests in flight, bytes and
  // requests per second are this job's share of it. Null: the limits above are this job's own.
  std::shared_ptr<HostBudget> budget;
  // An interrupt (SIGINT, SIGTERM: cmd/interrupt.h), polled at least once a second. Once true
  // nothing waits for the endpoint: requests not yet sent, or waiting for a retry or an outage's
  // next probe, end at once with Errc::interrupted; a failed attempt is not retried; what is in
  // flight has `interrupt_grace_seconds` to finish and is abandoned then. Requests submitted after
  // it (a run's closing records) get one attempt within that grace.
  std::function<bool()> interrupted;
  double interrupt_grace_seconds = 3.0;
  // Hedging: a request that has had no answer for `hedge_factor` times the latency its kind
  // usually has (latency_tracker.h), and no byte move for `hedge_floor_seconds`, is sent again on a fresh
  // connection, and the first answer wins. Only what is harmless to send twice, as a retry after a
  // lost answer would: reads, and PUTs (the same body under the same key; in a versioned bucket the
  // loser may leave one more version of it); never an answer streamed to a file. A hedge is a
  // request in flight (the window and the host's budget count it); an attempt that only waits,
  // half as late as a hedge needs and with no byte moving, leaves its slot in the window to one
  // that moves bytes (at most two windows' worth stand aside), hedges included. At most half the
  // window are hedges moving bytes at once, a request gets four at most (each after the one before
  // it is slow in its turn), and a run spends at most `hedge_share` of its requests (plus 8) on
  // them: a night where a provider answers one request in six late costs at most that many more
  // requests, never a night of waiting.
  // PUT bodies sent with x-amz-content-sha256: UNSIGNED-PAYLOAD, as the AWS SDKs do over HTTPS:
  // no SHA-256 of each body before it goes (TLS protects it in transit; Content-MD5 still goes
  // where a request needs one, Object Lock PUTs). Never over plain http, whatever this says.
  bool unsigned_payload = true;
  // SSE-C (SSE_CUSTOMER_KEY_FILE): the 32-byte customer key, base64, and the base64 MD5 of the key.
  // Sent with every PUT, GET, HEAD and copy of an object (as the copy's source too), except PBS's
  // `.in-use` marker, which PBS writes; never shown in a message.
  std::string sse_customer_key;
  std::string sse_customer_key_md5;
  bool hedge = true;
  double hedge_floor_seconds = 1.0;
  double hedge_factor = 4.0;
  double hedge_share = 0.25;
};

}  // namespace pbs::transfer
