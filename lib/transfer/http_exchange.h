#pragma once
// One attempt of one request on one curl easy handle: the body going up (from memory or streamed
// from a file), the response coming down (to memory or streamed to a file), its status line and
// headers, and the byte accounting through the shared rate limiter. The engine drives it.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "s3/request.h"
#include "s3/response.h"
#include "transfer/rate_limiter.h"
#include "transfer/request_interface.h"
#include "util/file_io.h"
#include "util/result.h"

// libcurl's own declarations (curl.h has the same typedef); curl.h itself stays in the .cpp files.
typedef void CURL;
struct curl_slist;

namespace pbs::transfer {

struct ExchangeOptions {
  long connect_timeout_seconds = 10;
  long stall_seconds = 60;
  bool tls_verify = true;
  std::string ca_file;
  std::string user_agent;
  bool fresh_connection = false;
};

struct CurlSlistDeleter {
  void operator()(curl_slist* l) const;
};

class HttpExchange {
 public:
  using Clock = std::chrono::steady_clock;

  HttpExchange(std::uint64_t job, const s3::Request& request, const Sink& sink,
               RateLimiter* limiter);

  // Opens the body file and the sink file, and sets every option on `easy` (which the caller has
  // reset). `headers` are the signed headers to send.
  Status prepare(CURL* easy, const std::string& url, const std::vector<s3::Header>& headers,
                 const ExchangeOptions& options);

  std::uint64_t job() const { return job_; }
  Clock::time_point started() const { return started_; }
  // When a byte last moved either way (or the attempt started).
  Clock::time_point last_progress() const { return last_progress_; }
  // This attempt is a hedge: a second one of a request that was slow (engine.h).
  bool hedge = false;
  bool paused() const { return paused_; }
  void resume(CURL* easy);

  std::uint64_t bytes_sent() const { return sent_; }
  // Times libcurl sent the request again on a new connection by itself (a reused connection that
  // the server had closed or reset): each is one more billed request and one more retry.
  unsigned resent() const { return sends_ > 1 ? sends_ - 1 : 0; }
  // The request went out at least once (not only queued for a connection).
  bool sent() const { return sends_ > 0; }
  std::uint64_t bytes_received() const { return received_; }
  const char* curl_error() const { return errbuf_; }
  // A local failure (disk full, file vanished, body too large) that aborted the transfer.
  const std::optional<Error>& local_error() const { return local_error_; }
  s3::Response take_response() { return std::move(response_); }
  // Writes what is still buffered for a file sink; call once the transfer completed.
  Status flush_sink();
  long status() const { return response_.status; }

 private:
  static std::size_t on_read(char* buf, std::size_t size, std::size_t n, void* self);
  static std::size_t on_write(char* buf, std::size_t size, std::size_t n, void* self);
  static std::size_t on_header(char* buf, std::size_t size, std::size_t n, void* self);
  static int on_prereq(void* self, char* conn_primary_ip, char* conn_local_ip, int conn_primary_port,
                       int conn_local_port);
  static int on_seek(void* self, std::int64_t offset, int origin);  // curl_off_t is int64_t

  std::uint64_t job_;
  const s3::Request& request_;
  const Sink& sink_;
  RateLimiter* limiter_;
  Clock::time_point started_;
  Clock::time_point last_progress_;
  std::unique_ptr<curl_slist, CurlSlistDeleter> header_list_;
  UniqueFd body_fd_;
  UniqueFd sink_fd_;
  std::vector<std::uint8_t> sink_buffer_;  // curl hands at most 16 KiB per call: batch the writes
  std::uint64_t sent_ = 0;
  std::uint64_t received_ = 0;
  bool paused_ = false;
  unsigned sends_ = 0;
  s3::Response response_;
  std::optional<Error> local_error_;
  char errbuf_[256] = {};  // CURL_ERROR_SIZE
};

}  // namespace pbs::transfer
