#include "fake_s3.h"

#include <fcntl.h>

#include <algorithm>
#include <ctime>

#include "fake_s3_answers.h"
#include "s3/http_date.h"
#include "s3/response.h"
#include "s3/xml.h"
#include "util/file_io.h"

namespace pbs::test {

using fake::error_document;
using fake::has_header;
using fake::header_value;
using fake::query_value;
using fake::status;

std::function<bool(const s3::Request&)> op_is(s3::Op op, std::string key_part) {
  return [op, key_part](const s3::Request& r) {
    return r.op == op && (key_part.empty() || r.key.find(key_part) != std::string::npos);
  };
}

FakeS3::FakeS3(std::string bucket, unsigned parallelism)
    : bucket_(std::move(bucket)), parallelism_(parallelism), epoch_base_(1796090400) {}  // 2026-12-01

std::int64_t FakeS3::now_epoch() const { return epoch_base_ + std::int64_t(clock_); }

FakeS3::Clock::time_point FakeS3::now() const {
  return Clock::time_point(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(clock_)));
}

void FakeS3::submit(s3::Request request, transfer::Sink sink, transfer::Completion done) {
  if (on_submit) on_submit(request);
  double delay = latency + (jitter > 0 ? std::uniform_real_distribution<double>(0, jitter)(rng_) : 0);
  pending_.push_back({std::move(request), std::move(sink), std::move(done), clock_ + delay, serial_++});
}

std::size_t FakeS3::pick() {
  if (shuffle) return std::uniform_int_distribution<std::size_t>(0, pending_.size() - 1)(rng_);
  std::size_t best = 0;
  for (std::size_t i = 1; i < pending_.size(); ++i) {
    const auto& a = pending_[i];
    const auto& b = pending_[best];
    if (a.due < b.due || (a.due == b.due && a.serial < b.serial)) best = i;
  }
  return best;
}

void FakeS3::run_until(const std::function<bool()>& stop) {
  while (!pending_.empty() && !(stop && stop())) {
    std::size_t at = pick();
    Pending p = std::move(pending_[at]);
    pending_.erase(pending_.begin() + long(at));
    clock_ = std::max(clock_, p.due);
    if (on_answer) on_answer(p.request);
    // The body as the engine's hasher reads and checks it: a failure there ends the request
    // before anything is sent, so it is not an answered (billed) request.
    auto body = read_body(p.request);
    if (!body) {
      ++refused_locally_;
      p.done(std::move(body).error());
      continue;
    }
    auto result = answer(p.request, *body);
    if (result) result = deliver(p.request, std::move(*result), p.sink);
    record(p, result);
    p.done(std::move(result));
  }
}

void FakeS3::record(const Pending& p, const Result<s3::Response>& result) {
  counters_.requests[std::string(s3::op_name(p.request.op))]++;
  if (result) {
    ++counters_.completed;
  } else {
    ++counters_.failures;
  }
  answered_.push_back({p.request.op, p.request.key, has_header(p.request, "If-None-Match"),
                       result ? result->status : 0, clock_});
}

Result<std::vector<std::uint8_t>> FakeS3::read_body(const s3::Request& req) {
  for (auto& f : faults_) {
    if (f.times == 0 || !f.local || !f.match(req)) continue;
    if (f.times > 0) --f.times;
    return *f.error;
  }
  std::vector<std::uint8_t> body;
  if (req.body) body = *req.body;
  if (req.body_file) {
    PBS_ASSIGN(UniqueFd fd, open_file(req.body_file->path, O_RDONLY));
    body.resize(req.body_file->length);
    PBS_TRY(pread_exact(fd.get(), body, req.body_file->offset, req.body_file->path));
  }
  if (req.check_body) PBS_TRY(req.check_body(body));
  if (req.transform_body) return req.transform_body(body);
  return body;
}

Result<s3::Response> FakeS3::answer(const s3::Request& req, const std::vector<std::uint8_t>& body) {
  for (auto& f : faults_) {
    if (f.times == 0 || f.local || !f.match(req)) continue;
    if (f.times > 0) --f.times;
    if (f.error) return *f.error;
    return finish(req, error_document(f.status, f.code), {});
  }
  counters_.bytes_up += body.size();
  if (!bucket_exists && req.op != s3::Op::create_bucket) return finish(req, error_document(404, "NoSuchBucket"), {});
  return finish(req, dispatch(req, body), {});
}

