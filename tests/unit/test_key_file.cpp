// PBS key files (crypto/key_file) and the KDFs that protect them (crypto/kdf).

#include <numeric>
#include <string>

#include <nlohmann/json.hpp>

#include "crypto/kdf.h"
#include "crypto/key_file.h"
#include "test_support.h"
#include "util/base64.h"
#include "util/hex.h"

using namespace pbs;
using namespace pbs::crypto;
using pbs::test::must;

namespace {

std::span<const std::uint8_t> text_view(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace

TEST_CASE("scrypt and PBKDF2 reproduce RFC 7914's test vectors", "[crypto][kdf]") {
  KeyBytes out{};
  must(derive_scrypt("password", text_view("NaCl"), 1024, 8, 16, out));
  CHECK(to_hex(out) == "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162");  // first 32 of 64
  must(derive_pbkdf2("passwd", text_view("salt"), 1, out));
  CHECK(to_hex(out) == "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc");
}

TEST_CASE("KDF parameters PBS would not run are refused before any work", "[crypto][kdf]") {
  KeyBytes out{};
  auto refused = [](Status s, std::string_view says) {
    INFO(says);
    REQUIRE_FALSE(s);
    CHECK(s.error().code() == Errc::corrupt);
    CHECK(s.error().message().find(says) != std::string::npos);
  };
  refused(derive_scrypt("passphrase", {}, 3, 8, 1, out), "power of two");
  refused(derive_scrypt("passphrase", {}, 1, 8, 1, out), "power of two");
  refused(derive_scrypt("passphrase", {}, 1024, 0, 1, out), "positive");
  refused(derive_scrypt("passphrase", {}, 1024, 8, 0, out), "positive");
  refused(derive_scrypt("passphrase", {}, 1ull << 21, 8, 1, out), "1025 MiB");
  refused(derive_scrypt("passphrase", {}, 1ull << 62, 1ull << 40, 1ull << 40, out), "1025 MiB");  // no overflow
  refused(derive_pbkdf2("passphrase", {}, 0, out), "iteration");
  refused(derive_pbkdf2("passphrase", {}, 1ull << 31, out), "iteration");
  // Through a key file, the message says where the parameters came from.
  std::string pass = "passphrase";
  auto doc = nlohmann::json::parse(*make_key_file(CryptKey(CryptKey::random_key()), Kdf::scrypt, &pass, 1700000000));
  doc["kdf"]["Scrypt"]["n"] = 3;
  auto r = open_key_file(must(parse_key_file(doc.dump())), &pass);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == Errc::corrupt);
  CHECK(r.error().message().rfind("key file: ", 0) == 0);
}

TEST_CASE("unprotected key files round-trip and open to the same key", "[crypto]") {
  CryptKey key(CryptKey::random_key());
  auto text = make_key_file(key, Kdf::none, nullptr, 1593179765, std::string("on the shelf"));
  REQUIRE(text);
  auto doc = nlohmann::json::parse(*text);
  CHECK(doc["kdf"].is_null());
  CHECK(doc["data"] == base64_encode(key.enc_key()));
  CHECK(doc["fingerprint"] == format_fingerprint(key.fingerprint()));
  CHECK(doc["hint"] == "on the shelf");
  CHECK(text->find('\n') == std::string::npos);  // compact, as KeyConfig::store writes it
  CHECK(text->rfind("{\"kdf\":null,\"created\":\"", 0) == 0);
  auto file = parse_key_file(*text);
  REQUIRE(file);
  CHECK(file->kdf == Kdf::none);
  CHECK(file->created == 1593179765);
  CHECK(file->modified == 1593179765);
  CHECK(file->hint == std::optional<std::string>("on the shelf"));
  auto opened = open_key_file(*file, nullptr);
  REQUIRE(opened);
  CHECK(opened->enc_key() == key.enc_key());
  CHECK(make_key_file(key, Kdf::none, nullptr, 1593179765)->find("hint") == std::string::npos);
  CHECK(make_key_file(key, Kdf::none, nullptr, 1593179765, std::string("\xff")).error().code() ==
        Errc::invalid_argument);
}

TEST_CASE("a key file in PBS's own spelling parses", "[crypto]") {
  // What `proxmox-backup-client key create --kdf none` writes for the key 00..1f (fingerprint from
  // PBS's fingerprint_checks test), created at 2020-06-26T15:56:05+02:00.
  KeyBytes counting{};
  std::iota(counting.begin(), counting.end(), std::uint8_t(0));
  std::string text =
      R"({"kdf":null,"created":"2020-06-26T15:56:05+02:00","modified":"2020-06-26T13:56:05Z",)"
      R"("data":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",)"
      R"("fingerprint":"0e:ab:d4:46:0b:6e:b9:ca:34:50:23:de:e2:b7:78:c7:90:e5:4a:16:83:b9:65:9c:0a:57:ae:19:90:90:15:9b"})";
  auto file = parse_key_file(text);
  REQUIRE(file);
  CHECK(file->created == 1593179765);
  CHECK(file->modified == 1593179765);
  CHECK(!file->hint);
  CHECK(open_key_file(*file, nullptr)->enc_key() == counting);
  // fingerprint is optional: PBS then trusts the key and computes it.
  auto no_fp = parse_key_file(R"({"kdf":null,"created":"2020-06-26T13:56:05Z","modified":"2020-06-26T13:56:05Z",)"
                              R"("data":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="})");
  REQUIRE(no_fp);
  CHECK(!no_fp->fingerprint);
  CHECK(open_key_file(*no_fp, nullptr));
}

