#pragma once
// /etc/proxmox-backup/datastore.cfg: "datastore: NAME" sections with an indented "path DIR" line.
// Lets users name a datastore as PBS does instead of giving its path.

#include <map>
#include <string>
#include <string_view>

#include "util/result.h"

namespace pbs::config {

struct DatastoreEntry {
  std::string name;
  std::string path;
  bool s3_backend = false;  // "backend type=s3,...": the path is only a local cache
};

Result<std::map<std::string, DatastoreEntry>> parse_datastore_cfg(std::string_view text,
                                                                  std::string_view path);
Result<std::map<std::string, DatastoreEntry>> load_datastore_cfg(const std::string& path);

}  // namespace pbs::config