s3::Response FakeS3::dispatch(const s3::Request& req, const std::vector<std::uint8_t>& body) {
  settle();
  switch (req.op) {
    case s3::Op::put_object: return put_object(req, body);
    case s3::Op::copy_object: return copy_object(req);
    case s3::Op::get_object:
    case s3::Op::head_object: return get_object(req);
    case s3::Op::delete_object: return delete_object(req);
    case s3::Op::list_objects: return list(req);
    case s3::Op::list_object_versions: return list_versions(req);
    case s3::Op::delete_objects: return delete_objects(req, body);
    case s3::Op::head_bucket: return status(200);
    case s3::Op::create_bucket:
      bucket_exists = true;
      object_lock = object_lock || header_value(req, "x-amz-bucket-object-lock-enabled") == "true";
      return status(200);
    case s3::Op::get_bucket_versioning: return bucket_versioning();
    case s3::Op::get_object_lock_configuration: return lock_configuration();
    case s3::Op::put_object_retention: return put_retention(req, body);
    case s3::Op::get_object_retention: return get_retention(req);
    case s3::Op::restore_object: break;  // archive tiers: tested through the fault proxy's archive mode
  }
  return error_document(501, "NotImplemented");
}

// Every answer as the server sends it: its clock and a request id; a HEAD answer has no body,
// so a refused HEAD carries no error document either.
Result<s3::Response> FakeS3::finish(const s3::Request& req, s3::Response resp, const transfer::Sink&) {
  resp.headers.emplace_back("date", s3::format_http_date(now_epoch()));
  resp.headers.emplace_back("x-amz-request-id", "fake-" + std::to_string(answered_.size()));
  if (req.op == s3::Op::head_object || req.op == s3::Op::head_bucket) resp.body.clear();
  if (!resp.header("content-length")) resp.headers.emplace_back("content-length", std::to_string(resp.body.size()));
  auto body = resp.status >= 300 ? s3::parse_error_body(resp.body_text()) : std::nullopt;
  bool bucket_missing = resp.status == 404 && body && body->code == "NoSuchBucket";
  if (req.accepts(resp.status) && !bucket_missing) return resp;
  return s3::response_error(req, resp, "fake");
}

// The body goes where the engine puts it: into memory up to the sink's limit (past it the engine
// aborts the transfer with that error, not retried), or into the sink's file.
Result<s3::Response> FakeS3::deliver(const s3::Request& req, s3::Response resp, const transfer::Sink& sink) {
  bool success = resp.status >= 200 && resp.status < 300;
  if (success && sink.kind == transfer::Sink::Kind::file) {
    PBS_ASSIGN(UniqueFd fd, open_file(sink.path, O_WRONLY | O_CREAT | O_TRUNC, 0644));
    PBS_TRY(write_all(fd.get(), resp.body, sink.path));
    counters_.bytes_down += resp.body.size();
    resp.body.clear();
    return resp;
  }
  std::uint64_t limit = success ? sink.max_memory : std::uint64_t(1) << 20;
  if (resp.body.size() > limit) {
    counters_.bytes_down += limit;
    return Error(Errc::remote, req.describe() + ": response larger than " + std::to_string(limit) + " bytes");
  }
  counters_.bytes_down += resp.body.size();
  return resp;
}

std::size_t FakeS3::count(s3::Op op) const { return count(op, ""); }

std::size_t FakeS3::count(s3::Op op, std::string_view key_part) const {
  return std::size_t(std::count_if(answered_.begin(), answered_.end(), [&](const Answered& a) {
    return a.op == op && a.key.find(key_part) != std::string::npos;
  }));
}

std::vector<std::string> FakeS3::keys(std::string_view prefix) const {
  std::vector<std::string> out;
  for (const auto& [k, o] : objects) {
    if (k.starts_with(prefix)) out.push_back(k);
  }
  return out;
}

}  // namespace pbs::test
