#pragma once
// S3 operations as plain values: what to send (method, key, query, headers, body) and which
// statuses count as an answer rather than an error. Building a request does no I/O; the
// transfer engine signs and sends it.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "s3/sigv4.h"
#include "util/result.h"

namespace pbs::s3 {

enum class Op {
  put_object,
  get_object,
  head_object,
  delete_object,
  list_objects,
  delete_objects,
  head_bucket,
  create_bucket,
  copy_object,
  list_object_versions,
  get_bucket_versioning,
  get_object_lock_configuration,
  put_object_retention,
  get_object_retention,
  restore_object,
};
// "PutObject", "GetObject", ...: the names S3's documentation and bills use.
std::string_view op_name(Op op);
// How providers bill an operation (by its op_name): "put-copy-post-list" (AWS's PUT tier, B2's
// and R2's class A), "get-head" (GET tier, class B), "delete" (free on AWS, B2, R2), "retention"
// (PutObjectRetention: billed as a PUT on AWS, counted apart since Object Lock alone causes it).
std::string_view price_class(std::string_view op_name);

struct FileRange {
  std::string path;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

using Bytes = std::shared_ptr<const std::vector<std::uint8_t>>;

struct Request {
  Op op = Op::get_object;
  std::string method;
  std::string bucket;
  std::string key;  // object key, not encoded
  std::vector<QueryParam> query;
  std::vector<Header> headers;  // operation headers; host, date and auth are added when sent
  Bytes body;                   // in-memory body, or
  std::optional<FileRange> body_file;  // a body streamed from a file
  std::string payload_sha256;  // hex; computed by the engine when empty and there is a body
  bool content_md5 = false;    // send Content-MD5 (computed with the SHA-256)
  // Runs on the bytes before anything is sent (off the event loop); an error ends the request
  // without sending it. A file body is then read once, into memory (keep such bodies small).
  std::function<Status(std::span<const std::uint8_t>)> check_body;
  // Runs after the check, also off the event loop: the bytes sent are what it returns (a chunk
  // encrypted on its way up). Retries send those same bytes again.
  std::function<Result<std::vector<std::uint8_t>>(std::span<const std::uint8_t>)> transform_body;
  std::vector<long> accepted_statuses;  // besides 2xx, e.g. 404 for HEAD, 412 for If-None-Match

  std::uint64_t body_size() const;
  bool accepts(long status) const;
  // "PutObject s3://bucket/key" for messages.
  std::string describe() const;
};

// S3 Object Lock retention: the version may not be deleted or overwritten before `until`.
struct Retention {
  std::string mode;       // GOVERNANCE or COMPLIANCE
  std::int64_t until = 0;  // epoch seconds
};
// "2026-12-31T00:00:00Z", the form the lock headers and documents take.
std::string iso8601(std::int64_t epoch);

struct PutOptions {
  bool if_none_match = false;  // fail with 412 instead of overwriting
  bool content_md5 = false;    // (always sent with a retention: AWS refuses lock headers without it)
  std::optional<Retention> retention;
  std::string content_type = "application/octet-stream";
  std::string storage_class;  // e.g. STANDARD_IA
  std::string sse;            // AES256 or aws:kms
  std::string sse_kms_key_id;
};

Request put_object(std::string bucket, std::string key, Bytes body, const PutOptions& options = {});
Request put_object_file(std::string bucket, std::string key, FileRange body,
                        const PutOptions& options = {});

struct Range {
  std::uint64_t first;
  std::optional<std::uint64_t> last;  // inclusive; nullopt: to the end
};
// 404 is an answer (the caller gets status 404), not an error.
Request get_object(std::string bucket, std::string key, std::optional<Range> range = {});
// The request (GET, HEAD) on one version of its object; an empty id leaves it on the current one.
Request on_version(Request request, const std::string& version_id);
Request head_object(std::string bucket, std::string key);
// RestoreObject (POST ?restore): a readable copy of an archived object (GLACIER, DEEP_ARCHIVE) for
// `days`, made by the provider at `tier` ("Bulk", "Standard", "Expedited"). 202: asked now; 200:
// readable already (its days renewed); 409 RestoreAlreadyInProgress is an answer, not an error.
Request restore_object(std::string bucket, std::string key, unsigned days, std::string_view tier);
// GLACIER and DEEP_ARCHIVE: a GET answers 403 InvalidObjectState until a restore made a copy
// (GLACIER_IR and the infrequent-access classes read at once).
bool is_archive_class(std::string_view storage_class);
Request delete_object(std::string bucket, std::string key);

struct ListOptions {
  std::string prefix;
  std::string delimiter;
  std::string start_after;
  std::string continuation_token;
  unsigned max_keys = 0;  // 0: the server's default (1000)
  // ListObjectVersions instead: every version and delete marker, newest first per key, paged by
  // the two markers (start_after and continuation_token are not used).
  bool versions = false;
  std::string key_marker;
  std::string version_id_marker;
};
Request list_objects(std::string bucket, const ListOptions& options);

// At most 1000 keys (S3's limit); keys are XML-escaped in the body, Quiet mode on. With
// `version_ids` (one per key, "" for none) those versions are deleted, not hidden by a marker.
Request delete_objects(std::string bucket, const std::vector<std::string>& keys,
                       const std::vector<std::string>& version_ids = {});
inline constexpr std::size_t kMaxDeleteKeys = 1000;

// Server-side copy of an object onto itself with fresh metadata: renews its Last-Modified time
// without sending the data again (how a reused chunk is "touched" against garbage collection).
// It keeps the storage class and server-side encryption of `options` (the chunk's PUT options).
Request touch_object(std::string bucket, std::string key, const PutOptions& options = {});

Request head_bucket(std::string bucket);
// `object_lock`: created with Object Lock enabled (and so versioned), which only creation can do.
Request create_bucket(std::string bucket, std::string_view region, bool object_lock = false);
// The bucket's versioning state and Object Lock configuration (404 for a bucket without lock is
// an answer).
Request get_bucket_versioning(std::string bucket);
Request get_object_lock_configuration(std::string bucket);
// Sets the retention of the current version (or `version_id`); S3 allows lengthening only,
// which is all this tool asks for.
Request put_object_retention(std::string bucket, std::string key, const Retention& retention,
                             const std::string& version_id = "");
Request get_object_retention(std::string bucket, std::string key);

}  // namespace pbs::s3
