#include "transfer/http_exchange.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "util/text.h"
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <type_traits>

namespace pbs::transfer {

namespace {
constexpr std::size_t kSinkBuffer = 256 * 1024;
static_assert(std::is_same_v<curl_off_t, std::int64_t>, "on_seek is declared with int64_t");
static_assert(CURL_ERROR_SIZE <= 256, "errbuf_ is CURL_ERROR_SIZE bytes");
}  // namespace

void CurlSlistDeleter::operator()(curl_slist* l) const { curl_slist_free_all(l); }

HttpExchange::HttpExchange(std::uint64_t job, const s3::Request& request, const Sink& sink,
                           RateLimiter* limiter)
    : job_(job), request_(request), sink_(sink), limiter_(limiter), started_(Clock::now()), last_progress_(started_) {}

Status HttpExchange::prepare(CURL* easy, const std::string& url,
                             const std::vector<s3::Header>& headers,
                             const ExchangeOptions& opt) {
  if (request_.body_file) {
    PBS_ASSIGN(body_fd_, open_file(request_.body_file->path, O_RDONLY));
  }
  if (sink_.kind == Sink::Kind::file && request_.method != "HEAD") {
    PBS_ASSIGN(sink_fd_, open_file(sink_.path, O_WRONLY | O_CREAT | O_TRUNC, 0644));
    sink_buffer_.reserve(kSinkBuffer + CURL_MAX_WRITE_SIZE);
  }
  curl_slist* list = nullptr;
  for (const auto& [k, v] : headers) list = curl_slist_append(list, (k + ": " + v).c_str());
  // Never wait for "100 Continue": one round trip per request is what we pay for.
  list = curl_slist_append(list, "Expect:");
  header_list_.reset(list);

  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  // S3 keys may hold "./" and "../": they are part of the key, never path segments to squash.
  curl_easy_setopt(easy, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(easy, CURLOPT_PRIVATE, this);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, header_list_.get());
  curl_easy_setopt(easy, CURLOPT_USERAGENT, opt.user_agent.c_str());
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, long(CURL_HTTP_VERSION_1_1));
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT, opt.connect_timeout_seconds);
  curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, opt.stall_seconds);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  // Larger buffers than curl's 16 KiB default: a quarter of the recv/write calls per chunk.
  curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, 256L * 1024);
  curl_easy_setopt(easy, CURLOPT_UPLOAD_BUFFERSIZE, 256L * 1024);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, opt.tls_verify ? 1L : 0L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, opt.tls_verify ? 2L : 0L);
  if (!opt.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, opt.ca_file.c_str());
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, errbuf_);
  curl_easy_setopt(easy, CURLOPT_PREREQFUNCTION, &HttpExchange::on_prereq);
  curl_easy_setopt(easy, CURLOPT_PREREQDATA, this);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &HttpExchange::on_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, this);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &HttpExchange::on_write);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, this);
  if (opt.fresh_connection) curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);

  bool has_body = request_.body || request_.body_file;
  if (request_.method == "HEAD") {
    curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
  } else if (has_body) {
    curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, curl_off_t(request_.body_size()));
    curl_easy_setopt(easy, CURLOPT_READFUNCTION, &HttpExchange::on_read);
    curl_easy_setopt(easy, CURLOPT_READDATA, this);
    curl_easy_setopt(easy, CURLOPT_SEEKFUNCTION, &HttpExchange::on_seek);
    curl_easy_setopt(easy, CURLOPT_SEEKDATA, this);
    if (request_.method != "PUT") curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request_.method.c_str());
  } else if (request_.method != "GET") {
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request_.method.c_str());
  }
  started_ = last_progress_ = Clock::now();
  return {};
}

Status HttpExchange::flush_sink() {
  if (!sink_fd_ || sink_buffer_.empty()) return {};
  auto st = write_all(sink_fd_.get(), sink_buffer_, sink_.path);
  sink_buffer_.clear();
  return st;
}

void HttpExchange::resume(CURL* easy) {
  paused_ = false;
  curl_easy_pause(easy, CURLPAUSE_CONT);
}

