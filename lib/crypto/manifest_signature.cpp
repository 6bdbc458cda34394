#include "crypto/manifest_signature.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string_view>
#include <vector>

#include "util/hex.h"

namespace pbs::crypto {

namespace {

using json = nlohmann::json;

// serde_json formats f64 with ryu: the shortest digits that round-trip, laid out by ryu's rules, which
// differ from nlohmann's at the edges ("1e20" not "1e+20", "1e16" vs "10000000000000000.0").
void write_double(double v, std::string& out) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string_view sci(buf, std::size_t(res.ptr - buf));  // "-d.ddde+XX"
  if (!sci.empty() && sci.front() == '-') {
    out += '-';
    sci.remove_prefix(1);
  }
  auto e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits += c;
  }
  int exp = 0;
  std::string_view exp_text = sci.substr(e + 1);
  if (!exp_text.empty() && exp_text.front() == '+') exp_text.remove_prefix(1);
  std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exp);
  // ryu: value = digits * 10^k; kk is where the decimal point falls.
  int length = int(digits.size());
  int k = exp - length + 1;
  int kk = length + k;
  if (0 <= k && kk <= 16) {
    out += digits;
    out.append(std::size_t(k), '0');
    out += ".0";
  } else if (0 < kk && kk <= 16) {
    out.append(digits, 0, std::size_t(kk));
    out += '.';
    out.append(digits, std::size_t(kk));
  } else if (-5 < kk && kk <= 0) {
    out += "0.";
    out.append(std::size_t(-kk), '0');
    out += digits;
  } else {
    out += digits[0];
    if (length > 1) {
      out += '.';
      out.append(digits, 1);
    }
    out += 'e';
    out += std::to_string(kk - 1);
  }
}

Status write_canonical(const json& value, std::string& out) {
  switch (value.type()) {
    case json::value_t::null:
    case json::value_t::discarded:
      return Error(Errc::corrupt, "canonical JSON: got unexpected null value");
    case json::value_t::boolean:
      out += value.get<bool>() ? "true" : "false";
      return {};
    case json::value_t::number_integer:
      out += std::to_string(value.get<std::int64_t>());
      return {};
    case json::value_t::number_unsigned:
      out += std::to_string(value.get<std::uint64_t>());
      return {};
    case json::value_t::number_float: {
      double d = value.get<double>();
      // serde_json has no non-finite numbers: its Value turns them into null, which is refused.
      if (!std::isfinite(d)) return Error(Errc::corrupt, "canonical JSON: got a non-finite number");
      write_double(d, out);
      return {};
    }
    case json::value_t::string:
    case json::value_t::binary:
      break;
    case json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& item : value) {
        if (!first) out += ',';
        first = false;
        PBS_TRY(write_canonical(item, out));
      }
      out += ']';
      return {};
    }
    case json::value_t::object: {
      // Sorted here, whatever order the json type keeps: std::string's operator< compares bytes as
      // unsigned char, like Rust's str ordering.
      std::vector<const std::string*> keys;
      keys.reserve(value.size());
      for (auto it = value.begin(); it != value.end(); ++it) keys.push_back(&it.key());
      std::sort(keys.begin(), keys.end(), [](const std::string* a, const std::string* b) { return *a < *b; });
      out += '{';
      bool first = true;
      for (const std::string* key : keys) {
        if (!first) out += ',';
        first = false;
        PBS_TRY(write_canonical(json(*key), out));
        out += ':';
        PBS_TRY(write_canonical(value.at(*key), out));
      }
      out += '}';
      return {};
    }
  }
  if (value.is_binary()) return Error(Errc::corrupt, "canonical JSON: binary values have no JSON form");
  // nlohmann escapes what serde_json escapes ('"', '\\', \b \f \n \r \t, other controls as \u00xx) and,
  // without ensure_ascii, leaves the rest as UTF-8; strict mode refuses what serde_json could not hold.
  try {
    out += value.dump(-1, ' ', false, json::error_handler_t::strict);
  } catch (const json::exception&) {
    return Error(Errc::corrupt, "canonical JSON: a string is not valid UTF-8");
  }
  return {};
}

}  // namespace

Result<std::string> canonical_json(const nlohmann::json& value) {
  std::string out;
  PBS_TRY(write_canonical(value, out));
  return out;
}

Result<std::string> manifest_signature(const CryptKey& key, const datastore::Manifest& m) {
  json doc = json::parse(datastore::manifest_to_json(m), nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return Error(Errc::corrupt, "manifest: its JSON does not parse back");
  doc.erase("unprotected");
  doc.erase("signature");
  PBS_ASSIGN(std::string canonical, canonical_json(doc));
  return to_hex(key.sign(canonical));
}

}  // namespace pbs::crypto