TEST_CASE("parse_key_file names the field that is wrong", "[crypto]") {
  auto message = [](std::string_view text) {
    auto r = parse_key_file(text);
    REQUIRE(!r);
    CHECK(r.error().code() == Errc::corrupt);
    return r.error().message();
  };
  std::string ok_tail = R"("data":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="})";
  CHECK(message("not json").find("JSON") != std::string::npos);
  CHECK(message("[]").find("object") != std::string::npos);
  CHECK(message(R"({"kdf":null,"modified":"2020-06-26T13:56:05Z",)" + ok_tail).find("'created'") != std::string::npos);
  CHECK(message(R"({"kdf":null,"created":"2020-06-26 13:56:05","modified":"2020-06-26T13:56:05Z",)" + ok_tail)
            .find("'created'") != std::string::npos);
  CHECK(message(R"({"kdf":{"Argon2":{}},"created":"2020-06-26T13:56:05Z","modified":"2020-06-26T13:56:05Z",)" +
                ok_tail)
            .find("'kdf'") != std::string::npos);
  CHECK(message(R"({"kdf":{"Scrypt":{"n":65536,"r":8,"salt":""}},"created":"2020-06-26T13:56:05Z",)"
                R"("modified":"2020-06-26T13:56:05Z",)" + ok_tail)
            .find("'p'") != std::string::npos);
  CHECK(message(R"({"kdf":null,"created":"2020-06-26T13:56:05Z","modified":"2020-06-26T13:56:05Z","data":"#"})")
            .find("'data'") != std::string::npos);
  CHECK(message(R"({"kdf":null,"created":"2020-06-26T13:56:05Z","modified":"2020-06-26T13:56:05Z",)"
                R"("fingerprint":"00:11",)" + ok_tail)
            .find("'fingerprint'") != std::string::npos);
  // A wrong-length unprotected key is found when opening.
  auto short_key = parse_key_file(R"({"kdf":null,"created":"2020-06-26T13:56:05Z","modified":"2020-06-26T13:56:05Z",)"
                                  R"("data":"AAEC"})");
  REQUIRE(short_key);
  CHECK(open_key_file(*short_key, nullptr).error().code() == Errc::corrupt);
}

TEST_CASE("key file times are read as PBS reads them: a day past the month's end rolls over", "[crypto]") {
  std::string tail = R"(,"data":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="})";
  // proxmox-time's parse_rfc3339 hands the day to timegm, so PBS opens this file as of March 2nd.
  auto file =
      parse_key_file(R"({"kdf":null,"created":"2021-02-30T00:00:00Z","modified":"2021-03-00T00:00:00Z")" + tail);
  REQUIRE(file);
  CHECK(file->created == 1614643200);   // 2021-03-02T00:00:00Z
  CHECK(file->modified == 1614470400);  // 2021-02-28T00:00:00Z
  // What PBS refuses is refused, naming the field and the text.
  auto late =
      parse_key_file(R"({"kdf":null,"created":"2021-02-32T00:00:00Z","modified":"2021-03-01T00:00:00Z")" + tail);
  REQUIRE_FALSE(late);
  CHECK(late.error().code() == Errc::corrupt);
  CHECK(late.error().message().find("'created'") != std::string::npos);
  CHECK(late.error().message().find("2021-02-32T00:00:00Z") != std::string::npos);
  // Written in local time with its offset, read back to the same second.
  auto text = make_key_file(CryptKey(CryptKey::random_key()), Kdf::none, nullptr, 1593179765);
  REQUIRE(text);
  CHECK(must(parse_key_file(*text)).created == 1593179765);
  auto far = make_key_file(CryptKey(CryptKey::random_key()), Kdf::none, nullptr, 253402300800 + 86400);
  REQUIRE_FALSE(far);
  CHECK(far.error().message().find("creation time") != std::string::npos);
}

