#include "config/customer_key.h"

#include <algorithm>

#include "util/base64.h"
#include "util/file_io.h"
#include "util/md5.h"

namespace pbs::config {

Result<CustomerKey> load_customer_key(const std::string& path, std::vector<std::string>& warnings) {
  auto bytes = read_file(path, 4096);
  if (!bytes) return Error(Errc::config, "SSE_CUSTOMER_KEY_FILE: " + bytes.error().message());
  std::string text(bytes->begin(), bytes->end());
  std::fill(bytes->begin(), bytes->end(), 0);
  text.erase(std::remove_if(text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r' || c == ' '; }),
             text.end());
  auto key = base64_decode(text);
  std::fill(text.begin(), text.end(), 0);
  if (!key || key->size() != 32) {
    return Error(Errc::config, "SSE_CUSTOMER_KEY_FILE " + path + " does not hold a 32-byte key in base64 (make one "
                               "with 'openssl rand -base64 32 > FILE; chmod 600 FILE')");
  }
  if (auto w = readable_by_others_warning(path, "the SSE-C customer key")) warnings.push_back(std::move(*w));
  Md5 md5;
  md5.update(*key);
  CustomerKey out{base64_encode(*key), base64_encode(md5.final())};
  std::fill(key->begin(), key->end(), 0);
  return out;
}

}  // namespace pbs::config
