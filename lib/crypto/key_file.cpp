#include "crypto/key_file.h"

#include <openssl/rand.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <stdexcept>

#include "crypto/encrypted_blob.h"
#include "crypto/kdf.h"
#include "util/base64.h"
#include "util/calendar.h"

namespace pbs::crypto {

namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

// PBS's defaults (KeyConfig::with_key).
constexpr std::uint64_t kScryptN = 65536, kScryptR = 8, kScryptP = 1;
constexpr std::uint64_t kPbkdf2Iter = 65535;
constexpr std::size_t kSaltSize = 32;
constexpr std::size_t kMinPassphrase = 5;
constexpr std::size_t kWrappedKeySize = 16 + 16 + 32;  // IV, tag, key

Error bad(std::string_view field, std::string_view what) {
  return Error(Errc::corrupt, "key file: '" + std::string(field) + "' " + std::string(what));
}

// Scrubs a base64 copy of key material the json DOM holds before the DOM frees it.
template <class Json>
void wipe_string_value(Json& value) {
  if (value.is_string()) wipe(value.template get_ref<std::string&>());
}

struct ScopedWipe {
  std::span<std::uint8_t> bytes;
  ~ScopedWipe() { wipe(bytes); }
};

// bytes_as_base64 decodes with base64 0.13's standard alphabet, which also takes unpadded text.
Result<std::vector<std::uint8_t>> decode_base64_field(const json& value, std::string_view field) {
  if (!value.is_string()) return bad(field, "is not a base64 string");
  std::string text = value.get<std::string>();
  while (text.size() % 4 != 0 && text.size() % 4 != 1) text += '=';
  auto bytes = base64_decode(text);
  wipe(text);
  if (!bytes) return bad(field, "is not valid base64");
  return std::move(*bytes);
}

Result<std::uint64_t> u64_field(const json& obj, std::string_view field) {
  auto it = obj.find(field);
  if (it == obj.end()) return bad(field, "is missing");
  if (!it->is_number_unsigned()) return bad(field, "is not a non-negative integer");
  return it->get<std::uint64_t>();
}

Result<std::int64_t> time_field(const json& doc, std::string_view field) {
  auto it = doc.find(field);
  if (it == doc.end()) return bad(field, "is missing");
  if (!it->is_string()) return bad(field, "is not an RFC 3339 time string");
  // proxmox-time's reading, roll-over included: a key file PBS opens must open here too.
  auto t = parse_proxmox_rfc3339(it->get_ref<const std::string&>());
  if (!t) return Error(Errc::corrupt, "key file: '" + std::string(field) + "': " + t.error().message());
  return *t;
}

Status parse_kdf(const json& kdf, KeyFile& out) {
  if (kdf.is_null()) {
    out.kdf = Kdf::none;
    return {};
  }
  // serde's externally tagged enum: one key naming the variant.
  if (!kdf.is_object() || kdf.size() != 1) return bad("kdf", "is neither null nor {\"Scrypt\": {..}} / {\"PBKDF2\": {..}}");
  const std::string& variant = kdf.begin().key();
  const json& params = kdf.begin().value();
  if (variant != "Scrypt" && variant != "PBKDF2") {
    return bad("kdf", "names an unknown key derivation function '" + variant + "'");
  }
  if (!params.is_object()) return bad("kdf", "parameters of " + variant + " are not an object");
  auto salt = params.find("salt");
  if (salt == params.end()) return bad("kdf.salt", "is missing");
  if (variant == "Scrypt") {
    out.kdf = Kdf::scrypt;
    PBS_ASSIGN(out.n, u64_field(params, "n"));
    PBS_ASSIGN(out.r, u64_field(params, "r"));
    PBS_ASSIGN(out.p, u64_field(params, "p"));
  } else {
    out.kdf = Kdf::pbkdf2;
    PBS_ASSIGN(out.iter, u64_field(params, "iter"));
  }
  PBS_ASSIGN(out.salt, decode_base64_field(*salt, "kdf.salt"));
  return {};
}

Status derive(const KeyFile& file, std::string_view passphrase, KeyBytes& out) {
  Status s = file.kdf == Kdf::scrypt ? derive_scrypt(passphrase, file.salt, file.n, file.r, file.p, out)
                                     : derive_pbkdf2(passphrase, file.salt, file.iter, out);
  if (!s) return std::move(s).error().context("key file");
  return {};
}

}  // namespace

KeyFile::~KeyFile() { wipe(data); }

KeyFile& KeyFile::operator=(const KeyFile& other) {
  if (this != &other) {
    wipe(data);
    KeyFile copy(other);
    *this = std::move(copy);
  }
  return *this;
}

KeyFile& KeyFile::operator=(KeyFile&& other) noexcept {
  if (this != &other) {
    wipe(data);
    kdf = other.kdf;
    n = other.n;
    r = other.r;
    p = other.p;
    iter = other.iter;
    salt = std::move(other.salt);
    created = other.created;
    modified = other.modified;
    data = std::move(other.data);
    fingerprint = other.fingerprint;
    hint = std::move(other.hint);
  }
  return *this;
}