TEST_CASE("scrypt key files round-trip and refuse a wrong passphrase", "[crypto]") {
  CryptKey key(CryptKey::random_key());
  std::string pass = "correct horse";
  auto text = make_key_file(key, Kdf::scrypt, &pass, 1700000000);
  REQUIRE(text);
  CHECK(text->find(base64_encode(key.enc_key())) == std::string::npos);
  auto doc = nlohmann::json::parse(*text);
  auto params = doc["kdf"]["Scrypt"];
  CHECK(params["n"] == 65536);
  CHECK(params["r"] == 8);
  CHECK(params["p"] == 1);
  CHECK(params["salt"].get<std::string>().size() == 44);  // 32 bytes

  auto file = parse_key_file(*text);
  REQUIRE(file);
  CHECK(file->kdf == Kdf::scrypt);
  CHECK(file->salt.size() == 32);
  CHECK(file->data.size() == 64);
  CHECK(file->fingerprint == std::optional(key.fingerprint()));
  auto opened = open_key_file(*file, &pass);
  REQUIRE(opened);
  CHECK(opened->enc_key() == key.enc_key());

  std::string wrong = "wrong horse";
  auto refused = open_key_file(*file, &wrong);
  REQUIRE(!refused);
  CHECK(refused.error().code() == Errc::config);
  CHECK(refused.error().message() == "wrong passphrase (the key file's key does not decrypt)");
  auto no_pass = open_key_file(*file, nullptr);
  CHECK(no_pass.error().code() == Errc::invalid_argument);
  CHECK(no_pass.error().message() == "the key file is protected: a passphrase is needed");
  std::string tiny = "abc";
  CHECK(open_key_file(*file, &tiny).error().code() == Errc::invalid_argument);
  CHECK(make_key_file(key, Kdf::scrypt, &tiny, 1700000000).error().code() == Errc::invalid_argument);
  CHECK(make_key_file(key, Kdf::scrypt, nullptr, 1700000000).error().code() == Errc::invalid_argument);

  // A passphrase is never echoed into a message.
  CHECK(refused.error().message().find(wrong) == std::string::npos);
}

TEST_CASE("PBKDF2 key files open", "[crypto]") {
  CryptKey key(CryptKey::random_key());
  std::string pass = "12345";
  auto text = make_key_file(key, Kdf::pbkdf2, &pass, 1700000000, std::string("five digits"));
  REQUIRE(text);
  auto doc = nlohmann::json::parse(*text);
  CHECK(doc["kdf"]["PBKDF2"]["iter"] == 65535);
  auto file = parse_key_file(*text);
  REQUIRE(file);
  CHECK(file->kdf == Kdf::pbkdf2);
  CHECK(file->iter == 65535);
  CHECK(open_key_file(*file, &pass)->enc_key() == key.enc_key());
  std::string wrong = "54321";
  auto refused = open_key_file(*file, &wrong);
  CHECK(refused.error().code() == Errc::config);
  CHECK(refused.error().message().find("five digits") != std::string::npos);  // PBS shows the hint too
}

TEST_CASE("a tampered fingerprint is refused", "[crypto]") {
  CryptKey key(CryptKey::random_key());
  auto doc = nlohmann::json::parse(*make_key_file(key, Kdf::none, nullptr, 1700000000));
  Digest fp = key.fingerprint();
  fp[31] ^= 1;
  doc["fingerprint"] = format_fingerprint(fp);
  auto file = parse_key_file(doc.dump());
  REQUIRE(file);
  auto r = open_key_file(*file, nullptr);
  REQUIRE(!r);
  CHECK(r.error().code() == Errc::corrupt);
  CHECK(r.error().message().find(format_fingerprint(fp)) != std::string::npos);

  // So is a protected file whose fingerprint was swapped for another key's.
  std::string pass = "passphrase";
  auto sdoc = nlohmann::json::parse(*make_key_file(key, Kdf::pbkdf2, &pass, 1700000000));
  sdoc["fingerprint"] = format_fingerprint(CryptKey(CryptKey::random_key()).fingerprint());
  CHECK(open_key_file(*parse_key_file(sdoc.dump()), &pass).error().code() == Errc::corrupt);
}
