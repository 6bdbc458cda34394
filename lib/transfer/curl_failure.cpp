#include "transfer/curl_failure.h"

#include <curl/curl.h>

#include <string>

namespace pbs::transfer {

TransportFailure classify_transport(int curl_code) {
  switch (CURLcode(curl_code)) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
      return TransportFailure::connect;
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_WEIRD_SERVER_REPLY:  // a garbled answer (a proxy or load balancer in trouble)
      return TransportFailure::retry;
    default:
      return TransportFailure::fatal;
  }
}

const char* transport_cause(int curl_code) {
  if (curl_code == CURLE_OPERATION_TIMEDOUT) return "stalled";
  if (classify_transport(curl_code) == TransportFailure::connect) return "connect";
  return "connection-reset";
}

std::string scheme_mismatch(int curl_code, std::string_view detail, bool https) {
  auto says = [&](std::string_view what) { return detail.find(what) != std::string_view::npos; };
  if (https && curl_code == CURLE_SSL_CONNECT_ERROR &&
      (says("wrong version number") || says("packet length too long") || says("unknown protocol") ||
       says("record layer failure"))) {
    return "the server does not speak TLS on this port, though ENDPOINT says https://: use http://, or the port "
           "where it serves TLS";
  }
  // A TLS server closes or resets a connection that sends it plain HTTP, or answers with an alert.
  if (!https && (curl_code == CURLE_GOT_NOTHING || curl_code == CURLE_UNSUPPORTED_PROTOCOL ||
                 curl_code == CURLE_WEIRD_SERVER_REPLY || curl_code == CURLE_RECV_ERROR)) {
    return "the server does not answer plain HTTP on this port, though ENDPOINT says http://: most likely a TLS "
           "port (use https://, or its plain HTTP port); else it resets every connection";
  }
  return "";
}

Error transport_error(int curl_code, std::string_view detail, std::string_view where) {
  Errc errc = curl_code == CURLE_OPERATION_TIMEDOUT ? Errc::timeout : Errc::network;
  std::string advice = "; check ENDPOINT, the network and the server";
  if (curl_code == CURLE_PEER_FAILED_VERIFICATION || curl_code == CURLE_SSL_CERTPROBLEM) {
    errc = Errc::tls;
    bool name = detail.find("subject name") != std::string_view::npos ||
                detail.find("host name") != std::string_view::npos || detail.find("hostname") != std::string_view::npos;
    advice = name ? "; the certificate is trusted but issued for another name than ENDPOINT's host: put a name "
                    "the certificate carries in ENDPOINT"
                  : "; the server's certificate is not trusted: set CA_FILE to the CA that issued it, or "
                    "TLS_VERIFY=false for a test server";
  } else if (curl_code == CURLE_SSL_CACERT_BADFILE) {
    errc = Errc::tls;
    advice = "; CA_FILE (or AWS_CA_BUNDLE) cannot be read or holds no certificate: point it to a PEM file";
  }
  return Error(errc, std::string(where) + ": " + std::string(detail) + advice);
}

}  // namespace pbs::transfer
