#include "config/environment.h"

#include <cstdlib>

namespace pbs::config {

Environment Environment::process() {
  Environment env;
  env.get = [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v || !*v) return std::nullopt;
    return std::string(v);
  };
  const char* home = std::getenv("HOME");
  env.home = home ? home : "/root";
  return env;
}

Environment Environment::fake(std::map<std::string, std::string> vars, std::string home) {
  Environment env;
  env.get = [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  env.home = std::move(home);
  return env;
}

}  // namespace pbs::config
