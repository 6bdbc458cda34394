#include "s3/xml.h"

#include <pugixml.hpp>

#include "s3/uri_encode.h"
#include "util/calendar.h"

namespace pbs::s3 {

namespace {

Result<pugi::xml_document> load(std::string_view xml, std::string_view what) {
  pugi::xml_document doc;
  auto r = doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!r) {
    return Error(Errc::remote, std::string(what) + ": response is not valid XML (" +
                                   r.description() + " at offset " + std::to_string(r.offset) + ")");
  }
  return doc;
}

std::string text_of(const pugi::xml_node& node, const char* child) {
  return node.child(child).text().as_string();
}

// With encoding-type=url the server URL-encodes keys (AWS writes spaces as '+').
std::string decode_key(const std::string& s, bool url_encoded) {
  if (!url_encoded) return s;
  std::string plus;
  plus.reserve(s.size());
  for (char c : s) plus += c == '+' ? ' ' : c;
  return uri_decode(plus);
}

bool parse_u64(const char* s, std::uint64_t& out) {
  if (!*s) return false;
  std::uint64_t v = 0;
  for (; *s; ++s) {
    if (*s < '0' || *s > '9') return false;
    if (v > (UINT64_MAX - 9) / 10) return false;
    v = v * 10 + std::uint64_t(*s - '0');
  }
  out = v;
  return true;
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\r': out += "&#13;"; break;
      case '\n': out += "&#10;"; break;
      case '\t': out += "&#9;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {
Result<ObjectInfo> parse_entry(const pugi::xml_node& c, bool url, std::string_view what, bool sized) {
  ObjectInfo o;
  o.key = decode_key(text_of(c, "Key"), url);
  if (o.key.empty()) return Error(Errc::remote, std::string(what) + ": an entry has no Key");
  if (sized && !parse_u64(c.child("Size").text().as_string(), o.size)) {
    return Error(Errc::remote, std::string(what) + ": entry '" + o.key + "' has no valid Size");
  }
  o.etag = text_of(c, "ETag");
  if (o.etag.size() >= 2 && o.etag.front() == '"' && o.etag.back() == '"') {
    o.etag = o.etag.substr(1, o.etag.size() - 2);
  }
  // Garbage collection keeps what is younger than its cutoff: a date it cannot read must not pass
  // for 1970, so only an absent one is 0.
  if (auto lm = c.child("LastModified")) {
    auto t = parse_rfc3339(lm.text().as_string());
    if (!t) return Error(Errc::remote, std::string(what) + ": entry '" + o.key + "': " + t.error().message());
    o.last_modified = *t;
  }
  o.storage_class = text_of(c, "StorageClass");
  return o;
}

void read_common_prefixes(const pugi::xml_node& root, bool url, ListPage& page) {
  for (auto p : root.children("CommonPrefixes")) page.common_prefixes.push_back(decode_key(text_of(p, "Prefix"), url));
}
}  // namespace

Result<ListPage> parse_versions_page(std::string_view xml) {
  PBS_ASSIGN(auto doc, load(xml, "ListObjectVersions"));
  auto root = doc.child("ListVersionsResult");
  if (!root) return Error(Errc::remote, "ListObjectVersions: response has no ListVersionsResult");
  bool url = std::string_view(root.child("EncodingType").text().as_string()) == "url";
  ListPage page;
  page.truncated = std::string_view(root.child("IsTruncated").text().as_string()) == "true";
  page.next_key_marker = decode_key(text_of(root, "NextKeyMarker"), url);
  page.next_version_id_marker = text_of(root, "NextVersionIdMarker");
  for (auto c : root.children()) {
    std::string_view name = c.name();
    bool marker = name == "DeleteMarker";
    if (!marker && name != "Version") continue;
    PBS_ASSIGN(ObjectInfo o, parse_entry(c, url, "ListObjectVersions", !marker));
    o.version_id = text_of(c, "VersionId");
    if (o.version_id.empty()) return Error(Errc::remote, "ListObjectVersions: entry '" + o.key + "' has no VersionId");
    o.delete_marker = marker;
    o.latest = std::string_view(c.child("IsLatest").text().as_string()) == "true";
    page.objects.push_back(std::move(o));
  }
  read_common_prefixes(root, url, page);
  if (page.truncated && page.next_key_marker.empty()) {
    return Error(Errc::remote, "ListObjectVersions: truncated page without NextKeyMarker");
  }
  return page;
}

Result<std::string> parse_versioning_status(std::string_view xml) {
  PBS_ASSIGN(auto doc, load(xml, "GetBucketVersioning"));
  auto root = doc.child("VersioningConfiguration");
  if (!root) return Error(Errc::remote, "GetBucketVersioning: response has no VersioningConfiguration");
  return text_of(root, "Status");
}

Result<LockConfiguration> parse_lock_configuration(std::string_view xml) {
  PBS_ASSIGN(auto doc, load(xml, "GetObjectLockConfiguration"));
  auto root = doc.child("ObjectLockConfiguration");
  if (!root) return Error(Errc::remote, "GetObjectLockConfiguration: response has no ObjectLockConfiguration");
  LockConfiguration c;
  c.enabled = text_of(root, "ObjectLockEnabled") == "Enabled";
  auto d = root.child("Rule").child("DefaultRetention");
  c.default_mode = text_of(d, "Mode");
  c.default_days = d.child("Days").text().as_uint();
  c.default_years = d.child("Years").text().as_uint();
  return c;
}

Result<ObjectRetention> parse_object_retention(std::string_view xml) {
  PBS_ASSIGN(auto doc, load(xml, "GetObjectRetention"));
  auto root = doc.child("Retention");
  if (!root) return Error(Errc::remote, "GetObjectRetention: response has no Retention");
  ObjectRetention r;
  r.mode = text_of(root, "Mode");
  auto until = parse_rfc3339(text_of(root, "RetainUntilDate"));
  if (!until) return Error(Errc::remote, "GetObjectRetention: RetainUntilDate " + until.error().message());
  r.until = *until;
  return r;
}

Result<ListPage> parse_list_page(std::string_view xml) {
  PBS_ASSIGN(auto doc, load(xml, "ListObjectsV2"));
  auto root = doc.child("ListBucketResult");
  if (!root) return Error(Errc::remote, "ListObjectsV2: response has no ListBucketResult");
  bool url = std::string_view(root.child("EncodingType").text().as_string()) == "url";
  ListPage page;
  page.truncated = std::string_view(root.child("IsTruncated").text().as_string()) == "true";
  page.next_token = text_of(root, "NextContinuationToken");
  for (auto c : root.children("Contents")) {
    PBS_ASSIGN(ObjectInfo o, parse_entry(c, url, "ListObjectsV2", true));
    page.objects.push_back(std::move(o));
  }
  read_common_prefixes(root, url, page);
  if (page.truncated && page.next_token.empty()) {
    return Error(Errc::remote, "ListObjectsV2: truncated page without NextContinuationToken");
  }
  return page;
}

std::string delete_objects_xml(const std::vector<std::string>& keys, const std::vector<std::string>& version_ids) {
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                    "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>";
  for (std::size_t i = 0; i < keys.size(); ++i) {
    xml += "<Object><Key>";
    xml += xml_escape(keys[i]);
    xml += "</Key>";
    if (i < version_ids.size() && !version_ids[i].empty()) xml += "<VersionId>" + xml_escape(version_ids[i]) + "</VersionId>";
    xml += "</Object>";
  }
  xml += "</Delete>";
  return xml;
}

Result<DeleteResult> parse_delete_result(std::string_view xml) {
  PBS_ASSIGN(auto doc, load(xml, "DeleteObjects"));
  auto root = doc.child("DeleteResult");
  if (!root) return Error(Errc::remote, "DeleteObjects: response has no DeleteResult");
  DeleteResult r;
  for (auto d : root.children("Deleted")) r.deleted.push_back(text_of(d, "Key"));
  for (auto e : root.children("Error")) {
    r.errors.push_back({text_of(e, "Key"), text_of(e, "VersionId"), text_of(e, "Code"), text_of(e, "Message")});
  }
  return r;
}

std::optional<ErrorBody> parse_error_body(std::string_view xml) {
  if (xml.empty()) return std::nullopt;
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size())) return std::nullopt;
  auto e = doc.child("Error");
  if (!e) return std::nullopt;
  return ErrorBody{text_of(e, "Code"), text_of(e, "Message"), text_of(e, "RequestId"),
                   text_of(e, "Resource")};
}

}  // namespace pbs::s3
