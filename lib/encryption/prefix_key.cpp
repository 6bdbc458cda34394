#include "encryption/prefix_key.h"

#include <algorithm>

#include "crypto/key_file.h"
#include "records/record_keys.h"
#include "util/file_io.h"

namespace pbs::encryption {

namespace {

// The same warning the configuration file gets.
void warn_if_readable(const std::string& path, std::string_view what, std::vector<std::string>& warnings) {
  if (auto w = readable_by_others_warning(path, what)) warnings.push_back(std::move(*w));
}

// A key file or a passphrase is a few hundred bytes: a larger file is the wrong file.
constexpr std::size_t kMaxSecretFileBytes = 64 * 1024;

Result<std::string> read_text(const std::string& path, std::string_view what) {
  auto bytes = read_file(path, kMaxSecretFileBytes);
  if (!bytes) {
    return Error(Errc::config, "cannot read the " + std::string(what) + " " + path + ": " + bytes.error().message());
  }
  std::string text(bytes->begin(), bytes->end());
  crypto::wipe(*bytes);  // a passphrase, or an unprotected key
  return text;
}

}  // namespace

Result<std::string> read_passphrase_file(const std::string& path, std::vector<std::string>& warnings) {
  PBS_ASSIGN(std::string text, read_text(path, "passphrase file"));
  warn_if_readable(path, "a passphrase", warnings);
  auto nl = text.find_first_of("\r\n");
  std::string line = text.substr(0, nl);
  // Raw random bytes would be cut at their first newline byte, silently leaving a shorter secret.
  bool binary = std::any_of(text.begin(), text.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 && c != '\n' && c != '\r' && c != '\t';
  });
  bool more_lines = nl != std::string::npos && text.find_first_not_of("\r\n \t", nl) != std::string::npos;
  crypto::wipe(text);
  if (binary) {
    crypto::wipe(line);
    return Error(Errc::config, "the passphrase file " + path + " holds bytes that are not text (control "
                               "characters): a passphrase file holds one line of text, e.g. made with "
                               "'openssl rand -base64 32 > FILE'");
  }
  if (line.empty()) return Error(Errc::config, "the passphrase file " + path + " is empty");
  if (more_lines) warnings.push_back("the passphrase file " + path + " has more than one line: only the first is the passphrase");
  return line;
}

Result<PrefixKey> open_prefix_key(transfer::RequestInterface& requests, const remote::Remote& remote, const KeySource& source,
                                  bool create, std::int64_t now, bool pbs_key_file) {
  PrefixKey out;
  std::optional<std::string> passphrase;
  if (!source.passphrase_file.empty()) {
    PBS_ASSIGN(passphrase, read_passphrase_file(source.passphrase_file, out.warnings));
  }
  struct Wipe {
    std::optional<std::string>& p;
    ~Wipe() { if (p) crypto::wipe(*p); }
  } wipe{passphrase};
  const std::string* pass = passphrase ? &*passphrase : nullptr;

  std::optional<crypto::CryptKey> given;  // from KEYFILE
  if (!source.keyfile.empty()) {
    PBS_ASSIGN(std::string text, read_text(source.keyfile, "key file"));
    warn_if_readable(source.keyfile, "an encryption key", out.warnings);
    auto file = crypto::parse_key_file(text);
    crypto::wipe(text);
    if (!file) return Error(Errc::config, source.keyfile + ": not a PBS key file: " + file.error().message());
    if (pass && file->kdf == crypto::Kdf::none) {
      out.warnings.push_back("PASSPHRASE_FILE is not used: the key file " + source.keyfile +
                             " is not protected by a passphrase");
    }
    auto key = crypto::open_key_file(*file, pass);
    if (!key) return Error(Errc::config, source.keyfile + ": " + key.error().message());
    given.emplace(*key);
  }

  PBS_ASSIGN(auto record, records::read_encryption_record(requests, remote));
  if (!record) {
    if (!create && given && pbs_key_file) {
      out.key = std::make_shared<const crypto::CryptKey>(*given);
      return out;
    }
    if (!create) return Error(Errc::config, remote.url() + " is not encrypted (it has no " + std::string(records::kEncryptionKey) + ")");
    records::EncryptionRecord fresh;
    if (given) {
      out.key = std::make_shared<const crypto::CryptKey>(*given);
    } else {
      crypto::KeyBytes bytes = crypto::CryptKey::random_key();
      out.key = std::make_shared<const crypto::CryptKey>(bytes);
      crypto::wipe(bytes);
      PBS_ASSIGN(std::string wrapped, crypto::make_key_file(*out.key, crypto::Kdf::scrypt, pass, now));
      fresh.key_file = std::move(wrapped);
    }
    fresh.fingerprint = out.key->fingerprint();
    out.record = records::format_encryption_record(fresh);
    return out;
  }

  std::string expected = crypto::format_fingerprint(record->fingerprint);
  if (given) {
    if (given->fingerprint() != record->fingerprint) {
      return Error(Errc::config, "the key in " + source.keyfile + " has fingerprint " +
                                     crypto::format_fingerprint(given->fingerprint()) + ", but " + remote.url() +
                                     " is encrypted with the key " + expected);
    }
    out.key = std::make_shared<const crypto::CryptKey>(*given);
    return out;
  }
  if (!record->key_file) {
    return Error(Errc::config, remote.url() + " is encrypted with a key file (fingerprint " + expected +
                                   ") that is not stored in the bucket: give it with KEYFILE / --keyfile");
  }
  if (!pass) return Error(Errc::config, remote.url() + " is encrypted: a passphrase file is needed (fingerprint " + expected + ")");
  auto file = crypto::parse_key_file(*record->key_file);
  if (!file) return Error(Errc::corrupt, remote.key(records::kEncryptionKey) + ": " + file.error().message());
  auto key = crypto::open_key_file(*file, pass);
  if (!key) {
    return Error(Errc::config, "the passphrase in " + source.passphrase_file + " does not open the key of " + remote.url() +
                                   " (fingerprint " + expected + "): " + key.error().message());
  }
  if (key->fingerprint() != record->fingerprint) {
    return Error(Errc::corrupt, remote.key(records::kEncryptionKey) + ": the stored key does not have the recorded fingerprint " + expected);
  }
  out.key = std::make_shared<const crypto::CryptKey>(*key);
  return out;
}

}  // namespace pbs::encryption