Result<KeyFile> parse_key_file(std::string_view text) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  struct ScrubData {
    json& doc;
    ~ScrubData() {
      if (doc.is_object()) {
        if (auto it = doc.find("data"); it != doc.end()) wipe_string_value(*it);
      }
    }
  } scrub{doc};
  if (doc.is_discarded()) return Error(Errc::corrupt, "key file: not valid JSON");
  if (!doc.is_object()) return Error(Errc::corrupt, "key file: not a JSON object");

  KeyFile out;
  // serde's Option: a missing field is None like null.
  if (auto kdf = doc.find("kdf"); kdf != doc.end()) PBS_TRY(parse_kdf(*kdf, out));
  PBS_ASSIGN(out.created, time_field(doc, "created"));
  PBS_ASSIGN(out.modified, time_field(doc, "modified"));
  auto data = doc.find("data");
  if (data == doc.end()) return bad("data", "is missing");
  PBS_ASSIGN(out.data, decode_base64_field(*data, "data"));
  if (auto fp = doc.find("fingerprint"); fp != doc.end() && !fp->is_null()) {
    if (!fp->is_string()) return bad("fingerprint", "is not a string");
    auto parsed = parse_fingerprint(fp->get_ref<const std::string&>());
    if (!parsed) return bad("fingerprint", "is not 32 bytes of colon-separated hex");
    out.fingerprint = *parsed;
  }
  if (auto hint = doc.find("hint"); hint != doc.end() && !hint->is_null()) {
    if (!hint->is_string()) return bad("hint", "is not a string");
    out.hint = hint->get<std::string>();
  }
  return out;
}

Result<CryptKey> open_key_file(const KeyFile& file, const std::string* passphrase) {
  KeyBytes raw{};
  ScopedWipe wipe_raw{raw};
  if (file.kdf == Kdf::none) {
    if (file.data.size() != raw.size()) {
      return bad("data", "of an unprotected key is " + std::to_string(file.data.size()) + " bytes, not 32");
    }
    std::copy(file.data.begin(), file.data.end(), raw.begin());
  } else {
    if (!passphrase) return Error(Errc::invalid_argument, "the key file is protected: a passphrase is needed");
    if (passphrase->size() < kMinPassphrase) {
      return Error(Errc::invalid_argument, "the passphrase is shorter than 5 bytes, which PBS refuses");
    }
    if (file.data.size() != kWrappedKeySize) {
      return bad("data", "of a protected key is " + std::to_string(file.data.size()) +
                             " bytes, not 64 (IV, tag, wrapped key)");
    }
    KeyBytes derived{};
    ScopedWipe wipe_derived{derived};
    PBS_TRY(derive(file, *passphrase, derived));
    Iv iv;
    std::array<std::uint8_t, 16> tag;
    std::copy_n(file.data.begin(), 16, iv.begin());
    std::copy_n(file.data.begin() + 16, 16, tag.begin());
    auto wrapped = std::span(file.data).subspan(32);
    if (!gcm_decrypt(derived, iv, wrapped, tag, raw.data())) {
      std::string msg = "wrong passphrase (the key file's key does not decrypt)";
      if (file.hint) msg += "; the key file's passphrase hint: " + *file.hint;
      return Error(Errc::config, std::move(msg));
    }
  }
  CryptKey key(raw);
  if (file.fingerprint && *file.fingerprint != key.fingerprint()) {
    return Error(Errc::corrupt, "key file: its fingerprint " + format_fingerprint(*file.fingerprint) +
                                    " is not the fingerprint of its key, " + format_fingerprint(key.fingerprint()));
  }
  return key;
}

Result<std::string> make_key_file(const CryptKey& key, Kdf kdf, const std::string* passphrase, std::int64_t now,
                                  const std::optional<std::string>& hint) {
  auto stamp = format_rfc3339_local(now);
  if (!stamp) return std::move(stamp).error().context("the key file's creation time");
  ojson doc = ojson::object();
  std::vector<std::uint8_t> data;
  if (kdf == Kdf::none) {
    doc["kdf"] = nullptr;
    data.assign(key.enc_key().begin(), key.enc_key().end());
  } else {
    if (!passphrase || passphrase->size() < kMinPassphrase) {
      return Error(Errc::invalid_argument, "a passphrase of at least 5 bytes is needed to protect the key file");
    }
    std::vector<std::uint8_t> salt(kSaltSize);
    Iv iv;
    if (RAND_bytes(salt.data(), int(salt.size())) != 1 || RAND_bytes(iv.data(), int(iv.size())) != 1) {
      throw std::runtime_error("OpenSSL: no random bytes for the key file's salt and IV");
    }
    KeyBytes derived{};
    ScopedWipe wipe_derived{derived};
    PBS_TRY(kdf == Kdf::scrypt ? derive_scrypt(*passphrase, salt, kScryptN, kScryptR, kScryptP, derived)
                               : derive_pbkdf2(*passphrase, salt, kPbkdf2Iter, derived));
    std::array<std::uint8_t, 16> tag{};
    data.resize(kWrappedKeySize);
    gcm_encrypt(derived, iv, key.enc_key(), data.data() + 32, tag);
    std::copy(iv.begin(), iv.end(), data.begin());
    std::copy(tag.begin(), tag.end(), data.begin() + 16);
    ojson params = ojson::object();
    if (kdf == Kdf::scrypt) {
      params["n"] = kScryptN;
      params["r"] = kScryptR;
      params["p"] = kScryptP;
    } else {
      params["iter"] = kPbkdf2Iter;
    }
    params["salt"] = base64_encode(salt);
    doc["kdf"] = ojson::object({{kdf == Kdf::scrypt ? "Scrypt" : "PBKDF2", std::move(params)}});
  }
  doc["created"] = *stamp;
  doc["modified"] = *stamp;
  doc["data"] = base64_encode(data);
  wipe(data);
  doc["fingerprint"] = format_fingerprint(key.fingerprint());
  if (hint) doc["hint"] = *hint;
  std::string out;
  try {
    out = doc.dump();
  } catch (const ojson::exception&) {
    // Only the hint comes from outside; serde_json could not hold it either.
    wipe_string_value(doc["data"]);
    return Error(Errc::invalid_argument, "the key file's passphrase hint is not valid UTF-8");
  }
  wipe_string_value(doc["data"]);
  return out;
}

}  // namespace pbs::crypto
