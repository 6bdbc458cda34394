// The in-memory bucket's objects and their versions: PUT, copy, GET/HEAD, DELETE, and the
// helpers tests set versions up with.
#include <algorithm>

#include "fake_s3.h"
#include "fake_s3_answers.h"
#include "s3/http_date.h"
#include "s3/uri_encode.h"
#include "s3/xml.h"

namespace pbs::test {

using fake::error_document;
using fake::has_header;
using fake::header_value;
using fake::query_value;
using fake::status;

namespace {

std::string shown_id(const FakeS3::Object& o) { return o.version_id.empty() ? "null" : o.version_id; }

void object_headers(s3::Response& r, const FakeS3::Object& o, bool versioned) {
  r.headers.emplace_back("last-modified", s3::format_http_date(o.modified));
  r.headers.emplace_back("etag", fake::quoted_etag(o.body));
  r.headers.emplace_back("content-length", std::to_string(o.body.size()));
  r.headers.emplace_back("content-type", "application/octet-stream");
  r.headers.emplace_back("accept-ranges", "bytes");
  if (versioned) r.headers.emplace_back("x-amz-version-id", shown_id(o));
  if (o.retention) {
    r.headers.emplace_back("x-amz-object-lock-mode", o.retention->mode);
    r.headers.emplace_back("x-amz-object-lock-retain-until-date", s3::iso8601(o.retention->until));
  }
}

// What S3 sends for a delete marker a request ran into: 404 when it hides the key, 405 when the
// request named it by its version id (nothing but DELETE may be done to a marker).
s3::Response marker_answer(const FakeS3::Object& marker, bool named) {
  s3::Response r = named ? error_document(405, "MethodNotAllowed") : error_document(404, "NoSuchKey");
  r.headers.emplace_back("x-amz-delete-marker", "true");
  r.headers.emplace_back("x-amz-version-id", marker.version_id);
  if (named) {
    r.headers.emplace_back("last-modified", s3::format_http_date(marker.modified));
    r.headers.emplace_back("allow", "DELETE");
  }
  return r;
}

// "/bucket/key?versionId=v", URL-encoded, as x-amz-copy-source names the source.
std::pair<std::string, std::optional<std::string>> copy_source(const std::string& header) {
  std::string text = header;
  std::optional<std::string> version;
  if (auto q = text.find("?versionId="); q != std::string::npos) {
    version = text.substr(q + 11);
    text.resize(q);
  }
  text = s3::uri_decode(text);
  if (text.starts_with("/")) text.erase(0, 1);
  auto slash = text.find('/');
  return {slash == std::string::npos ? std::string() : text.substr(slash + 1), version};
}

}  // namespace

std::string FakeS3::next_version_id() {
  // Opaque, like radosgw's and AWS's: 32 characters that sort in no useful order.
  static constexpr std::string_view kDigits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::uint64_t x = ++versions_made_ * 0x9e3779b97f4a7c15ull;
  std::string id;
  for (int i = 0; i < 32; ++i) {
    x ^= x >> 31;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    id += kDigits[x % kDigits.size()];
  }
  return id;
}

std::vector<FakeS3::Object> FakeS3::take(const std::string& key) {
  std::vector<Object> v;
  if (auto it = objects.find(key); it != objects.end()) {
    v.push_back(std::move(it->second));
    objects.erase(it);
  }
  if (auto h = history_.find(key); h != history_.end()) {
    for (auto& o : h->second) v.push_back(std::move(o));
    history_.erase(h);
  }
  return v;
}

void FakeS3::keep(const std::string& key, std::vector<Object> v) {
  if (v.empty()) return;
  auto rest = v.begin();
  if (!v.front().delete_marker) objects[key] = std::move(*rest++);
  if (rest != v.end()) history_[key].assign(std::make_move_iterator(rest), std::make_move_iterator(v.end()));
}

std::vector<FakeS3::Object*> FakeS3::chain(const std::string& key) {
  std::vector<Object*> out;
  if (auto it = objects.find(key); it != objects.end()) out.push_back(&it->second);
  if (auto h = history_.find(key); h != history_.end()) {
    for (auto& o : h->second) out.push_back(&o);
  }
  return out;
}

// What a test changed in `objects` by hand, made consistent with the versions behind it.
void FakeS3::settle() {
  if (!versioned()) return;
  for (auto& [key, o] : objects) {
    if (!o.version_id.empty()) continue;
    o.version_id = "null";
    if (auto h = history_.find(key); h != history_.end()) {
      std::erase_if(h->second, [](const Object& v) { return v.version_id == "null"; });
    }
  }
  for (auto h = history_.begin(); h != history_.end();) {
    const std::string& key = h->first;
    if (!h->second.empty() && !h->second.front().delete_marker && !objects.count(key)) {
      objects[key] = std::move(h->second.front());
      h->second.erase(h->second.begin());
    }
    h = h->second.empty() ? history_.erase(h) : std::next(h);
  }
}

// A new version goes in by its Last-Modified (newest first); one named "null" replaces the null
// version, as a write while versioning is suspended does.
void FakeS3::store_version(const std::string& key, Object object) {
  auto v = take(key);
  if (object.version_id == "null") std::erase_if(v, [](const Object& o) { return o.version_id == "null"; });
  auto at = std::find_if(v.begin(), v.end(), [&](const Object& o) { return o.modified <= object.modified; });
  v.insert(at, std::move(object));
  keep(key, std::move(v));
}

FakeS3::Lookup FakeS3::lookup(const std::string& key, const std::optional<std::string>& version_id) {
  using State = Lookup::State;
  auto all = chain(key);
  if (all.empty()) return {State::missing_key, nullptr};
  if (!version_id) {
    if (all.front()->delete_marker) return {State::hidden, all.front()};
    return {State::found, all.front()};
  }
  for (Object* o : all) {
    if (shown_id(*o) == *version_id) return {o->delete_marker ? State::marker : State::found, o};
  }
  return {State::missing_version, nullptr};
}

s3::Response FakeS3::put_object(const s3::Request& req, const std::vector<std::uint8_t>& body) {
  std::optional<s3::Retention> retention;
  if (auto refused = lock_headers(req, retention)) return *refused;
  // radosgw ignores If-None-Match in versioned buckets and stores a new version.
  bool conditional = has_header(req, "If-None-Match") && (!versioned() || flavor == Flavor::aws);
  if (conditional && objects.count(req.key)) return error_document(412, "PreconditionFailed");
  Object o(body, now_epoch(), retention);
  s3::Response r = status(200);
  r.headers.emplace_back("etag", fake::quoted_etag(body));
  if (!versioned()) {
    objects[req.key] = std::move(o);
    return r;
  }
  o.version_id = versioning == "Suspended" && !object_lock ? "null" : next_version_id();
  r.headers.emplace_back("x-amz-version-id", o.version_id);
  store_version(req.key, std::move(o));
  return r;
}

s3::Response FakeS3::copy_object(const s3::Request& req) {
  auto [source, source_version] = copy_source(header_value(req, "x-amz-copy-source").value_or("/" + bucket_ + "/" + req.key));
  auto found = lookup(source, source_version);
  if (found.state != Lookup::State::found) {
    return error_document(404, found.state == Lookup::State::missing_version ? "NoSuchVersion" : "NoSuchKey");
  }
  std::optional<s3::Retention> retention;
  if (auto refused = lock_headers(req, retention)) return *refused;
  Object copy(found.version->body, now_epoch(), retention);
  std::string from = shown_id(*found.version);
  s3::Response r = status(200);
  fake::set_body(r, std::string(fake::kXmlHead) + "<CopyObjectResult><LastModified>" + fake::iso8601_ms(copy.modified) +
                        "</LastModified><ETag>" + s3::xml_escape(fake::quoted_etag(copy.body)) + "</ETag></CopyObjectResult>");
  if (!versioned()) {
    objects[req.key] = std::move(copy);
    return r;
  }
  copy.version_id = versioning == "Suspended" && !object_lock ? "null" : next_version_id();
  r.headers.emplace_back("x-amz-version-id", copy.version_id);
  r.headers.emplace_back("x-amz-copy-source-version-id", from);
  store_version(req.key, std::move(copy));
  return r;
}

s3::Response FakeS3::get_object(const s3::Request& req) {
  using State = Lookup::State;
  auto found = lookup(req.key, query_value(req, "versionId"));
  switch (found.state) {
    case State::found: {
      s3::Response r = status(200);
      object_headers(r, *found.version, versioned());
      if (req.op == s3::Op::get_object) r.body = found.version->body;
      return r;
    }
    case State::hidden: return marker_answer(*found.version, false);
    case State::marker: return marker_answer(*found.version, true);
    case State::missing_version: return error_document(404, "NoSuchVersion");
    case State::missing_key: break;
  }
  return error_document(404, "NoSuchKey");
}

bool FakeS3::locked(const Object& version, bool bypass) const {
  if (!version.retention || version.retention->until <= now_epoch()) return false;
  return !(bypass && version.retention->mode == "GOVERNANCE");
}

FakeS3::Deletion FakeS3::delete_one(const std::string& key, const std::string& version_id, bool bypass) {
  if (!versioned()) {
    objects.erase(key);
    return {};
  }
  if (version_id.empty()) {
    // Never refused, even in a locked bucket: the marker hides the key, the versions stay.
    Object marker({}, now_epoch());
    marker.delete_marker = true;
    marker.version_id = versioning == "Suspended" && !object_lock ? "null" : next_version_id();
    std::string id = marker.version_id;
    store_version(key, std::move(marker));
    return {"", id, true};
  }
  auto v = take(key);
  auto it = std::find_if(v.begin(), v.end(), [&](const Object& o) { return shown_id(o) == version_id; });
  Deletion d{"", version_id, false};
  if (it != v.end() && locked(*it, bypass)) {
    d.code = "AccessDenied";
  } else if (it != v.end()) {
    d.marker = it->delete_marker;
    v.erase(it);
  }  // else: a version that is not there counts as deleted, as S3 answers
  keep(key, std::move(v));
  return d;
}

s3::Response FakeS3::delete_object(const s3::Request& req) {
  bool bypass = header_value(req, "x-amz-bypass-governance-retention") == "true";
  Deletion d = delete_one(req.key, query_value(req, "versionId").value_or(""), bypass);
  if (!d.code.empty()) return error_document(403, d.code);
  s3::Response r = status(204);
  if (versioned() && !d.version_id.empty()) r.headers.emplace_back("x-amz-version-id", d.version_id);
  if (d.marker) r.headers.emplace_back("x-amz-delete-marker", "true");
  return r;
}

void FakeS3::put(const std::string& key, std::vector<std::uint8_t> body) {
  if (!versioned()) {
    objects[key] = Object(std::move(body), now_epoch());
    return;
  }
  put_version(key, std::move(body));
}

std::string FakeS3::put_version(const std::string& key, std::vector<std::uint8_t> body,
                                std::optional<std::int64_t> modified, std::optional<s3::Retention> retention) {
  settle();
  Object o(std::move(body), modified.value_or(now_epoch()), std::move(retention));
  std::string id = o.version_id = next_version_id();
  store_version(key, std::move(o));
  return id;
}

std::string FakeS3::add_delete_marker(const std::string& key, std::optional<std::int64_t> modified) {
  settle();
  Object marker({}, modified.value_or(now_epoch()));
  marker.delete_marker = true;
  std::string id = marker.version_id = next_version_id();
  store_version(key, std::move(marker));
  return id;
}

std::vector<FakeS3::Object> FakeS3::versions(const std::string& key) const {
  std::vector<Object> out;
  if (auto it = objects.find(key); it != objects.end()) out.push_back(it->second);
  if (auto h = history_.find(key); h != history_.end()) out.insert(out.end(), h->second.begin(), h->second.end());
  // A version a test put into `objects` by hand is named "null" (settle() names it so too).
  if (versioned() && !out.empty() && out.front().version_id.empty()) out.front().version_id = "null";
  return out;
}

std::vector<std::string> FakeS3::versioned_keys(std::string_view prefix) const {
  std::vector<std::string> out = keys(prefix);
  for (const auto& [k, v] : history_) {
    if (k.starts_with(prefix)) out.push_back(k);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool FakeS3::set_retention(const std::string& key, const std::string& version_id,
                           std::optional<s3::Retention> retention) {
  settle();
  for (Object* o : chain(key)) {
    if (shown_id(*o) != version_id || o->delete_marker) continue;
    o->retention = std::move(retention);
    return true;
  }
  return false;
}

}  // namespace pbs::test
