#pragma once
// SSE-C's customer key (SSE_CUSTOMER_KEY_FILE): a file holding 32 random bytes in base64, as
// `openssl rand -base64 32` writes them. The provider encrypts each object with it and keeps
// only its MD5: it must come with every request that reads or writes the object.

#include <string>
#include <vector>

#include "util/result.h"

namespace pbs::config {

struct CustomerKey {
  std::string key_base64;
  std::string md5_base64;  // of the 32 key bytes, as x-amz-server-side-encryption-customer-key-MD5
};

// Refuses a file that is not one base64 line of 32 bytes, naming it (never its content); a file
// readable by group or others adds a warning.
Result<CustomerKey> load_customer_key(const std::string& path, std::vector<std::string>& warnings);

}  // namespace pbs::config
