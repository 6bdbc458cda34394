#pragma once
// The record `<prefix>/.pbs-s3sync/encryption`: it makes a prefix encrypted and names its key's
// fingerprint; with a passphrase it also holds the key itself, a PBS key file wrapped by the
// passphrase (encryption/prefix_key.h opens it).

#include <optional>
#include <string>
#include <string_view>

#include "remote/remote.h"
#include "s3/request.h"
#include "transfer/request_interface.h"
#include "util/result.h"
#include "util/sha256.h"

namespace pbs::records {

struct EncryptionRecord {
  Digest fingerprint{};
  std::optional<std::string> key_file;  // the wrapped PBS key file (JSON), with a passphrase
};
Result<EncryptionRecord> parse_encryption_record(std::string_view text);
std::string format_encryption_record(const EncryptionRecord& record);
// nullopt when the prefix has none; Errc::corrupt naming the object when it does not parse.
Result<std::optional<EncryptionRecord>> read_encryption_record(transfer::RequestInterface& requests,
                                                               const remote::Remote& remote);

// Stores a new prefix's record unless another run stored one first: two first runs at once must
// not each seal with a key of their own. Unversioned buckets decide by If-None-Match (`options`)
// and a read back. Versioned ones (radosgw ignores the condition there) by the record's oldest
// version: its text is put back on top when a later one covered it. Errc::config (run again)
// when another run's key won.
Status store_new_encryption_record(transfer::RequestInterface& requests, const remote::Remote& remote,
                                   std::string_view text, const Digest& fingerprint, bool versioned,
                                   s3::PutOptions options);

}  // namespace pbs::records
