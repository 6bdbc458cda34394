#pragma once
// Renders a local verify report: one line per problem naming the file, then a summary.

#include <nlohmann/json.hpp>

#include <string>

#include "datastore/local_verify.h"

namespace pbs::report {

std::string verify_text(const datastore::LocalVerifyReport& report);
nlohmann::ordered_json verify_json(const datastore::LocalVerifyReport& report);

}  // namespace pbs::report
