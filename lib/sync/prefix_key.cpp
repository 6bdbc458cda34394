#include "sync/prefix_key.h"

#include <nlohmann/json.hpp>

#include "crypto/key_file.h"
#include "sync/remote_listing.h"
#include "util/file_io.h"

namespace pbs::sync {

namespace {

// The same warning the configuration file gets.
void warn_if_readable(const std::string& path, std::string_view what, std::vector<std::string>& warnings) {
  if (auto w = readable_by_others_warning(path, what)) warnings.push_back(std::move(*w));
}

Result<std::string> read_text(const std::string& path, std::string_view what) {
  auto bytes = read_file(path);
  if (!bytes) {
    return Error(Errc::config, "cannot read the " + std::string(what) + " " + path + ": " + bytes.error().message());
  }
  std::string text(bytes->begin(), bytes->end());
  crypto::wipe(*bytes);  // a passphrase, or an unprotected key
  return text;
}

}  // namespace

Result<EncryptionRecord> parse_encryption_record(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error(Errc::corrupt, "not a JSON object");
  auto fp = j.find("fingerprint");
  if (fp == j.end() || !fp->is_string()) return Error(Errc::corrupt, "no \"fingerprint\"");
  EncryptionRecord r;
  PBS_ASSIGN(r.fingerprint, crypto::parse_fingerprint(fp->get<std::string>()));
  auto key = j.find("key");
  if (key != j.end() && key->is_object()) r.key_file = key->dump(2);
  return r;
}

std::string format_encryption_record(const EncryptionRecord& record) {
  nlohmann::ordered_json j;
  j["fingerprint"] = crypto::format_fingerprint(record.fingerprint);
  j["key"] = record.key_file ? nlohmann::ordered_json::parse(*record.key_file) : nlohmann::ordered_json();
  return j.dump(2) + "\n";
}

Result<std::optional<EncryptionRecord>> read_encryption_record(transfer::RequestInterface& requests,
                                                               const Remote& remote) {
  PBS_ASSIGN(auto r, requests.execute(remote_get(remote, kEncryptionKey)));
  if (r.status == 404) return std::optional<EncryptionRecord>{};
  auto record = parse_encryption_record(r.body_text());
  if (!record) return std::move(record).error().context(remote.key(kEncryptionKey));
  return std::optional(*record);
}

Result<std::string> read_passphrase_file(const std::string& path, std::vector<std::string>& warnings) {
  PBS_ASSIGN(std::string text, read_text(path, "passphrase file"));
  warn_if_readable(path, "a passphrase", warnings);
  auto nl = text.find_first_of("\r\n");
  std::string line = text.substr(0, nl);
  crypto::wipe(text);
  if (line.empty()) return Error(Errc::config, "the passphrase file " + path + " is empty");
  return line;
}

Result<PrefixKey> open_prefix_key(transfer::RequestInterface& requests, const Remote& remote, const KeySource& source,
                                  bool create, std::int64_t now) {
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
    auto key = crypto::open_key_file(*file, pass);
    if (!key) return Error(Errc::config, source.keyfile + ": " + key.error().message());
    given.emplace(*key);
  }

  PBS_ASSIGN(auto record, read_encryption_record(requests, remote));
  if (!record) {
    if (!create) return Error(Errc::config, remote.url() + " is not encrypted (it has no " + std::string(kEncryptionKey) + ")");
    EncryptionRecord fresh;
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
    out.record = format_encryption_record(fresh);
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
  if (!file) return Error(Errc::corrupt, remote.key(kEncryptionKey) + ": " + file.error().message());
  auto key = crypto::open_key_file(*file, pass);
  if (!key) {
    return Error(Errc::config, "the passphrase in " + source.passphrase_file + " does not open the key of " + remote.url() +
                                   " (fingerprint " + expected + "): " + key.error().message());
  }
  if (key->fingerprint() != record->fingerprint) {
    return Error(Errc::corrupt, remote.key(kEncryptionKey) + ": the stored key does not have the recorded fingerprint " + expected);
  }
  out.key = std::make_shared<const crypto::CryptKey>(*key);
  return out;
}

}  // namespace pbs::sync
