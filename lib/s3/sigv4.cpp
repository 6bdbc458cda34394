#include "s3/sigv4.h"

#include <algorithm>

#include "s3/uri_encode.h"
#include "util/calendar.h"
#include "util/hex.h"
#include "util/text.h"

namespace pbs::s3 {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Trim, and collapse every run of whitespace (folded lines included) into one space.
std::string collapse(std::string_view v) {
  std::string out;
  bool pending_space = false;
  for (char c : v) {
    if (is_space(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

std::string sha256_hex(std::string_view s) { return digest_hex(sha256(s)); }

}  // namespace

std::string canonical_query(const std::vector<QueryParam>& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [k, v] : query) encoded.emplace_back(uri_encode(k, false), uri_encode(v, false));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [k, v] : encoded) {
    if (!out.empty()) out += '&';
    out += k;
    out += '=';
    out += v;
  }
  return out;
}

CanonicalHeaders canonical_headers(const std::vector<Header>& headers) {
  // Stable sort by lower-cased name keeps duplicates in request order, as SigV4 requires.
  std::vector<std::pair<std::string, std::string>> h;
  h.reserve(headers.size());
  for (const auto& [k, v] : headers) h.emplace_back(to_lower(k), collapse(v));
  std::stable_sort(h.begin(), h.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  CanonicalHeaders out;
  for (std::size_t i = 0; i < h.size(); ++i) {
    if (i > 0 && h[i].first == h[i - 1].first) {
      out.block.pop_back();  // the '\n' of the previous line
      out.block += ',';
      out.block += h[i].second;
      out.block += '\n';
      continue;
    }
    if (!out.signed_names.empty()) out.signed_names += ';';
    out.signed_names += h[i].first;
    out.block += h[i].first;
    out.block += ':';
    out.block += h[i].second;
    out.block += '\n';
  }
  return out;
}

Signer::Signer(Credentials credentials, std::string region, std::string service)
    : creds_(std::move(credentials)), region_(std::move(region)), service_(std::move(service)) {}

Digest Signer::signing_key(std::string_view date) const {
  std::lock_guard lock(cache_mu_);
  if (cached_date_ == date) return cached_key_;
  std::string secret = "AWS4" + creds_.secret_key;
  Digest k = hmac_sha256(as_bytes(secret), as_bytes(date));
  k = hmac_sha256(k, as_bytes(region_));
  k = hmac_sha256(k, as_bytes(service_));
  k = hmac_sha256(k, as_bytes("aws4_request"));
  cached_date_ = std::string(date);
  cached_key_ = k;
  return k;
}

Signature Signer::compute(const SignInput& in) const {
  static const std::vector<QueryParam> kNoQuery;
  static const std::vector<Header> kNoHeaders;
  const auto& query = in.query ? *in.query : kNoQuery;
  const auto& headers = in.headers ? *in.headers : kNoHeaders;
  std::string date_time = format_amz_date(in.time);
  std::string date = date_time.substr(0, 8);
  std::string scope = date + "/" + region_ + "/" + service_ + "/aws4_request";

  Signature sig;
  CanonicalHeaders ch = canonical_headers(headers);
  sig.signed_headers = ch.signed_names;
  sig.canonical_request.reserve(256 + ch.block.size());
  sig.canonical_request += in.method;
  sig.canonical_request += '\n';
  sig.canonical_request += in.canonical_uri.empty() ? std::string_view("/") : in.canonical_uri;
  sig.canonical_request += '\n';
  sig.canonical_request += canonical_query(query);
  sig.canonical_request += '\n';
  sig.canonical_request += ch.block;
  sig.canonical_request += '\n';
  sig.canonical_request += ch.signed_names;
  sig.canonical_request += '\n';
  sig.canonical_request += in.payload_hash;

  sig.string_to_sign = "AWS4-HMAC-SHA256\n" + date_time + "\n" + scope + "\n" +
                       sha256_hex(sig.canonical_request);
  sig.signature = digest_hex(hmac_sha256(signing_key(date), as_bytes(sig.string_to_sign)));
  sig.credential = creds_.access_key + "/" + scope;
  return sig;
}

Signature Signer::sign_headers(std::string_view method, std::string_view canonical_uri,
                               const std::vector<QueryParam>& query, std::vector<Header>& headers,
                               std::string_view payload_hash, std::int64_t now,
                               const HeaderOptions& options) const {
  headers.emplace_back("x-amz-date", format_amz_date(now));
  if (options.add_content_sha256) headers.emplace_back("x-amz-content-sha256", payload_hash);
  bool token = !creds_.session_token.empty();
  if (token && options.sign_session_token) {
    headers.emplace_back("x-amz-security-token", creds_.session_token);
  }
  Signature sig = compute({method, canonical_uri, &query, &headers, payload_hash, now});
  if (token && !options.sign_session_token) {
    headers.emplace_back("x-amz-security-token", creds_.session_token);
  }
  headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 Credential=" + sig.credential +
                                            ", SignedHeaders=" + sig.signed_headers +
                                            ", Signature=" + sig.signature);
  return sig;
}

Signature Signer::presign(std::string_view method, std::string_view canonical_uri,
                          std::vector<QueryParam>& query, const std::vector<Header>& headers,
                          std::int64_t expires_seconds, std::int64_t now,
                          std::string_view payload_hash) const {
  std::string date_time = format_amz_date(now);
  std::string credential =
      creds_.access_key + "/" + date_time.substr(0, 8) + "/" + region_ + "/" + service_ + "/aws4_request";
  CanonicalHeaders ch = canonical_headers(headers);
  query.emplace_back("X-Amz-Algorithm", "AWS4-HMAC-SHA256");
  query.emplace_back("X-Amz-Credential", credential);
  query.emplace_back("X-Amz-Date", date_time);
  query.emplace_back("X-Amz-Expires", std::to_string(expires_seconds));
  query.emplace_back("X-Amz-SignedHeaders", ch.signed_names);
  if (!creds_.session_token.empty()) query.emplace_back("X-Amz-Security-Token", creds_.session_token);
  Signature sig = compute({method, canonical_uri, &query, &headers, payload_hash, now});
  query.emplace_back("X-Amz-Signature", sig.signature);
  return sig;
}

}  // namespace pbs::s3
