#include "source.h"

#include <fmt/core.h>

#include "config/pbs_conf.h"
#include "exit_code.h"
#include "util/file_io.h"

namespace pbs::cli {

Result<datastore::Datastore> open_local_datastore(const std::string& source) {
  return datastore::Datastore::open(source);
}

bool is_remote_source(const std::string& source, const GlobalOptions& global) {
  if (source.starts_with("s3://")) return true;
  auto st = stat_path(source);
  if (st && *st) return false;
  auto conf = config::load_pbs_conf(global.config_file, false);
  return conf && conf->find_storage(source);
}



}  // namespace pbs::cli
