#include "transfer/request_interface.h"

#include <optional>

namespace pbs::transfer {

Result<s3::Response> RequestInterface::execute(s3::Request request, Sink sink) {
  std::string what = request.describe();
  std::optional<Result<s3::Response>> out;
  submit(std::move(request), std::move(sink), [&](Result<s3::Response> r) { out = std::move(r); });
  run_until([&] { return out.has_value(); });
  if (!out) return Error(Errc::remote, what + ": no answer (the run loop ended)");
  return std::move(*out);
}

}  // namespace pbs::transfer
