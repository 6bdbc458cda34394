#include <cstring>

#include <nlohmann/json.hpp>

#include "crypto/crypt_key.h"
#include "crypto/encrypted_blob.h"
#include "crypto/kdf.h"
#include "crypto/manifest_signature.h"
#include "datastore/blob.h"
#include "datastore/manifest.h"
#include "test_support.h"
#include "util/crc32.h"
#include "util/endian.h"
#include "util/hex.h"

using namespace pbs;
using namespace pbs::crypto;
using pbs::test::must;

namespace {

KeyBytes counting_key() {
  KeyBytes k;
  for (std::size_t i = 0; i < k.size(); ++i) k[i] = std::uint8_t(i);
  return k;
}

// The key of PBS's test_manifest_signature: scrypt("test", salt "", N 65536, r 8, p 1).
KeyBytes scrypt_test_key() {
  KeyBytes k{};
  must(derive_scrypt("test", {}, 65536, 8, 1, k));
  return k;
}

std::vector<std::uint8_t> sample_data(std::size_t n, bool compressible) {
  std::vector<std::uint8_t> v(n);
  std::uint32_t x = 12345;
  for (std::size_t i = 0; i < n; ++i) {
    x = x * 1103515245 + 12345;
    v[i] = compressible ? std::uint8_t("abcabcabd"[i % 9]) : std::uint8_t(x >> 24);
  }
  return v;
}

Iv iv_of(std::uint8_t b) {
  Iv iv;
  iv.fill(b);
  return iv;
}

void fix_crc(std::vector<std::uint8_t>& blob, std::size_t header) {
  store_le32(blob.data() + 8, crc32(std::span(blob).subspan(header)));
}

}  // namespace

TEST_CASE("the key 00..1f has PBS's fingerprint", "[crypto]") {
  CryptKey key(counting_key());
  Digest fp = key.fingerprint();
  CHECK(format_fingerprint(fp) ==
        "0e:ab:d4:46:0b:6e:b9:ca:34:50:23:de:e2:b7:78:c7:90:e5:4a:16:83:b9:65:9c:0a:57:ae:19:90:90:15:9b");
  CHECK(short_fingerprint(fp) == "0e:ab:d4:46:0b:6e:b9:ca");
  auto parsed = parse_fingerprint(format_fingerprint(fp));
  REQUIRE(parsed);
  CHECK(*parsed == fp);
  // Like PBS's deserializer: colons are optional, 64 hex digits are not.
  CHECK(*parse_fingerprint(to_hex(fp)) == fp);
  CHECK(parse_fingerprint("0e:ab").error().code() == Errc::corrupt);
  CHECK(parse_fingerprint(format_fingerprint(fp) + ":00").error().code() == Errc::corrupt);
  CHECK(parse_fingerprint(std::string(64, 'z')).error().code() == Errc::corrupt);
}

TEST_CASE("the scrypt test key has the fingerprint and manifest signature of PBS's tests", "[crypto]") {
  CryptKey key(scrypt_test_key());
  CHECK(format_fingerprint(key.fingerprint()) ==
        "12:b9:b7:74:bb:3d:89:95:2b:97:cb:c2:82:f0:0c:14:2b:83:ba:7f:96:62:6a:a1:5a:44:9a:63:e8:91:fe:25");

  datastore::Manifest m;
  m.type = datastore::BackupType::host;
  m.id = "elsa";
  m.time = 1593179765;  // 2020-06-26T13:56:05Z
  datastore::ManifestFile a{"test1.img.fidx", "encrypt", 200, {}};
  a.csum.fill(1);
  datastore::ManifestFile b{"abc.blob", "none", 200, {}};
  b.csum.fill(2);
  m.files = {a, b};
  m.unprotected["note"] = "This is not protected by the signature.";
  auto sig = manifest_signature(key, m);
  REQUIRE(sig);
  CHECK(*sig == "d7b446fb7db081662081d4b40fedd858a1d6307a5aff4ecff7d5bf4fd35679e9");

  // Neither unprotected nor an existing signature take part.
  m.unprotected["key-fingerprint"] = format_fingerprint(key.fingerprint());
  m.signature = *sig;
  CHECK(*manifest_signature(key, m) == *sig);
  m.files[1].size = 201;
  CHECK(*manifest_signature(key, m) != *sig);
}

