#include "s3/endpoint.h"

#include <arpa/inet.h>

#include "s3/uri_encode.h"

namespace pbs::s3 {

namespace {
bool is_ip_address(std::string_view host) {
  std::string h(host);
  if (h.size() > 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  unsigned char buf[16];
  return inet_pton(AF_INET, h.c_str(), buf) == 1 || inet_pton(AF_INET6, h.c_str(), buf) == 1;
}
int default_port(std::string_view scheme) { return scheme == "http" ? 80 : 443; }
}  // namespace

Result<Endpoint> Endpoint::parse(std::string_view url, std::string region, Addressing addressing) {
  Endpoint ep;
  ep.region = region.empty() ? "us-east-1" : std::move(region);
  ep.addressing = addressing;
  if (url.empty()) {
    ep.host = "s3." + ep.region + ".amazonaws.com";
    return ep;
  }
  std::string_view rest = url;
  if (auto p = rest.find("://"); p != std::string_view::npos) {
    ep.scheme = std::string(rest.substr(0, p));
    rest.remove_prefix(p + 3);
    if (ep.scheme != "http" && ep.scheme != "https") {
      return Error(Errc::config, "endpoint '" + std::string(url) + "': scheme must be http or https");
    }
  }
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find('/') != std::string_view::npos || rest.find('@') != std::string_view::npos ||
      rest.find('?') != std::string_view::npos) {
    return Error(Errc::config, "endpoint '" + std::string(url) +
                                   "': give only scheme, host and port (no path, user or query)");
  }
  std::string_view host = rest;
  if (!rest.empty() && rest.front() == '[') {  // [ipv6]:port
    auto close = rest.find(']');
    if (close == std::string_view::npos) return Error(Errc::config, "endpoint '" + std::string(url) + "': bad IPv6 address");
    host = rest.substr(0, close + 1);
    rest.remove_prefix(close + 1);
    if (!rest.empty() && rest.front() != ':') return Error(Errc::config, "endpoint '" + std::string(url) + "': bad port");
  } else if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    rest.remove_prefix(colon);
  } else {
    rest = {};
  }
  if (!rest.empty()) {  // ":port"
    auto digits = rest.substr(1);
    int port = 0;
    for (char c : digits) {
      if (c < '0' || c > '9' || port > 65535) {
        return Error(Errc::config, "endpoint '" + std::string(url) + "': bad port");
      }
      port = port * 10 + (c - '0');
    }
    if (digits.empty() || port == 0 || port > 65535) {
      return Error(Errc::config, "endpoint '" + std::string(url) + "': bad port");
    }
    ep.port = port == default_port(ep.scheme) ? 0 : port;
  }
  if (host.empty()) return Error(Errc::config, "endpoint '" + std::string(url) + "': no host");
  ep.host = std::string(host);
  return ep;
}

bool Endpoint::uses_path_style(std::string_view bucket) const {
  switch (addressing) {
    case Addressing::path: return true;
    case Addressing::virtual_host: return false;
    case Addressing::automatic:
      return is_ip_address(host) || host == "localhost" ||
             bucket.find('.') != std::string_view::npos || bucket.empty();
  }
  return true;
}

std::string Endpoint::host_header(std::string_view bucket) const {
  std::string h = uses_path_style(bucket) ? host : std::string(bucket) + "." + host;
  if (port) h += ":" + std::to_string(port);
  return h;
}

std::string Endpoint::path(std::string_view bucket, std::string_view key) const {
  std::string p = "/";
  if (uses_path_style(bucket)) {
    p += bucket;
    if (!key.empty()) p += "/";
  }
  p += uri_encode(key, true);
  return p;
}

std::string Endpoint::url(std::string_view bucket, std::string_view key,
                          std::string_view query) const {
  std::string u = scheme + "://" + host_header(bucket) + path(bucket, key);
  if (!query.empty()) {
    u += '?';
    u += query;
  }
  return u;
}

std::string Endpoint::display() const {
  return scheme + "://" + host + ":" + std::to_string(port ? port : default_port(scheme));
}

Status validate_bucket_name(std::string_view b) {
  auto bad = [&](const char* why) {
    return Error(Errc::config, "bucket name '" + std::string(b) + "' " + why);
  };
  if (b.size() < 3 || b.size() > 63) return bad("must be 3 to 63 characters long");
  for (char c : b) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) {
      return bad("may hold only lower-case letters, digits, dots and hyphens");
    }
  }
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(b.front()) || !alnum(b.back())) return bad("must start and end with a letter or digit");
  if (b.find("..") != std::string_view::npos) return bad("must not contain '..'");
  return {};
}

}  // namespace pbs::s3
