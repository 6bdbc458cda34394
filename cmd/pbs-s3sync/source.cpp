#include "source.h"

#include <fmt/core.h>

#include "exit_code.h"

namespace pbs::cli {

Result<datastore::Datastore> open_local_datastore(const std::string& source) {
  if (source.starts_with("s3://")) {
    return Error(Errc::unsupported, source + ": remote targets are not implemented yet");
  }
  return datastore::Datastore::open(source);
}

int report_error(const Error& error) {
  fmt::print(stderr, "pbs-s3sync: {}\n", error.message());
  if (error.code() == Errc::unsupported) return kExitUsage;
  return exit_code_for(error);
}

}  // namespace pbs::cli