std::size_t HttpExchange::on_read(char* buf, std::size_t size, std::size_t n, void* p) {
  auto* self = static_cast<HttpExchange*>(p);
  std::uint64_t total = self->request_.body_size();
  std::size_t want = std::size_t(std::min<std::uint64_t>(size * n, total - self->sent_));
  if (want == 0) return 0;
  // Under a limit, a piece worth a send (16 KiB, or the rest) or nothing: the bytes that trickled
  // in since the last call would go out a few hundred at a time, one system call each.
  constexpr std::size_t kMinPiece = 16384;
  bool enough = self->limiter_->wait_for(std::min(want, kMinPiece)) == RateLimiter::Clock::duration::zero();
  want = enough ? self->limiter_->take_up_to(want) : 0;  // unlimited: all of it, counted
  if (want == 0) {
    self->paused_ = true;
    return CURL_READFUNC_PAUSE;
  }
  if (self->request_.body) {
    std::memcpy(buf, self->request_.body->data() + self->sent_, want);
  } else {
    ssize_t got = ::pread(self->body_fd_.get(), buf, want,
                          off_t(self->request_.body_file->offset + self->sent_));
    if (got <= 0) {
      self->local_error_ = got < 0 ? errno_error(errno, "read", self->request_.body_file->path)
                                   : Error(Errc::io, self->request_.body_file->path +
                                                         ": file became shorter while being sent");
      return CURL_READFUNC_ABORT;
    }
    want = std::size_t(got);
  }
  self->sent_ += want;
  self->last_progress_ = Clock::now();
  return want;
}

int HttpExchange::on_seek(void* p, std::int64_t offset, int origin) {
  auto* self = static_cast<HttpExchange*>(p);
  if (origin != SEEK_SET || offset < 0 || std::uint64_t(offset) > self->request_.body_size()) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  self->sent_ = std::uint64_t(offset);
  return CURL_SEEKFUNC_OK;
}

std::size_t HttpExchange::on_write(char* buf, std::size_t size, std::size_t n, void* p) {
  auto* self = static_cast<HttpExchange*>(p);
  std::size_t len = size * n;
  if (!self->limiter_->take_all(len)) {
    self->paused_ = true;
    return CURL_WRITEFUNC_PAUSE;  // curl hands the same bytes again after resume
  }
  self->received_ += len;
  self->last_progress_ = Clock::now();
  long status = self->response_.status;
  bool success = status >= 200 && status < 300;
  // Error documents go to memory even when the body was meant for a file.
  if (self->sink_fd_ && success) {
    auto& pending = self->sink_buffer_;
    pending.insert(pending.end(), buf, buf + len);
    if (pending.size() >= kSinkBuffer) {
      if (auto st = self->flush_sink(); !st) {
        self->local_error_ = std::move(st).error();
        return 0;  // aborts the transfer with CURLE_WRITE_ERROR
      }
    }
    return len;
  }
  std::uint64_t limit = success ? self->sink_.max_memory : 1 << 20;
  if (self->response_.body.size() + len > limit) {
    self->local_error_ = Error(Errc::remote, self->request_.describe() + ": response larger than " +
                                                 std::to_string(limit) + " bytes");
    return 0;
  }
  self->response_.body.insert(self->response_.body.end(), buf, buf + len);
  return len;
}

int HttpExchange::on_prereq(void* p, char*, char*, int, int) {
  auto* self = static_cast<HttpExchange*>(p);
  if (++self->sends_ > 1) {
    // Sent again: what the first try received is not this answer's.
    self->response_ = s3::Response{};
    self->sink_buffer_.clear();
  }
  return CURL_PREREQFUNC_OK;
}

std::size_t HttpExchange::on_header(char* buf, std::size_t size, std::size_t n, void* p) {
  auto* self = static_cast<HttpExchange*>(p);
  std::size_t len = size * n;
  self->last_progress_ = Clock::now();
  std::string_view line(buf, len);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {
    // A new status line (after "100 Continue" or a redirect) starts a new header set.
    self->response_.headers.clear();
    auto sp = line.find(' ');
    self->response_.status = sp == std::string_view::npos ? 0 : std::atol(std::string(line.substr(sp + 1, 3)).c_str());
    return len;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return len;
  std::string name = to_lower(line.substr(0, colon));
  auto value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  self->response_.headers.emplace_back(std::move(name), std::string(value));
  return len;
}

}  // namespace pbs::transfer
