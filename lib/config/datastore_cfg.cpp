#include "config/datastore_cfg.h"

#include "util/file_io.h"
#include "util/text.h"

namespace pbs::config {

Result<std::map<std::string, DatastoreEntry>> parse_datastore_cfg(std::string_view text,
                                                                  std::string_view path) {
  std::map<std::string, DatastoreEntry> out;
  DatastoreEntry* current = nullptr;
  LineReader lines(text);
  std::string_view line;
  while (lines.next(line)) {
    int line_no = lines.number();
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    bool indented = line.front() == ' ' || line.front() == '\t';
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (!indented) {
      auto colon = line.find(':');
      if (colon == std::string_view::npos) {
        return Error(Errc::config, std::string(path) + ":" + std::to_string(line_no) +
                                       ": expected 'TYPE: NAME'");
      }
      std::string type(line.substr(0, colon));
      std::string_view name = line.substr(colon + 1);
      while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
      current = nullptr;
      if (type == "datastore") {
        DatastoreEntry e;
        e.name = std::string(name);
        current = &(out[e.name] = e);
      }
      continue;
    }
    if (!current) continue;
    auto sp = line.find_first_of(" \t");
    std::string_view key = line.substr(0, sp);
    std::string_view value = sp == std::string_view::npos ? std::string_view{} : line.substr(sp + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    if (key == "path") current->path = std::string(value);
    if (key == "backend" && value.find("type=s3") != std::string_view::npos) current->s3_backend = true;
  }
  return out;
}

Result<std::map<std::string, DatastoreEntry>> load_datastore_cfg(const std::string& path) {
  PBS_ASSIGN(auto bytes, read_file(path, 4 << 20));
  return parse_datastore_cfg(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), path);
}

}  // namespace pbs::config
