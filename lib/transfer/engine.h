#pragma once
// The transfer engine: one libcurl multi handle driving up to N easy handles (kept alive and
// reused), on the caller's thread. Callers submit S3 requests with a completion; the engine hashes
// bodies on worker threads, signs each attempt, retries what may succeed later (backoff with full
// jitter, Retry-After, a fresh connection), halves concurrency under throttling and grows it back,
// shares one bandwidth budget among all transfers, and counts everything. libcurl stays inside
// engine.cpp and http_exchange.cpp.

#include <memory>

#include "transfer/engine_config.h"
#include "transfer/request_interface.h"
#include "util/result.h"

namespace pbs::transfer {

class Engine final : public RequestInterface {
 public:
  static Result<std::unique_ptr<Engine>> create(EngineConfig config);
  ~Engine() override;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  using RequestInterface::submit;
  void submit(s3::Request request, Sink sink, Completion done) override;
  void run_until(const std::function<bool()>& stop) override;
  std::size_t outstanding() const override;
  unsigned parallelism() const override;
  std::size_t waiting_late() const override;
  const Counters& counters() const override;
  const std::string& region() const override;
  std::int64_t now_epoch() const override;

  const EngineConfig& config() const;
  // Requests allowed in flight now (the throttling window).
  unsigned window() const;
  // Seconds added to the local clock when signing (learned from RequestTimeTooSkewed).
  std::int64_t clock_offset() const;

 private:
  struct Impl;
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pbs::transfer
