#pragma once
// Renders an Inventory for `list`: a readable tree, or JSON (schema in man/pbs-s3sync.1).

#include <nlohmann/json.hpp>

#include <string>

#include "datastore/inventory.h"

namespace pbs::report {

std::string inventory_text(const datastore::Inventory& inv);
nlohmann::ordered_json inventory_json(const datastore::Inventory& inv);

}  // namespace pbs::report