TEST_CASE("canonical JSON sorts keys, drops whitespace and refuses null", "[crypto]") {
  auto doc = nlohmann::json::parse(R"({"b": [1, -2, true, "x\"\n\u0001é/"], "a": {"z": 1, "Z": 2, "é": 3}, "c": 1.5})");
  auto text = canonical_json(doc);
  REQUIRE(text);
  CHECK(*text == "{\"a\":{\"Z\":2,\"z\":1,\"é\":3},\"b\":[1,-2,true,\"x\\\"\\n\\u0001é/\"],\"c\":1.5}");
  CHECK(canonical_json(nlohmann::json::parse(R"({"a": [null]})")).error().code() == Errc::corrupt);
  CHECK(canonical_json(nlohmann::json(nullptr)).error().code() == Errc::corrupt);
  // serde_json's (ryu's) float layout, not nlohmann's.
  CHECK(*canonical_json(nlohmann::json(1.0)) == "1.0");
  CHECK(*canonical_json(nlohmann::json(-0.0)) == "-0.0");
  CHECK(*canonical_json(nlohmann::json(1e20)) == "1e20");
  CHECK(*canonical_json(nlohmann::json(1e16)) == "1e16");
  CHECK(*canonical_json(nlohmann::json(1234e13)) == "1.234e16");
  CHECK(*canonical_json(nlohmann::json(1e15)) == "1000000000000000.0");
  CHECK(*canonical_json(nlohmann::json(0.0001)) == "0.0001");
  CHECK(*canonical_json(nlohmann::json(0.00001)) == "0.00001");
  CHECK(*canonical_json(nlohmann::json(0.000001)) == "1e-6");
  CHECK(*canonical_json(nlohmann::json(1.1e-64)) == "1.1e-64");
  CHECK(*canonical_json(nlohmann::json(5e-324)) == "5e-324");
  CHECK(*canonical_json(nlohmann::json(1.7976931348623157e308)) == "1.7976931348623157e308");
  CHECK(*canonical_json(nlohmann::json(12.34)) == "12.34");
  CHECK(canonical_json(nlohmann::json(std::string("\xff"))).error().code() == Errc::corrupt);
}

TEST_CASE("chunk digests are SHA-256 of plaintext then id_key", "[crypto]") {
  CryptKey key(counting_key());
  auto data = sample_data(5000, false);
  std::vector<std::uint8_t> joined(data);
  joined.insert(joined.end(), key.id_key().begin(), key.id_key().end());
  Digest expected = sha256(joined);
  CHECK(key.chunk_digest(data) == expected);
  Sha256 h;
  h.update(std::span(data).first(1000));
  h.update(std::span(data).subspan(1000));
  CHECK(key.finish_chunk_digest(h) == expected);
  // The hasher was reset: the same again gives the same name.
  h.update(data);
  CHECK(key.finish_chunk_digest(h) == expected);
  CHECK(key.chunk_digest(data) != sha256(data));

  // id_key = PBKDF2-HMAC-SHA256(enc_key, "_id_key", 10, 32), computed here with OpenSSL's KDF directly.
  KeyBytes id{};
  must(derive_pbkdf2(std::string_view(reinterpret_cast<const char*>(key.enc_key().data()), 32),
                     as_bytes("_id_key"), 10, id));
  CHECK(id == key.id_key());
  CHECK(to_hex(key.sign("abc")) == to_hex(hmac_sha256(key.id_key(), as_bytes("abc"))));
}

