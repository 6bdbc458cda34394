#pragma once
// The process environment and home directory behind one small interface, so credential and
// target resolution can be tested without touching the real environment.

#include <functional>
#include <map>
#include <optional>
#include <string>

namespace pbs::config {

struct Environment {
  std::function<std::optional<std::string>(const std::string&)> get;
  std::string home;

  static Environment process();
  static Environment fake(std::map<std::string, std::string> vars, std::string home);
};

}  // namespace pbs::config
