// The in-memory bucket's listings: ListObjectsV2 (current versions) and ListObjectVersions
// (every version and delete marker, newest first within a key), with prefix, delimiter
// (CommonPrefixes), max-keys capped at 1000 and S3's paging parameters.
#include <algorithm>
#include <set>

#include "fake_s3.h"
#include "fake_s3_answers.h"
#include "s3/xml.h"
#include "util/hex.h"

namespace pbs::test {

using fake::listed_text;
using fake::query_value;

namespace {

constexpr std::size_t kMaxListing = 1000;  // S3 returns at most this many per page

std::size_t page_limit(const s3::Request& req) {
  auto max = query_value(req, "max-keys");
  if (!max || max->empty()) return kMaxListing;
  return std::min<std::size_t>(std::stoul(*max), kMaxListing);
}

// The common prefix a key rolls up into at the delimiter, or "" when it is listed itself.
std::string rolled_up(const std::string& key, const std::string& prefix, const std::string& delimiter) {
  if (delimiter.empty()) return {};
  auto at = key.find(delimiter, prefix.size());
  return at == std::string::npos ? std::string() : key.substr(0, at + delimiter.size());
}

// Continuation tokens are opaque to clients; this one says where the page ended: after a key
// ("k") or after a common prefix and every key under it ("p").
std::string make_token(char kind, const std::string& item) {
  std::string raw = kind + item;
  return to_hex(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size()));
}

std::pair<char, std::string> read_token(const std::string& token) {
  std::string raw(token.size() / 2, '\0');
  if (raw.empty() || !from_hex(token, std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(raw.data()), raw.size()))) {
    return {'k', token};
  }
  return {raw[0], raw.substr(1)};
}

struct ListParams {
  std::string prefix, delimiter;
  bool url = false;
  std::size_t limit = kMaxListing;
};

ListParams list_params(const s3::Request& req) {
  return {query_value(req, "prefix").value_or(""), query_value(req, "delimiter").value_or(""),
          query_value(req, "encoding-type") == "url", page_limit(req)};
}

std::string common_prefixes_xml(const std::vector<std::string>& prefixes, bool url) {
  std::string xml;
  for (const auto& p : prefixes) xml += "<CommonPrefixes><Prefix>" + listed_text(p, url) + "</Prefix></CommonPrefixes>";
  return xml;
}

constexpr std::string_view kOwner = "<Owner><ID>fake</ID><DisplayName>fake</DisplayName></Owner>";

}  // namespace

s3::Response FakeS3::list(const s3::Request& req) const {
  ListParams p = list_params(req);
  auto token = query_value(req, "continuation-token");
  auto after = query_value(req, "start-after").value_or("");
  // A continuation token wins over start-after, as in S3.
  auto [kind, resume] = token ? read_token(*token) : std::pair<char, std::string>{'k', after};
  std::string contents, last_prefix, last_item;
  char last_kind = 'k';
  std::vector<std::string> prefixes;
  std::size_t n = 0;
  bool truncated = false;
  for (auto it = objects.lower_bound(std::max(p.prefix, resume)); it != objects.end(); ++it) {
    const std::string& key = it->first;
    if (!key.starts_with(p.prefix)) break;
    if (!resume.empty() && (key <= resume || (kind == 'p' && key.starts_with(resume)))) continue;
    std::string cp = rolled_up(key, p.prefix, p.delimiter);
    if (!cp.empty() && cp == last_prefix) continue;
    if (n == p.limit) {
      truncated = true;
      break;
    }
    ++n;
    if (!cp.empty()) {
      prefixes.push_back(last_prefix = last_item = cp);
      last_kind = 'p';
      continue;
    }
    const Object& o = it->second;
    contents += "<Contents><Key>" + listed_text(key, p.url) + "</Key><LastModified>" + fake::iso8601_ms(o.modified) +
                "</LastModified><ETag>" + s3::xml_escape(fake::quoted_etag(o.body)) + "</ETag><Size>" +
                std::to_string(o.body.size()) + "</Size><StorageClass>STANDARD</StorageClass></Contents>";
    last_item = key;
    last_kind = 'k';
  }
  std::string xml = std::string(fake::kXmlHead) + "<ListBucketResult xmlns=\"" + std::string(fake::kXmlns) + "\"><Name>" +
                    bucket_ + "</Name><Prefix>" + listed_text(p.prefix, p.url) + "</Prefix>";
  if (token) xml += "<ContinuationToken>" + *token + "</ContinuationToken>";
  if (!after.empty()) xml += "<StartAfter>" + listed_text(after, p.url) + "</StartAfter>";
  xml += "<KeyCount>" + std::to_string(n) + "</KeyCount><MaxKeys>" + std::to_string(p.limit) + "</MaxKeys>";
  if (!p.delimiter.empty()) xml += "<Delimiter>" + listed_text(p.delimiter, p.url) + "</Delimiter>";
  if (p.url) xml += "<EncodingType>url</EncodingType>";
  xml += std::string("<IsTruncated>") + (truncated ? "true" : "false") + "</IsTruncated>";
  if (truncated) xml += "<NextContinuationToken>" + make_token(last_kind, last_item) + "</NextContinuationToken>";
  xml += contents + common_prefixes_xml(prefixes, p.url) + "</ListBucketResult>";
  s3::Response r = fake::status(200);
  fake::set_body(r, xml);
  return r;
}

