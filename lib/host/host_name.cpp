#include "host/host_name.h"

#include <unistd.h>

#include <cstdlib>

namespace pbs::host {

std::string local_host_name() {
  if (const char* v = std::getenv("PBS_S3SYNC_HOST"); v && *v) return v;
  char buf[256] = {};
  ::gethostname(buf, sizeof buf - 1);
  return buf;
}

}  // namespace pbs::host
