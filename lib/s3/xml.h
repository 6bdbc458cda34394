#pragma once
// The XML S3 speaks: ListObjectsV2 pages, DeleteObjects request and result, error bodies.
// Parsed with pugixml; every parser takes untrusted bytes (a fuzz target covers them).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace pbs::s3 {

std::string xml_escape(std::string_view text);

struct ObjectInfo {
  std::string key;
  std::uint64_t size = 0;
  std::string etag;  // without quotes
  std::int64_t last_modified = 0;  // epoch seconds; 0 when absent, Errc::remote when not RFC 3339
  std::string storage_class;
  // From ListObjectVersions only:
  std::string version_id;
  bool delete_marker = false;
  bool latest = false;
};

struct ListPage {
  std::vector<ObjectInfo> objects;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string next_token;
  std::string next_key_marker;         // ListObjectVersions
  std::string next_version_id_marker;
};
Result<ListPage> parse_list_page(std::string_view xml);
// A ListObjectVersions page: versions and delete markers in the server's order (by key, newest
// first within a key).
Result<ListPage> parse_versions_page(std::string_view xml);

// GetBucketVersioning: "Enabled", "Suspended", or "" for a bucket never versioned.
Result<std::string> parse_versioning_status(std::string_view xml);

struct LockConfiguration {
  bool enabled = false;
  std::string default_mode;  // the bucket's default retention, if it has one
  unsigned default_days = 0;
  unsigned default_years = 0;
};
Result<LockConfiguration> parse_lock_configuration(std::string_view xml);

// GetObjectRetention: the mode and retain-until (epoch) of one version.
struct ObjectRetention {
  std::string mode;
  std::int64_t until = 0;
};
Result<ObjectRetention> parse_object_retention(std::string_view xml);

std::string delete_objects_xml(const std::vector<std::string>& keys, const std::vector<std::string>& version_ids = {});

struct DeleteFailure {
  std::string key;
  std::string version_id;
  std::string code;
  std::string message;
};
struct DeleteResult {
  std::vector<std::string> deleted;
  std::vector<DeleteFailure> errors;
};
Result<DeleteResult> parse_delete_result(std::string_view xml);

struct ErrorBody {
  std::string code;
  std::string message;
  std::string request_id;
  std::string resource;
};
// nullopt when the body is not an S3 <Error> document.
std::optional<ErrorBody> parse_error_body(std::string_view xml);

}  // namespace pbs::s3