namespace {

std::string version_xml(const std::string& key, const FakeS3::Object& o, bool latest, bool url) {
  std::string id = o.version_id.empty() ? "null" : o.version_id;
  std::string common = "<Key>" + listed_text(key, url) + "</Key><VersionId>" + id + "</VersionId><IsLatest>" +
                       (latest ? "true" : "false") + "</IsLatest><LastModified>" + fake::iso8601_ms(o.modified) +
                       "</LastModified>";
  if (o.delete_marker) return "<DeleteMarker>" + common + std::string(kOwner) + "</DeleteMarker>";
  return "<Version>" + common + "<ETag>" + s3::xml_escape(fake::quoted_etag(o.body)) + "</ETag><Size>" +
         std::to_string(o.body.size()) + "</Size><StorageClass>STANDARD</StorageClass>" + std::string(kOwner) +
         "</Version>";
}

}  // namespace

namespace {

// One ListObjectVersions page as it is walked: its entries, prefixes and where it ended.
struct VersionsPage {
  std::string entries, last_prefix, next_key, next_id;
  std::vector<std::string> prefixes;
  std::size_t n = 0;
  bool truncated = false;
};

std::string versions_document(const std::string& bucket, const ListParams& p, const std::string& key_marker,
                              const std::string& id_marker, const VersionsPage& page) {
  std::string xml = std::string(fake::kXmlHead) + "<ListVersionsResult xmlns=\"" + std::string(fake::kXmlns) + "\"><Name>" +
                    bucket + "</Name><Prefix>" + listed_text(p.prefix, p.url) + "</Prefix><KeyMarker>" +
                    listed_text(key_marker, p.url) + "</KeyMarker><VersionIdMarker>" + id_marker +
                    "</VersionIdMarker><MaxKeys>" + std::to_string(p.limit) + "</MaxKeys>";
  if (!p.delimiter.empty()) xml += "<Delimiter>" + listed_text(p.delimiter, p.url) + "</Delimiter>";
  if (p.url) xml += "<EncodingType>url</EncodingType>";
  xml += std::string("<IsTruncated>") + (page.truncated ? "true" : "false") + "</IsTruncated>";
  if (page.truncated) {
    xml += "<NextKeyMarker>" + listed_text(page.next_key, p.url) + "</NextKeyMarker>";
    if (!page.next_id.empty()) xml += "<NextVersionIdMarker>" + page.next_id + "</NextVersionIdMarker>";
  }
  return xml + page.entries + common_prefixes_xml(page.prefixes, p.url) + "</ListVersionsResult>";
}

// Where a page resumes inside the key it ended in: after the version the marker names.
std::size_t resume_index(const std::vector<FakeS3::Object>& all, const std::string& id_marker) {
  auto at = std::find_if(all.begin(), all.end(), [&](const FakeS3::Object& o) {
    return (o.version_id.empty() ? "null" : o.version_id) == id_marker;
  });
  return at == all.end() ? all.size() : std::size_t(at - all.begin()) + 1;
}

}  // namespace

s3::Response FakeS3::list_versions(const s3::Request& req) const {
  ListParams p = list_params(req);
  std::string key_marker = query_value(req, "key-marker").value_or("");
  std::string id_marker = query_value(req, "version-id-marker").value_or("");
  std::set<std::string> keys;
  for (auto it = objects.lower_bound(p.prefix); it != objects.end() && it->first.starts_with(p.prefix); ++it) keys.insert(it->first);
  for (auto it = history_.lower_bound(p.prefix); it != history_.end() && it->first.starts_with(p.prefix); ++it) keys.insert(it->first);
  VersionsPage page;
  for (auto k = keys.lower_bound(key_marker); k != keys.end() && !page.truncated; ++k) {
    const std::string& key = *k;
    if (key == key_marker && id_marker.empty()) continue;
    std::string cp = rolled_up(key, p.prefix, p.delimiter);
    if (!cp.empty()) {
      // A page that ended at a common prefix resumes after every key under it.
      if (cp == page.last_prefix || cp == key_marker) continue;
      page.truncated = page.n == p.limit;
      if (page.truncated) break;
      ++page.n;
      page.prefixes.push_back(page.last_prefix = page.next_key = cp);
      page.next_id.clear();
      continue;
    }
    std::vector<Object> all = versions(key);
    for (std::size_t i = key == key_marker ? resume_index(all, id_marker) : 0; i < all.size(); ++i) {
      page.truncated = page.n == p.limit;
      if (page.truncated) break;
      ++page.n;
      page.entries += version_xml(key, all[i], i == 0, p.url);
      page.next_key = key;
      page.next_id = all[i].version_id.empty() ? "null" : all[i].version_id;
    }
  }
  s3::Response r = fake::status(200);
  fake::set_body(r, versions_document(bucket_, p, key_marker, id_marker, page));
  return r;
}

}  // namespace pbs::test
