#include "remote/fetch_each.h"

#include <optional>

namespace pbs::remote {

Status fetch_each(transfer::RequestInterface& requests, std::size_t count, const RequestOf& request_of,
                  const AnswerOf& answer) {
  std::size_t next = 0, in_flight = 0;
  std::optional<Error> stop;
  std::function<void()> pump = [&] {
    std::size_t depth = transfer::submit_depth(requests);
    while (!stop && next < count && requests.outstanding() < depth) {
      std::size_t i = next++;
      auto [request, sink] = request_of(i);
      ++in_flight;
      requests.submit(std::move(request), std::move(sink), [&, i](Result<s3::Response> r) {
        --in_flight;
        if (!r && concerns_target(r.error().code())) {
          if (!stop) stop = r.error();
        } else {
          answer(i, std::move(r));
        }
        pump();
      });
    }
  };
  pump();
  requests.run_until([&] { return (stop || next == count) && in_flight == 0; });
  if (stop) return std::move(*stop);
  return {};
}

}  // namespace pbs::remote
