#include "fake_s3.h"

#include <fcntl.h>

#include <algorithm>
#include <ctime>

#include <pugixml.hpp>

#include "s3/http_date.h"
#include "s3/response.h"
#include "s3/uri_encode.h"
#include "s3/xml.h"
#include "util/file_io.h"
#include "util/hex.h"
#include "util/md5.h"
#include "util/calendar.h"

namespace pbs::test {

namespace {

std::string query_value(const s3::Request& r, std::string_view name) {
  for (const auto& [k, v] : r.query) {
    if (k == name) return v;
  }
  return {};
}

bool has_header(const s3::Request& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return true;
  }
  return false;
}

s3::Response status(long code) {
  s3::Response r;
  r.status = code;
  return r;
}

s3::Response error_document(long code, std::string_view s3_code) {
  s3::Response r = status(code);
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + std::string(s3_code) +
                    "</Code><Message>scripted by the fake</Message><RequestId>fake</RequestId></Error>";
  r.body.assign(xml.begin(), xml.end());
  return r;
}

// As AWS writes it, with milliseconds.
std::string iso8601(std::int64_t epoch) { return format_utc(epoch, "%Y-%m-%dT%H:%M:%S.000Z"); }

std::string etag_of(const std::vector<std::uint8_t>& body) {
  Md5 md5;
  md5.update(body);
  return to_hex(md5.final());
}

}  // namespace

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

void FakeS3::submit(s3::Request request, transfer::Sink, transfer::Completion done) {
  if (on_submit) on_submit(request);
  double delay = latency + (jitter > 0 ? std::uniform_real_distribution<double>(0, jitter)(rng_) : 0);
  pending_.push_back({std::move(request), std::move(done), clock_ + delay, serial_++});
}

void FakeS3::run_until(const std::function<bool()>& stop) {
  while (!pending_.empty() && !(stop && stop())) {
    std::size_t pick = 0;
    if (shuffle) {
      pick = std::uniform_int_distribution<std::size_t>(0, pending_.size() - 1)(rng_);
    } else {
      for (std::size_t i = 1; i < pending_.size(); ++i) {
        const auto& a = pending_[i];
        const auto& b = pending_[pick];
        if (a.due < b.due || (a.due == b.due && a.serial < b.serial)) pick = i;
      }
    }
    Pending p = std::move(pending_[pick]);
    pending_.erase(pending_.begin() + long(pick));
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
    counters_.requests[std::string(s3::op_name(p.request.op))]++;
    if (result) {
      ++counters_.completed;
      counters_.bytes_down += result->body.size();
    } else {
      ++counters_.failures;
    }
    answered_.push_back({p.request.op, p.request.key, has_header(p.request, "If-None-Match"),
                         result ? result->status : 0, clock_});
    p.done(std::move(result));
  }
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
    return finish(req, error_document(f.status, f.code));
  }
  counters_.bytes_up += body.size();
  if (!bucket_exists && req.op != s3::Op::create_bucket) return finish(req, error_document(404, "NoSuchBucket"));
  return finish(req, dispatch(req, body));
}

