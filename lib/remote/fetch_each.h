#pragma once
// Many independent GETs (or HEADs), the engine's submit depth at a time: the rule every reader of
// the bucket keeps, so that a million objects never mean a million requests queued at once.

#include <cstddef>
#include <functional>
#include <utility>

#include "s3/request.h"
#include "transfer/request_interface.h"
#include "util/result.h"

namespace pbs::remote {

using RequestOf = std::function<std::pair<s3::Request, transfer::Sink>(std::size_t i)>;
using AnswerOf = std::function<void(std::size_t i, Result<s3::Response> answer)>;

// Request `i` for i in [0, count), each answer to `answer`. An error about the target itself
// (util/error.h concerns_target) stops sending and is returned; others go to `answer`.
Status fetch_each(transfer::RequestInterface& requests, std::size_t count, const RequestOf& request_of,
                  const AnswerOf& answer);

}  // namespace pbs::remote
