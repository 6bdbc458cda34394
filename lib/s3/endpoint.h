#pragma once
// Where requests go: scheme, host, port, region and addressing style, and how a bucket and key
// become a URL, a Host header and a canonical URI. AWS when no endpoint is given
// (s3.<region>.amazonaws.com); path-style chosen by itself for IP addresses, localhost and
// bucket names with dots (virtual-hosted TLS names cannot hold them).

#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace pbs::s3 {

enum class Addressing { automatic, path, virtual_host };

struct Endpoint {
  std::string scheme = "https";
  std::string host;  // without port
  int port = 0;      // 0: the scheme's default
  std::string region = "us-east-1";
  Addressing addressing = Addressing::automatic;
  bool tls_verify = true;
  std::string ca_file;  // empty: system default (curl's CA bundle / env)

  // url: "" for AWS, else "[scheme://]host[:port][/]". No path beyond "/" is accepted.
  static Result<Endpoint> parse(std::string_view url, std::string region,
                                Addressing addressing = Addressing::automatic);

  bool uses_path_style(std::string_view bucket) const;
  // "host[:port]" as sent in the Host header for this bucket.
  std::string host_header(std::string_view bucket) const;
  // The canonical URI (= wire path) for an object key, or for the bucket when key is empty.
  std::string path(std::string_view bucket, std::string_view key) const;
  // scheme://host[:port]<path>[?query]
  std::string url(std::string_view bucket, std::string_view key, std::string_view query) const;
  // For messages: "https://s3.example.com:443" (never credentials).
  std::string display() const;
};

// Bucket name rules (3-63 chars, lower-case letters, digits, dots, hyphens): checked early so a
// typo is a clear usage error, not a signature mismatch.
Status validate_bucket_name(std::string_view bucket);

}  // namespace pbs::s3