TEST_CASE("derived IVs are deterministic and differ per input", "[crypto]") {
  CryptKey key(counting_key());
  CryptKey other(scrypt_test_key());
  auto a = key.derive_iv(as_bytes("chunk a"));
  CHECK(a == key.derive_iv(as_bytes("chunk a")));
  CHECK(a != key.derive_iv(as_bytes("chunk b")));
  CHECK(a != other.derive_iv(as_bytes("chunk a")));
  Digest mac = hmac_sha256(key.id_key(), as_bytes("pbs-s3sync ivchunk a"));
  CHECK(std::memcmp(a.data(), mac.data(), a.size()) == 0);
}

TEST_CASE("copies of a key are the same key", "[crypto]") {
  CryptKey a(counting_key());
  CryptKey b(a);
  CHECK(b.fingerprint() == a.fingerprint());
  CryptKey c(CryptKey::random_key());
  CHECK(c.fingerprint() != a.fingerprint());
  c = a;
  CHECK(c.enc_key() == a.enc_key());
  CHECK(c.id_key() == a.id_key());
  CHECK(CryptKey::random_key() != CryptKey::random_key());
}

TEST_CASE("seal and unseal round-trip plain blobs byte for byte", "[crypto]") {
  CryptKey key(counting_key());
  for (bool compressible : {true, false}) {
    for (std::size_t size : {std::size_t(0), std::size_t(1), std::size_t(70000)}) {
      auto data = sample_data(size, compressible);
      auto plain = datastore::encode_blob(data, true);
      auto kind = *datastore::check_blob(plain);
      auto sealed = seal_blob(key, plain, iv_of(7));
      REQUIRE(sealed);
      CHECK(sealed->size() == plain.size() - 12 + 44);
      auto sealed_kind = datastore::check_blob(*sealed);
      REQUIRE(sealed_kind);  // CRC over the ciphertext
      CHECK(*sealed_kind == (kind == datastore::BlobKind::compressed ? datastore::BlobKind::encrypted_compressed
                                                                     : datastore::BlobKind::encrypted));
      CHECK(std::memcmp(sealed->data() + 12, iv_of(7).data(), 16) == 0);
      CHECK(*seal_blob(key, plain, iv_of(7)) == *sealed);  // deterministic for one IV
      auto unsealed = unseal_blob(key, *sealed);
      REQUIRE(unsealed);
      CHECK(*unsealed == plain);
      auto decoded = decode_any_blob(key, *sealed);
      REQUIRE(decoded);
      CHECK(*decoded == data);
      CHECK(*decode_any_blob(key, plain) == data);  // plain blobs decode as they are
    }
  }
  auto compressed = datastore::encode_blob(sample_data(70000, true), true);
  CHECK(*datastore::check_blob(compressed) == datastore::BlobKind::compressed);
  CHECK(*datastore::check_blob(*seal_blob(key, compressed, iv_of(1))) == datastore::BlobKind::encrypted_compressed);
}

TEST_CASE("sealing refuses damaged and already encrypted blobs, unsealing plain ones", "[crypto]") {
  CryptKey key(counting_key());
  auto plain = datastore::encode_blob(sample_data(1000, false), false);
  auto sealed = *seal_blob(key, plain, iv_of(3));
  CHECK(seal_blob(key, sealed, iv_of(3)).error().code() == Errc::invalid_argument);
  CHECK(unseal_blob(key, plain).error().code() == Errc::invalid_argument);
  auto damaged = plain;
  damaged[100] ^= 1;
  CHECK(seal_blob(key, damaged, iv_of(3)).error().code() == Errc::checksum);
  CHECK(seal_blob(key, std::span(plain).first(5), iv_of(3)).error().code() == Errc::corrupt);
  CHECK(unseal_blob(key, std::span(sealed).first(40)).error().code() == Errc::corrupt);
}