s3::Response FakeS3::dispatch(const s3::Request& req, const std::vector<std::uint8_t>& body) {
  auto it = objects.find(req.key);
  bool exists = it != objects.end();
  auto object_headers = [&](s3::Response& r) {
    r.headers.emplace_back("last-modified", s3::format_http_date(it->second.modified));
    r.headers.emplace_back("etag", "\"" + etag_of(it->second.body) + "\"");
    r.headers.emplace_back("content-length", std::to_string(it->second.body.size()));
  };
  switch (req.op) {
    case s3::Op::put_object:
      if (exists && has_header(req, "If-None-Match")) return error_document(412, "PreconditionFailed");
      objects[req.key] = Object{body, now_epoch()};
      return status(200);
    case s3::Op::copy_object: {
      if (!exists) return error_document(404, "NoSuchKey");
      it->second.modified = now_epoch();
      s3::Response r = status(200);
      std::string xml = "<CopyObjectResult><LastModified>" + iso8601(now_epoch()) + "</LastModified></CopyObjectResult>";
      r.body.assign(xml.begin(), xml.end());
      return r;
    }
    case s3::Op::get_object:
    case s3::Op::head_object: {
      if (!exists) return error_document(404, "NoSuchKey");
      s3::Response r = status(200);
      object_headers(r);
      if (req.op == s3::Op::get_object) r.body = it->second.body;
      return r;
    }
    case s3::Op::delete_object:
      objects.erase(req.key);
      return status(204);
    case s3::Op::list_objects: return list(req);
    case s3::Op::delete_objects: return delete_objects(body);
    case s3::Op::head_bucket: return status(200);
    case s3::Op::create_bucket:
      bucket_exists = true;
      return status(200);
    case s3::Op::get_bucket_versioning: {  // never versioned unless locked, as radosgw answers
      s3::Response r = status(200);
      std::string xml = object_lock ? "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>"
                                    : "<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>";
      r.body.assign(xml.begin(), xml.end());
      return r;
    }
    case s3::Op::get_object_lock_configuration: {
      if (!object_lock) return error_document(404, "ObjectLockConfigurationNotFoundError");
      s3::Response r = status(200);
      std::string xml = "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>";
      r.body.assign(xml.begin(), xml.end());
      return r;
    }
    case s3::Op::put_object_retention:
      if (!object_lock) return error_document(400, "InvalidRequest");
      if (!exists) return error_document(404, "NoSuchKey");
      return status(200);
    case s3::Op::list_object_versions:
    case s3::Op::get_object_retention: break;  // versions and retention are tested against radosgw
  }
  return error_document(501, "NotImplemented");
}

Result<s3::Response> FakeS3::finish(const s3::Request& req, s3::Response resp) {
  auto body = resp.status >= 300 ? s3::parse_error_body(resp.body_text()) : std::nullopt;
  bool bucket_missing = resp.status == 404 && body && body->code == "NoSuchBucket";
  if (req.accepts(resp.status) && !bucket_missing) return resp;
  return s3::response_error(req, resp, "fake");
}

s3::Response FakeS3::list(const s3::Request& req) const {
  std::string prefix = query_value(req, "prefix");
  std::string token = query_value(req, "continuation-token");
  std::string after = query_value(req, "start-after");
  std::string max = query_value(req, "max-keys");
  std::size_t limit = max.empty() ? 1000 : std::size_t(std::stoul(max));
  std::string start = std::max(token, after);
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult><EncodingType>url</EncodingType>";
  std::size_t n = 0;
  std::string last;
  bool truncated = false;
  for (auto it = start.empty() ? objects.lower_bound(prefix) : objects.upper_bound(start); it != objects.end(); ++it) {
    if (!it->first.starts_with(prefix)) break;
    if (n == limit) {
      truncated = true;
      break;
    }
    xml += "<Contents><Key>" + s3::uri_encode(it->first, true) + "</Key><LastModified>" + iso8601(it->second.modified) +
           "</LastModified><ETag>\"" + etag_of(it->second.body) + "\"</ETag><Size>" +
           std::to_string(it->second.body.size()) + "</Size><StorageClass>STANDARD</StorageClass></Contents>";
    last = it->first;
    ++n;
  }
  xml += std::string("<IsTruncated>") + (truncated ? "true" : "false") + "</IsTruncated>";
  if (truncated) xml += "<NextContinuationToken>" + s3::xml_escape(last) + "</NextContinuationToken>";
  xml += "</ListBucketResult>";
  s3::Response r = status(200);
  r.body.assign(xml.begin(), xml.end());
  return r;
}

s3::Response FakeS3::delete_objects(const std::vector<std::uint8_t>& body) {
  pugi::xml_document doc;
  doc.load_buffer(body.data(), body.size());
  for (auto o : doc.child("Delete").children("Object")) objects.erase(o.child("Key").text().as_string());
  s3::Response r = status(200);
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><DeleteResult></DeleteResult>";
  r.body.assign(xml.begin(), xml.end());
  return r;
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

void FakeS3::put(const std::string& key, std::vector<std::uint8_t> body) {
  objects[key] = Object{std::move(body), now_epoch()};
}

}  // namespace pbs::test
