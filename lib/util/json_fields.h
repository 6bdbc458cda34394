#pragma once
// Fields of the small JSON documents this tool keeps (in the bucket: gc-state, the source record;
// on the host: the run lock's records), read strictly: each present field must have its type,
// whole numbers must fit an int64 (a float such as 1e300 has no int64 to become), and a missing
// field keeps its default. nlohmann's own value() and get() throw on a wrong type instead.

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace pbs {

inline bool json_int(const nlohmann::json& j, const char* key, std::int64_t& out) {
  auto it = j.find(key);
  if (it == j.end()) return true;
  if (!it->is_number_integer() || (it->is_number_unsigned() && it->get<std::uint64_t>() > INT64_MAX)) return false;
  out = it->get<std::int64_t>();
  return true;
}

inline bool json_bool(const nlohmann::json& j, const char* key, bool& out) {
  auto it = j.find(key);
  if (it == j.end()) return true;
  if (!it->is_boolean()) return false;
  out = it->get<bool>();
  return true;
}

// `required`: present and not empty.
inline bool json_string(const nlohmann::json& j, const char* key, std::string& out, bool required = false) {
  auto it = j.find(key);
  if (it == j.end()) return !required;
  if (!it->is_string()) return false;
  out = it->get<std::string>();
  return !required || !out.empty();
}

}  // namespace pbs
