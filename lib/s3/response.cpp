#include "s3/response.h"

#include <algorithm>

#include "s3/xml.h"

namespace pbs::s3 {

std::optional<std::string> Response::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return std::nullopt;
}

RetryCause retry_cause(long status, std::string_view code) {
  if (status == 429 || code == "SlowDown" || code == "Throttling" || code == "TooManyRequests") {
    return RetryCause::throttled;
  }
  if (code == "RequestTimeTooSkewed") return RetryCause::clock_skew;
  if (code == "RequestTimeout" || status == 408) return RetryCause::request_timeout;
  if (status == 500 || status == 502 || status == 503 || status == 504) {
    return status == 503 ? RetryCause::throttled : RetryCause::server_error;
  }
  // S3 answers 409 OperationAborted when a conflicting operation on the key is in progress.
  if (status == 409 && code == "OperationAborted") return RetryCause::server_error;
  return RetryCause::none;
}

Error response_error(const Request& req, const Response& resp, std::string_view endpoint) {
  auto body = parse_error_body(resp.body_text());
  std::string code = body ? body->code : "";
  std::string what = req.describe() + ": HTTP " + std::to_string(resp.status);
  if (!code.empty()) what += " " + code;
  if (body && !body->message.empty()) what += " (" + body->message + ")";
  if (body && !body->request_id.empty()) what += " [request id " + body->request_id + "]";
  auto err = [&](Errc c, std::string_view advice) { return Error(c, what + ": " + std::string(advice)); };

  if (code == "SignatureDoesNotMatch") {
    return err(Errc::auth, "the secret key does not match the access key; check "
                           "AWS_SECRET_ACCESS_KEY (environment, STORAGE entry or ~/.aws/credentials)");
  }
  if (code == "InvalidAccessKeyId") {
    return err(Errc::auth, "the server does not know this access key; check AWS_ACCESS_KEY_ID");
  }
  if (code == "ExpiredToken" || code == "InvalidToken") {
    return err(Errc::auth, "the session token is expired or invalid; refresh AWS_SESSION_TOKEN");
  }
  if (code == "RequestTimeTooSkewed") {
    return err(Errc::auth, "this machine's clock differs from the server's by more than 15 "
                           "minutes; fix the time (NTP)");
  }
  if (code == "NoSuchBucket" || (req.op == Op::head_bucket && resp.status == 404)) {
    return err(Errc::no_such_bucket, "bucket '" + req.bucket + "' does not exist at " +
                                         std::string(endpoint) +
                                         "; create it or check the bucket name and endpoint");
  }
  if (code == "AuthorizationHeaderMalformed" || code == "PermanentRedirect" || resp.status == 301) {
    return err(Errc::wrong_region, "the bucket is in another region or needs another endpoint; set "
                             "REGION / ENDPOINT to the bucket's");
  }
  // Server-side encryption asked for where the server will not do it (radosgw, like AWS, refuses
  // SSE-KMS over plain http). SSE-C is judged by the engine, which adds its headers.
  bool encrypting = std::any_of(req.headers.begin(), req.headers.end(),
                                [](const Header& h) { return h.first == "x-amz-server-side-encryption"; });
  if (encrypting && resp.status == 400 && code == "InvalidRequest") {
    return err(Errc::config, "the server refused the server-side encryption asked for (SSE, SSE_KMS_KEY_ID): "
                             "providers take SSE-KMS over https only, and need the KMS key to exist");
  }
  if (code == "InvalidObjectState") {
    return err(Errc::archived, "the object is in an archive storage class (GLACIER, DEEP_ARCHIVE) and not restored; "
                               "a restore asks the provider for it (see --restore-tier)");
  }
  if (code == "AccessDenied" || code == "AllAccessDisabled" || resp.status == 403) {
    return err(Errc::access_denied,
               code.empty() ? "access denied or wrong credentials; check the access key, secret "
                              "and the permissions on bucket '" + req.bucket + "'"
                            : "the credentials are valid but lack permission for this "
                              "operation; check the user's policy on bucket '" + req.bucket + "'");
  }
  if (code == "NoSuchKey" || resp.status == 404) return err(Errc::no_such_key, "no such object");
  if (code == "EntityTooLarge") return err(Errc::remote, "the object is larger than the server accepts");
  if (code == "XAmzContentSHA256Mismatch" || code == "BadDigest") {
    return err(Errc::remote, "the server received different bytes than were signed (the local "
                               "file changed while it was sent, or the data was damaged in transit)");
  }
  switch (retry_cause(resp.status, code)) {
    case RetryCause::throttled:
      // A 503 ServiceUnavailable is retried as throttling is, but it says the service is down, not
      // "slower". Without a code (a HEAD's answer has no body) it may be either.
      if (resp.status == 503 && !code.empty() && code != "SlowDown") {
        return err(Errc::throttled, "the server kept answering that the service is unavailable; try again "
                                    "later (or give --max-outage more time)");
      }
      return err(Errc::throttled, "the server kept asking to slow down; lower -j/--parallelism "
                                  "or MAX_WORKERS, or run later");
    case RetryCause::server_error:
    case RetryCause::request_timeout:
      return err(Errc::remote, "the server kept failing; try again later");
    default:
      break;
  }
  return err(Errc::remote, "the server refused the request");
}

}  // namespace pbs::s3
