#include "source.h"

#include <fmt/core.h>

#include "config/pbs_conf.h"
#include "exit_code.h"
#include "util/file_io.h"

namespace pbs::cli {

Result<datastore::Datastore> open_local_datastore(const std::string& source) {
  return datastore::Datastore::open(source);
}

Result<bool> is_remote_source(const std::string& source, const GlobalOptions& global) {
  if (source.starts_with("s3://")) return true;
  // A path is a path when it has a '/': "./enc" is never read as a STORAGE id.
  if (source.find('/') != std::string::npos) return false;
  auto conf = config::load_pbs_conf(global.config_file, false);
  bool storage = conf && conf->find_storage(source);
  auto st = stat_path(source);
  bool local = st && *st;
  // A name that is both would silently check the wrong thing whichever way it is read.
  if (storage && local) {
    return Error(Errc::invalid_argument,
                 fmt::format("'{0}' is both a STORAGE id of {1} and a directory here: write ./{0} for the "
                             "directory, or s3://{2}/... for the bucket",
                             source, global.config_file, conf->find_storage(source)->bucket));
  }
  return storage;
}

}  // namespace pbs::cli
