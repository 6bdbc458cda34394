// The in-memory bucket's settings and Object Lock: versioning and lock configuration, retention
// on PUT and by PutObjectRetention (lengthened only), GetObjectRetention, and DeleteObjects with
// its per-key answers (a version under retention is refused with AccessDenied).
#include <pugixml.hpp>

#include "fake_s3.h"
#include "fake_s3_answers.h"
#include "s3/xml.h"
#include "util/calendar.h"

namespace pbs::test {

using fake::error_document;
using fake::header_value;
using fake::query_value;
using fake::status;

namespace {

bool valid_mode(const std::string& mode) { return mode == "GOVERNANCE" || mode == "COMPLIANCE"; }

const char* kNoLock = "Bucket is missing Object Lock Configuration";

s3::Response xml_answer(const std::string& xml) {
  s3::Response r = status(200);
  fake::set_body(r, std::string(fake::kXmlHead) + xml);
  return r;
}

}  // namespace

s3::Response FakeS3::bucket_versioning() const {
  std::string state = object_lock ? "Enabled" : versioning;
  std::string xmlns = "xmlns=\"" + std::string(fake::kXmlns) + "\"";
  // A bucket never versioned has no Status at all.
  if (state.empty()) return xml_answer("<VersioningConfiguration " + xmlns + "/>");
  return xml_answer("<VersioningConfiguration " + xmlns + "><Status>" + state + "</Status></VersioningConfiguration>");
}

s3::Response FakeS3::lock_configuration() const {
  if (!object_lock) return error_document(404, "ObjectLockConfigurationNotFoundError");
  return xml_answer("<ObjectLockConfiguration xmlns=\"" + std::string(fake::kXmlns) +
                    "\"><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>");
}

// The retention a PUT or copy asks for in its lock headers, or the refusal S3 answers.
std::optional<s3::Response> FakeS3::lock_headers(const s3::Request& req, std::optional<s3::Retention>& out) const {
  auto mode = header_value(req, "x-amz-object-lock-mode");
  auto until = header_value(req, "x-amz-object-lock-retain-until-date");
  if (!mode && !until) return std::nullopt;
  if (!object_lock) return error_document(400, "InvalidRequest", kNoLock);
  if (!mode || !until) {
    return error_document(400, "InvalidArgument",
                          "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied");
  }
  auto when = parse_rfc3339(*until);
  if (!valid_mode(*mode) || !when) return error_document(400, "InvalidArgument");
  if (*when <= now_epoch()) return error_document(400, "InvalidArgument", "The retain until date must be in the future!");
  if (flavor == Flavor::aws && !req.content_md5) {
    return error_document(400, "InvalidRequest",
                          "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with "
                          "Object Lock parameters");
  }
  out = s3::Retention{*mode, *when};
  return std::nullopt;
}

namespace {

// The answer for a retention request on a key or version that has none to give.
s3::Response no_version(FakeS3::Flavor flavor, bool marker, bool missing_version) {
  if (flavor == FakeS3::Flavor::radosgw) return error_document(404, "NoSuchKey");  // a marker is no object to it
  if (marker) return error_document(405, "MethodNotAllowed");
  return error_document(404, missing_version ? "NoSuchVersion" : "NoSuchKey");
}

}  // namespace

s3::Response FakeS3::put_retention(const s3::Request& req, const std::vector<std::uint8_t>& body) {
  if (!object_lock) return error_document(400, "InvalidRequest", kNoLock);
  if (flavor == Flavor::aws && !req.content_md5) {
    return error_document(400, "InvalidRequest", "Missing required header for this request: Content-Md5");
  }
  pugi::xml_document doc;
  auto root = doc.load_buffer(body.data(), body.size()) ? doc.child("Retention") : pugi::xml_node();
  std::string mode = root.child("Mode").text().as_string();
  auto until = parse_rfc3339(root.child("RetainUntilDate").text().as_string());
  if (!root || !valid_mode(mode) || !until) return error_document(400, "MalformedXML");
  if (*until <= now_epoch()) return error_document(400, "InvalidArgument", "The retain until date must be in the future!");
  auto found = lookup(req.key, query_value(req, "versionId"));
  if (found.state != Lookup::State::found) {
    return no_version(flavor, found.version != nullptr, found.state == Lookup::State::missing_version);
  }
  Object& v = *found.version;
  bool bypass = header_value(req, "x-amz-bypass-governance-retention") == "true";
  if (v.retention && v.retention->until > now_epoch()) {
    // Shortening, or COMPLIANCE turned into GOVERNANCE: refused, as radosgw refuses it; GOVERNANCE
    // gives way to the bypass header.
    bool weaker = v.retention->mode == "COMPLIANCE" && mode == "GOVERNANCE";
    bool shorter = *until < v.retention->until;
    bool bypassed = bypass && v.retention->mode == "GOVERNANCE";
    if ((weaker || shorter) && !bypassed) return error_document(403, "AccessDenied");
  }
  v.retention = s3::Retention{mode, *until};
  return status(200);
}

s3::Response FakeS3::get_retention(const s3::Request& req) {
  if (!object_lock) return error_document(400, "InvalidRequest", kNoLock);
  auto found = lookup(req.key, query_value(req, "versionId"));
  if (found.state != Lookup::State::found) {
    return no_version(flavor, found.version != nullptr, found.state == Lookup::State::missing_version);
  }
  const auto& held = found.version->retention;
  if (!held) return error_document(404, "NoSuchObjectLockConfiguration");
  return xml_answer("<Retention xmlns=\"" + std::string(fake::kXmlns) + "\"><Mode>" + held->mode +
                    "</Mode><RetainUntilDate>" + s3::iso8601(held->until) + "</RetainUntilDate></Retention>");
}

std::optional<std::string> FakeS3::scripted_delete_failure(const std::string& key, const std::string& version_id) {
  for (auto& f : delete_faults_) {
    if (f.times == 0 || !f.match(key, version_id)) continue;
    if (f.times > 0) --f.times;
    return f.code;
  }
  return std::nullopt;
}

s3::Response FakeS3::delete_objects(const s3::Request& req, const std::vector<std::uint8_t>& body) {
  if (flavor == Flavor::aws && !req.content_md5) {
    return error_document(400, "InvalidRequest", "Missing required header for this request: Content-Md5");
  }
  pugi::xml_document doc;
  auto root = doc.load_buffer(body.data(), body.size()) ? doc.child("Delete") : pugi::xml_node();
  auto items = root.children("Object");
  std::size_t n = std::size_t(std::distance(items.begin(), items.end()));
  if (!root || n == 0 || n > s3::kMaxDeleteKeys) return error_document(400, "MalformedXML");
  bool quiet = std::string_view(root.child("Quiet").text().as_string()) == "true";
  bool bypass = header_value(req, "x-amz-bypass-governance-retention") == "true";
  std::string xml = "<DeleteResult xmlns=\"" + std::string(fake::kXmlns) + "\">";
  for (auto o : items) {
    std::string key = o.child("Key").text().as_string();
    std::string version = o.child("VersionId").text().as_string();
    auto code = scripted_delete_failure(key, version);
    Deletion d = code ? Deletion{*code, version, false} : delete_one(key, version, bypass);
    std::string id = version.empty() ? "" : "<VersionId>" + s3::xml_escape(version) + "</VersionId>";
    if (!d.code.empty()) {
      xml += "<Error><Key>" + s3::xml_escape(key) + "</Key>" + id + "<Code>" + d.code + "</Code><Message>" +
             s3::xml_escape(fake::error_message(d.code)) + "</Message></Error>";
    } else if (!quiet) {
      std::string marker = d.marker ? "<DeleteMarker>true</DeleteMarker><DeleteMarkerVersionId>" + d.version_id +
                                          "</DeleteMarkerVersionId>"
                                    : "";
      xml += "<Deleted><Key>" + s3::xml_escape(key) + "</Key>" + id + marker + "</Deleted>";
    }
  }
  return xml_answer(xml + "</DeleteResult>");
}

}  // namespace pbs::test