TEST_CASE("a flipped ciphertext byte or another key fails the GCM tag", "[crypto]") {
  CryptKey key(counting_key());
  for (bool compress : {false, true}) {
    auto data = sample_data(10000, compress);
    auto sealed = encrypt_data(key, data, compress, iv_of(9));
    auto flipped = sealed;
    flipped[44 + (flipped.size() - 44) / 2] ^= 0x40;
    // Without the CRC fix-up the CRC catches it first.
    CHECK(unseal_blob(key, flipped).error().code() == Errc::checksum);
    fix_crc(flipped, 44);
    REQUIRE(datastore::check_blob(flipped));
    auto r = unseal_blob(key, flipped);
    REQUIRE(!r);
    CHECK(r.error().code() == Errc::checksum);
    CHECK(r.error().message().find("another key") != std::string::npos);
    CHECK(decode_any_blob(key, flipped).error().code() == Errc::checksum);
    auto bad_tag = sealed;
    bad_tag[30] ^= 1;  // the tag is outside the CRC
    CHECK(unseal_blob(key, bad_tag).error().code() == Errc::checksum);
    auto bad_iv = sealed;
    bad_iv[12] ^= 1;
    CHECK(unseal_blob(key, bad_iv).error().code() == Errc::checksum);

    CryptKey other(scrypt_test_key());
    CHECK(unseal_blob(other, sealed).error().code() == Errc::checksum);
    CHECK(decode_any_blob(other, sealed).error().code() == Errc::checksum);
    CHECK(*decode_any_blob(key, sealed) == data);
  }
}

TEST_CASE("encrypt_data follows PBS's compression rule and decode_any_blob its limit", "[crypto]") {
  CryptKey key(counting_key());
  auto text = sample_data(50000, true);
  auto noise = sample_data(50000, false);
  auto a = encrypt_data(key, text, true, iv_of(1));
  CHECK(*datastore::check_blob(a) == datastore::BlobKind::encrypted_compressed);
  CHECK(a.size() < 5000);
  auto b = encrypt_data(key, noise, true, iv_of(1));  // zstd would be larger: kept raw
  CHECK(*datastore::check_blob(b) == datastore::BlobKind::encrypted);
  CHECK(b.size() == noise.size() + 44);
  auto c = encrypt_data(key, text, false, iv_of(1));
  CHECK(*datastore::check_blob(c) == datastore::BlobKind::encrypted);
  CHECK(*decode_any_blob(key, a) == text);
  CHECK(*decode_any_blob(key, b) == noise);
  CHECK(*decode_any_blob(key, c) == text);
  CHECK(decode_any_blob(key, a, 1000).error().code() == Errc::corrupt);
  CHECK(decode_any_blob(key, b, 1000).error().code() == Errc::corrupt);
  CHECK(decode_any_blob(key, encrypt_data(key, {}, true, iv_of(2)))->empty());
}

TEST_CASE("AES-GCM uses PBS's 16-byte IV", "[crypto]") {
  // Reference from Python's cryptography AESGCM with the full 16-byte nonce (its J0 comes from GHASH;
  // OpenSSL's 12-byte default would silently give another ciphertext and tag).
  KeyBytes k = counting_key();
  Iv iv = iv_of(0x5a);
  std::vector<std::uint8_t> in(64, 0x11), out(64), back(64);
  std::array<std::uint8_t, 16> tag{};
  gcm_encrypt(k, iv, in, out.data(), tag);
  CHECK(to_hex(out) ==
        "6ac0439f23b9f1b26aad0921d38779b802a9acf91c8f2accd033e308d761bbfd"
        "91e99f2b149d39038e85a9eb9458e5c0a3e233c413a99ae1af9b362aa6cc7024");
  CHECK(to_hex(tag) == "53e7fab10e30fe1fb9e729ec8f157e48");
  CHECK(gcm_decrypt(k, iv, out, tag, back.data()));
  CHECK(back == in);
  tag[0] ^= 1;
  CHECK(!gcm_decrypt(k, iv, out, tag, back.data()));
}

TEST_CASE("wipe clears bytes and strings", "[crypto]") {
  std::string s = "a secret passphrase that is long";
  s.resize(3);
  wipe(s);
  CHECK(s.empty());
  KeyBytes k = counting_key();
  wipe(k);
  CHECK(k == KeyBytes{});
}
