// util/base64: standard base64 with padding, strict on input.

#include <string>
#include <vector>

#include "test_support.h"
#include "util/base64.h"

using namespace pbs;

namespace {

std::vector<std::uint8_t> text_bytes(std::string_view s) { return {s.begin(), s.end()}; }

}  // namespace

TEST_CASE("base64 encodes and decodes RFC 4648's test vectors", "[base64]") {
  for (auto [plain, encoded] : {std::pair{"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
                                {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}}) {
    INFO(plain);
    CHECK(base64_encode(text_bytes(plain)) == encoded);
    CHECK(base64_decode(encoded) == text_bytes(plain));
  }
}

TEST_CASE("base64 round-trips every byte value", "[base64]") {
  std::vector<std::uint8_t> all(256);
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = std::uint8_t(i);
  for (std::size_t n = 0; n <= all.size(); n += 37) {
    std::vector<std::uint8_t> part(all.begin(), all.begin() + std::ptrdiff_t(n));
    CHECK(base64_decode(base64_encode(part)) == part);
  }
}

TEST_CASE("base64 refuses what is not padded standard base64", "[base64]") {
  for (std::string bad : {"Zg", "Zg=", "Zm9v\n", " Zm9v", "Zm9v YmFy", "Zm-_", "Zm9v!A==", "====", "Zm9v====",
                          "Zg=a", "Z===", "Zm=v"}) {
    INFO(bad);
    CHECK_FALSE(base64_decode(bad));
  }
}
