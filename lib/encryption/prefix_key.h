#pragma once
// The key of an encrypted prefix. `.pbs-s3sync/encryption` makes a prefix encrypted and names
// its key's fingerprint; with a passphrase file it also holds the key itself as a PBS key file
// wrapped by the passphrase (scrypt, PBS's parameters), so the bucket and the passphrase are all
// a disaster recovery needs. The first encrypted run into a prefix makes a random key (or takes
// the KEYFILE given); later runs unwrap it or check the key file's fingerprint. A prefix is plain
// or encrypted: a plain run into an encrypted prefix, an encrypted run into a prefix that holds
// snapshots but no record, a wrong passphrase or another key are refused before any write.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/crypt_key.h"
#include "records/encryption_record.h"
#include "remote/remote.h"
#include "transfer/request_interface.h"
#include "util/result.h"

namespace pbs::encryption {

struct KeySource {
  std::string passphrase_file;  // the passphrase of the stored key (or of KEYFILE, when protected)
  std::string keyfile;          // a PBS key file (then the prefix records only its fingerprint)
  bool given() const { return !passphrase_file.empty() || !keyfile.empty(); }
};

struct PrefixKey {
  std::shared_ptr<const crypto::CryptKey> key;
  std::string record;  // non-empty: a new prefix; write this to records::kEncryptionKey before anything else
  std::vector<std::string> warnings;  // a passphrase or key file readable by group or others
};

// The passphrase in a file: its first line (what `openssl rand -base64 32 > FILE` writes).
Result<std::string> read_passphrase_file(const std::string& path, std::vector<std::string>& warnings);

// The prefix's key from `source`. `create`: a prefix without record gets one (a sync); else it is
// Errc::config (restore, verify, key export of a prefix that is not encrypted). `now` dates a new
// key file. `pbs_key_file`: a plain prefix may still hold snapshots PBS itself encrypted, which a
// KEYFILE opens (extract). Errors are Errc::config (exit 2) and name the file and the fingerprint
// expected.
Result<PrefixKey> open_prefix_key(transfer::RequestInterface& requests, const remote::Remote& remote, const KeySource& source,
                                  bool create, std::int64_t now, bool pbs_key_file = false);

}  // namespace pbs::encryption
