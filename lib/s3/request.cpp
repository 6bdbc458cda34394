#include "s3/request.h"

#include <algorithm>

#include "s3/uri_encode.h"
#include "s3/xml.h"
#include "util/calendar.h"

namespace pbs::s3 {

std::string_view op_name(Op op) {
  switch (op) {
    case Op::put_object: return "PutObject";
    case Op::get_object: return "GetObject";
    case Op::head_object: return "HeadObject";
    case Op::delete_object: return "DeleteObject";
    case Op::list_objects: return "ListObjectsV2";
    case Op::delete_objects: return "DeleteObjects";
    case Op::head_bucket: return "HeadBucket";
    case Op::create_bucket: return "CreateBucket";
    case Op::copy_object: return "CopyObject";
    case Op::list_object_versions: return "ListObjectVersions";
    case Op::get_bucket_versioning: return "GetBucketVersioning";
    case Op::get_object_lock_configuration: return "GetObjectLockConfiguration";
    case Op::put_object_retention: return "PutObjectRetention";
    case Op::get_object_retention: return "GetObjectRetention";
    case Op::restore_object: return "RestoreObject";
  }
  return "?";
}

std::string_view price_class(std::string_view op) {
  if (op == "PutObjectRetention") return "retention";
  if (op == "DeleteObject" || op == "DeleteObjects") return "delete";
  if (op == "PutObject" || op == "CopyObject" || op == "CreateBucket" || op == "RestoreObject" || op.starts_with("List")) {
    return "put-copy-post-list";
  }
  return "get-head";
}

std::uint64_t Request::body_size() const {
  if (body) return body->size();
  if (body_file) return body_file->length;
  return 0;
}

bool Request::accepts(long status) const {
  if (status >= 200 && status < 300) return true;
  return std::find(accepted_statuses.begin(), accepted_statuses.end(), status) !=
         accepted_statuses.end();
}

std::string Request::describe() const {
  std::string d(op_name(op));
  d += " s3://";
  d += bucket;
  if (!key.empty()) {
    d += '/';
    d += key;
  }
  return d;
}

namespace {
Request make(Op op, std::string method, std::string bucket, std::string key = {}) {
  Request r;
  r.op = op;
  r.method = std::move(method);
  r.bucket = std::move(bucket);
  r.key = std::move(key);
  return r;
}

void put_headers(Request& r, const PutOptions& o) {
  r.headers.emplace_back("Content-Type", o.content_type);
  if (o.if_none_match) {
    r.headers.emplace_back("If-None-Match", "*");
    // 412: the object exists. 501: the provider has no conditional PUT; the caller sends it again
    // without the header (an error here would fail every upload on such a provider).
    r.accepted_statuses.insert(r.accepted_statuses.end(), {412, 501});
  }
  if (!o.storage_class.empty()) r.headers.emplace_back("x-amz-storage-class", o.storage_class);
  if (!o.sse.empty()) r.headers.emplace_back("x-amz-server-side-encryption", o.sse);
  if (!o.sse_kms_key_id.empty()) {
    r.headers.emplace_back("x-amz-server-side-encryption-aws-kms-key-id", o.sse_kms_key_id);
  }
  r.content_md5 = o.content_md5;
  if (o.retention) {
    r.headers.emplace_back("x-amz-object-lock-mode", o.retention->mode);
    r.headers.emplace_back("x-amz-object-lock-retain-until-date", iso8601(o.retention->until));
    r.content_md5 = true;
  }
}
}  // namespace

std::string iso8601(std::int64_t epoch) { return format_rfc3339_utc(epoch); }

Request put_object(std::string bucket, std::string key, Bytes body, const PutOptions& options) {
  Request r = make(Op::put_object, "PUT", std::move(bucket), std::move(key));
  r.body = body ? std::move(body) : std::make_shared<const std::vector<std::uint8_t>>();
  put_headers(r, options);
  return r;
}

Request put_object_file(std::string bucket, std::string key, FileRange body,
                        const PutOptions& options) {
  Request r = make(Op::put_object, "PUT", std::move(bucket), std::move(key));
  r.body_file = std::move(body);
  put_headers(r, options);
  return r;
}

Request get_object(std::string bucket, std::string key, std::optional<Range> range) {
  Request r = make(Op::get_object, "GET", std::move(bucket), std::move(key));
  if (range) {
    std::string v = "bytes=" + std::to_string(range->first) + "-";
    if (range->last) v += std::to_string(*range->last);
    r.headers.emplace_back("Range", v);
  }
  r.accepted_statuses.push_back(404);
  return r;
}

Request on_version(Request request, const std::string& version_id) {
  if (!version_id.empty()) request.query.emplace_back("versionId", version_id);
  return request;
}

Request head_object(std::string bucket, std::string key) {
  Request r = make(Op::head_object, "HEAD", std::move(bucket), std::move(key));
  r.accepted_statuses.push_back(404);
  return r;
}

Request delete_object(std::string bucket, std::string key) {
  return make(Op::delete_object, "DELETE", std::move(bucket), std::move(key));
}

Request list_objects(std::string bucket, const ListOptions& o) {
  if (o.versions) {
    Request r = make(Op::list_object_versions, "GET", std::move(bucket));
    r.query.emplace_back("versions", "");
    r.query.emplace_back("encoding-type", "url");
    if (!o.prefix.empty()) r.query.emplace_back("prefix", o.prefix);
    if (!o.delimiter.empty()) r.query.emplace_back("delimiter", o.delimiter);
    if (!o.key_marker.empty()) r.query.emplace_back("key-marker", o.key_marker);
    if (!o.version_id_marker.empty()) r.query.emplace_back("version-id-marker", o.version_id_marker);
    if (o.max_keys) r.query.emplace_back("max-keys", std::to_string(o.max_keys));
    return r;
  }
  Request r = make(Op::list_objects, "GET", std::move(bucket));
  r.query.emplace_back("list-type", "2");
  // Keys come back URL-encoded, so any byte survives the XML (control characters would not).
  r.query.emplace_back("encoding-type", "url");
  if (!o.prefix.empty()) r.query.emplace_back("prefix", o.prefix);
  if (!o.delimiter.empty()) r.query.emplace_back("delimiter", o.delimiter);
  if (!o.start_after.empty()) r.query.emplace_back("start-after", o.start_after);
  if (!o.continuation_token.empty()) r.query.emplace_back("continuation-token", o.continuation_token);
  if (o.max_keys) r.query.emplace_back("max-keys", std::to_string(o.max_keys));
  return r;
}

Request delete_objects(std::string bucket, const std::vector<std::string>& keys,
                       const std::vector<std::string>& version_ids) {
  Request r = make(Op::delete_objects, "POST", std::move(bucket));
  r.query.emplace_back("delete", "");
  std::string xml = delete_objects_xml(keys, version_ids);
  r.body = std::make_shared<const std::vector<std::uint8_t>>(xml.begin(), xml.end());
  r.headers.emplace_back("Content-Type", "application/xml");
  r.content_md5 = true;  // S3 requires Content-MD5 (or a checksum) on DeleteObjects
  return r;
}

Request restore_object(std::string bucket, std::string key, unsigned days, std::string_view tier) {
  Request r = make(Op::restore_object, "POST", std::move(bucket), std::move(key));
  r.query.emplace_back("restore", "");
  std::string xml = "<RestoreRequest xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Days>" + std::to_string(days) +
                    "</Days><GlacierJobParameters><Tier>" + std::string(tier) + "</Tier></GlacierJobParameters></RestoreRequest>";
  r.body = std::make_shared<const std::vector<std::uint8_t>>(xml.begin(), xml.end());
  r.headers.emplace_back("Content-Type", "application/xml");
  r.content_md5 = true;
  r.accepted_statuses = {409};
  return r;
}

bool is_archive_class(std::string_view c) { return c == "GLACIER" || c == "DEEP_ARCHIVE"; }

Request touch_object(std::string bucket, std::string key, const PutOptions& o) {
  Request r = make(Op::copy_object, "PUT", bucket, key);
  r.headers.emplace_back("x-amz-copy-source", uri_encode("/" + bucket + "/" + key, true));
  r.headers.emplace_back("x-amz-metadata-directive", "REPLACE");
  r.headers.emplace_back("Content-Type", "application/octet-stream");
  // A copy is written anew: without these it would lose its class and its server-side encryption.
  if (!o.storage_class.empty()) r.headers.emplace_back("x-amz-storage-class", o.storage_class);
  if (!o.sse.empty()) r.headers.emplace_back("x-amz-server-side-encryption", o.sse);
  if (!o.sse_kms_key_id.empty()) r.headers.emplace_back("x-amz-server-side-encryption-aws-kms-key-id", o.sse_kms_key_id);
  r.body = std::make_shared<const std::vector<std::uint8_t>>();
  return r;
}

Request head_bucket(std::string bucket) {
  return make(Op::head_bucket, "HEAD", std::move(bucket));
}

Request create_bucket(std::string bucket, std::string_view region, bool object_lock) {
  Request r = make(Op::create_bucket, "PUT", std::move(bucket));
  if (object_lock) r.headers.emplace_back("x-amz-bucket-object-lock-enabled", "true");
  std::string xml;
  if (!region.empty() && region != "us-east-1") {
    xml = "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
          "<LocationConstraint>" + xml_escape(region) + "</LocationConstraint>"
          "</CreateBucketConfiguration>";
  }
  r.body = std::make_shared<const std::vector<std::uint8_t>>(xml.begin(), xml.end());
  return r;
}

Request get_bucket_versioning(std::string bucket) {
  Request r = make(Op::get_bucket_versioning, "GET", std::move(bucket));
  r.query.emplace_back("versioning", "");
  return r;
}

Request get_object_lock_configuration(std::string bucket) {
  Request r = make(Op::get_object_lock_configuration, "GET", std::move(bucket));
  r.query.emplace_back("object-lock", "");
  r.accepted_statuses.push_back(404);
  return r;
}

Request put_object_retention(std::string bucket, std::string key, const Retention& retention,
                             const std::string& version_id) {
  Request r = make(Op::put_object_retention, "PUT", std::move(bucket), std::move(key));
  r.query.emplace_back("retention", "");
  if (!version_id.empty()) r.query.emplace_back("versionId", version_id);
  std::string xml = "<Retention xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Mode>" + xml_escape(retention.mode) +
                    "</Mode><RetainUntilDate>" + iso8601(retention.until) + "</RetainUntilDate></Retention>";
  r.body = std::make_shared<const std::vector<std::uint8_t>>(xml.begin(), xml.end());
  r.headers.emplace_back("Content-Type", "application/xml");
  r.content_md5 = true;  // AWS requires it on PutObjectRetention
  return r;
}

Request get_object_retention(std::string bucket, std::string key) {
  Request r = make(Op::get_object_retention, "GET", std::move(bucket), std::move(key));
  r.query.emplace_back("retention", "");
  return r;
}

}  // namespace pbs::s3
