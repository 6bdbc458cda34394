#pragma once
// Renders a local verify report: one line per problem naming the file, then a summary.

#include <nlohmann/json.hpp>

#include <string>

#include "check/remote_verify.h"
#include "datastore/local_verify.h"

namespace pbs::report {

std::string verify_text(const datastore::LocalVerifyReport& report);
nlohmann::ordered_json verify_json(const datastore::LocalVerifyReport& report);

std::string remote_verify_text(const check::RemoteVerifySummary& s);
nlohmann::ordered_json remote_verify_json(const check::RemoteVerifySummary& s);

}  // namespace pbs::report
