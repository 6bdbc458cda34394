#include "report/metrics_merge.h"

#include <map>
#include <sstream>

namespace pbs::report {

namespace {

// The metric a line belongs to: "# HELP name ..." / "# TYPE name ..." / "name{labels} value".
std::string metric_of(const std::string& line) {
  if (line.rfind("# ", 0) == 0) {
    std::istringstream in(line);
    std::string hash, kind, name;
    in >> hash >> kind >> name;
    return name;
  }
  return line.substr(0, line.find_first_of("{ "));
}

}  // namespace

std::string merge_metrics(const std::vector<std::string>& texts) {
  struct Group {
    std::string help, type;
    std::vector<std::string> samples;
  };
  std::vector<std::string> order;
  std::map<std::string, Group> groups;
  for (const auto& text : texts) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      std::string name = metric_of(line);
      auto [it, fresh] = groups.try_emplace(name);
      if (fresh) order.push_back(name);
      if (line.rfind("# HELP ", 0) == 0) {
        if (it->second.help.empty()) it->second.help = line;
      } else if (line.rfind("# TYPE ", 0) == 0) {
        if (it->second.type.empty()) it->second.type = line;
      } else {
        it->second.samples.push_back(line);
      }
    }
  }
  std::string out;
  for (const auto& name : order) {
    const Group& g = groups[name];
    if (!g.help.empty()) out += g.help + "\n";
    if (!g.type.empty()) out += g.type + "\n";
    for (const auto& s : g.samples) out += s + "\n";
  }
  return out;
}

}  // namespace pbs::report
