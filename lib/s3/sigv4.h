#pragma once
// AWS Signature Version 4 with S3's rules: the canonical URI is the wire path (keys encoded once,
// never normalised), the query is decoded, re-encoded and sorted, headers are lower-cased, trimmed,
// whitespace-collapsed and joined in request order, and the payload line is the body's SHA-256
// (or UNSIGNED-PAYLOAD for presigned URLs). The signing key is cached per day.

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/sha256.h"

namespace pbs::s3 {

struct Credentials {
  std::string access_key;
  std::string secret_key;
  std::string session_token;  // empty unless temporary credentials
};

using Header = std::pair<std::string, std::string>;
using QueryParam = std::pair<std::string, std::string>;  // decoded name and value

inline constexpr std::string_view kEmptyPayloadSha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

std::string canonical_query(const std::vector<QueryParam>& query);

// Headers in canonical form and the signed-headers list ("host;x-amz-date").
struct CanonicalHeaders {
  std::string block;  // "name:value\n" lines
  std::string signed_names;
};
CanonicalHeaders canonical_headers(const std::vector<Header>& headers);

// Every intermediate value, so tests can tell which step diverged.
struct Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;  // hex
  std::string signed_headers;
  std::string credential;  // AK/date/region/service/aws4_request
};

struct SignInput {
  std::string_view method;
  std::string_view canonical_uri;  // the path as sent, already encoded
  const std::vector<QueryParam>* query = nullptr;
  const std::vector<Header>* headers = nullptr;  // exactly the headers to sign
  std::string_view payload_hash;
  std::int64_t time = 0;
};

class Signer {
 public:
  Signer(Credentials credentials, std::string region, std::string service = "s3");

  const Credentials& credentials() const { return creds_; }
  const std::string& region() const { return region_; }

  // Signs exactly the given headers (which must include host and, for header auth, x-amz-date).
  Signature compute(const SignInput& in) const;

  struct HeaderOptions {
    bool add_content_sha256 = true;  // S3 wants x-amz-content-sha256 on every request
    bool sign_session_token = true;  // false: token added after signing (some STS flows)
  };
  // Header auth: adds x-amz-date, x-amz-content-sha256, x-amz-security-token and Authorization
  // to `headers`, signing every header present.
  Signature sign_headers(std::string_view method, std::string_view canonical_uri,
                         const std::vector<QueryParam>& query, std::vector<Header>& headers,
                         std::string_view payload_hash, std::int64_t now,
                         const HeaderOptions& options) const;
  Signature sign_headers(std::string_view method, std::string_view canonical_uri,
                         const std::vector<QueryParam>& query, std::vector<Header>& headers,
                         std::string_view payload_hash, std::int64_t now) const {
    return sign_headers(method, canonical_uri, query, headers, payload_hash, now, HeaderOptions{});
  }

  // Query auth (presigned URL): adds the X-Amz-* parameters to `query` and returns the signature;
  // X-Amz-Signature is appended to `query` too. `headers` must hold host (and any other signed
  // header). S3 uses UNSIGNED-PAYLOAD as payload hash.
  Signature presign(std::string_view method, std::string_view canonical_uri,
                    std::vector<QueryParam>& query, const std::vector<Header>& headers,
                    std::int64_t expires_seconds, std::int64_t now,
                    std::string_view payload_hash = kUnsignedPayload) const;

 private:
  Digest signing_key(std::string_view date) const;

  Credentials creds_;
  std::string region_;
  std::string service_;
  mutable std::mutex cache_mu_;
  mutable std::string cached_date_;
  mutable Digest cached_key_{};
};

}  // namespace pbs::s3
