#include "config/pbs_conf.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <type_traits>

#include "bill/price_table.h"
#include "s3/endpoint.h"
#include "util/duration.h"
#include "util/file_io.h"
#include "util/text.h"

namespace pbs::config {

namespace {

std::string_view unquote(std::string_view v) {
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) {
    return v.substr(1, v.size() - 2);
  }
  return v;
}

const std::vector<std::string_view> kBoolKeys = {"TLS_VERIFY", "IF_NONE_MATCH", "CONTENT_MD5", "ENCRYPTION",
                                                  "UNSIGNED_PAYLOAD"};
const std::vector<std::string_view> kSecretKeys = {"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"};

bool is_storage_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '-' || c == '_' || c == '.')) {
      return false;
    }
  }
  return true;
}

}  // namespace

const std::vector<std::string_view>& storage_keys() {
  static const std::vector<std::string_view> keys = {
      "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "ENDPOINT", "TLS_VERIFY",
      "REGION", "PATH_STYLE", "PREFIX", "STORAGE_CLASS", "SSE", "SSE_KMS_KEY_ID", "CA_FILE",
      "IF_NONE_MATCH", "CONTENT_MD5", "OBJECT_LOCK", "OBJECT_LOCK_DAYS", "ENCRYPTION", "PASSPHRASE_FILE",
      "KEYFILE", "WEIGHT", "UNSIGNED_PAYLOAD", "SSE_CUSTOMER_KEY_FILE", "MIN_STORAGE_DAYS", "PRICES"};
  return keys;
}

static std::optional<unsigned> parse_whole_number(std::string_view text, unsigned min, unsigned max) {
  if (text.empty() || text.size() > 9) return std::nullopt;
  unsigned v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + unsigned(c - '0');
  }
  if (v < min || v > max) return std::nullopt;
  return v;
}

std::optional<unsigned> parse_weight(std::string_view text) { return parse_whole_number(text, 1, 100); }
std::optional<unsigned> parse_lock_days(std::string_view text) { return parse_whole_number(text, 1, 36500); }
std::optional<unsigned> parse_min_storage_days(std::string_view text) { return parse_whole_number(text, 0, 9999); }

std::optional<bool> parse_bool(std::string_view text) {
  std::string t = to_lower(text);
  if (t == "true" || t == "1" || t == "yes" || t == "on") return true;
  if (t == "false" || t == "0" || t == "no" || t == "off") return false;
  return std::nullopt;
}

std::optional<std::string> StorageEntry::get(std::string_view key) const {
  auto it = values.find(std::string(key));
  if (it == values.end()) return std::nullopt;
  return it->second;
}

std::optional<bool> StorageEntry::flag(std::string_view key) const {
  auto v = get(key);
  return v ? parse_bool(*v) : std::nullopt;
}

const StorageEntry* PbsConf::find_storage(std::string_view id) const {
  for (const auto& s : storages) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

bool PbsConf::holds_secrets() const {
  for (const auto& s : storages) {
    for (auto k : kSecretKeys) {
      if (s.get(k)) return true;
    }
  }
  return false;
}

namespace {

Result<StorageEntry> parse_storage(std::string_view value, const std::string& where, int line) {
  // The expected shape is shown only when the line's shape is what is wrong, not a value in it.
  auto bad_shape = [&](const std::string& why) {
    return Error(Errc::config, where + ": STORAGE: " + why +
                                   " (expected s3://BUCKET@ID:KEY=VALUE,KEY=VALUE,...)");
  };
  auto bad = [&](const std::string& why) { return Error(Errc::config, where + ": STORAGE: " + why); };
  if (!value.starts_with("s3://")) return bad_shape("does not start with s3://");
  value.remove_prefix(5);
  auto at = value.find('@');
  if (at == std::string_view::npos) return bad_shape("no '@ID' after the bucket");
  StorageEntry e;
  e.line = line;
  e.bucket = std::string(value.substr(0, at));
  if (auto st = s3::validate_bucket_name(e.bucket); !st) return bad(st.error().message());
  value.remove_prefix(at + 1);
  auto colon = value.find(':');
  e.id = std::string(value.substr(0, colon));
  if (!is_storage_id(e.id)) return bad("target id must be letters, digits, '-', '_' or '.'");
  if (colon == std::string_view::npos) return e;
  std::string_view rest = value.substr(colon + 1);
  std::size_t n = 0;
  while (!rest.empty()) {
    ++n;
    auto comma = rest.find(',');
    std::string_view item = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    auto eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return bad_shape("item " + std::to_string(n) + " is not KEY=VALUE");
    }
    std::string key(trim(item.substr(0, eq)));
    std::string val(trim(item.substr(eq + 1)));
    const auto& known = storage_keys();
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return bad("unknown key '" + key + "'");
    }
    if (e.values.count(key)) return bad("key '" + key + "' given twice");
    if (std::find(kBoolKeys.begin(), kBoolKeys.end(), key) != kBoolKeys.end() && !parse_bool(val)) {
      return bad(key + " must be true or false");
    }
    if (key == "PATH_STYLE" && val != "auto" && !parse_bool(val)) {
      return bad("PATH_STYLE must be true, false or auto");
    }
    if (val.empty()) return bad("key '" + key + "' has an empty value");
    if (key == "OBJECT_LOCK") {
      for (auto& c : val) c = char(std::toupper(static_cast<unsigned char>(c)));
      if (val != "GOVERNANCE" && val != "COMPLIANCE" && val != "OFF") {
        return bad("OBJECT_LOCK must be GOVERNANCE, COMPLIANCE or off (a prefix that was locked, no longer on purpose)");
      }
    }
    if (key == "OBJECT_LOCK_DAYS" && !parse_lock_days(val)) {
      return bad("OBJECT_LOCK_DAYS must be a whole number of days from 1 to 36500");
    }
    if (key == "WEIGHT" && !parse_weight(val)) return bad("WEIGHT must be a whole number from 1 to 100");
    if (key == "SSE" && val != "AES256" && val != "aws:kms") return bad("SSE must be AES256 or aws:kms");
    if (key == "MIN_STORAGE_DAYS" && !parse_min_storage_days(val)) {
      return bad("MIN_STORAGE_DAYS must be a whole number of days from 0 to 9999");
    }
    if (key == "PRICES" && val != "none" && val.find('/') == std::string::npos && !bill::preset(val)) {
      return bad("PRICES is a preset (" + bill::preset_names() + "), none, or the path of a price file");
    }
    if (key == "STORAGE_CLASS" && !std::all_of(val.begin(), val.end(), [](char c) {
          return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        })) {
      return bad("STORAGE_CLASS is a class name such as STANDARD_IA, GLACIER_IR or DEEP_ARCHIVE (capitals, digits, _)");
    }
    e.values.emplace(std::move(key), std::move(val));
  }
  // Server-side encryption: one kind at a time, and a KMS key only for KMS.
  if (e.values.count("SSE_KMS_KEY_ID") && e.get("SSE") != std::optional<std::string>("aws:kms")) {
    return bad("SSE_KMS_KEY_ID needs SSE=aws:kms");
  }
  if (e.values.count("SSE_CUSTOMER_KEY_FILE") && e.values.count("SSE")) {
    return bad("SSE_CUSTOMER_KEY_FILE (SSE-C) and SSE are two kinds of server-side encryption: give one");
  }
  return e;
}

}  // namespace

Result<PbsConf> parse_pbs_conf(std::string_view text, std::string_view path) {
  PbsConf conf;
  conf.path = std::string(path);
  // Editors on other systems start a UTF-8 file with a byte-order mark; it is not part of a key.
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  LineReader lines(text);
  std::string_view raw;
  while (lines.next(raw)) {
    int line_no = lines.number();
    std::string where = conf.path + ":" + std::to_string(line_no);
    std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#') continue;
    if (line.starts_with("export ")) line = trim(line.substr(7));
    auto eq = line.find('=');
    if (eq == std::string_view::npos) {
      return Error(Errc::config, where + ": not a KEY=VALUE line");
    }
    std::string key(trim(line.substr(0, eq)));
    std::string_view quoted = trim(line.substr(eq + 1));
    std::string_view value = unquote(quoted);
    if (value == quoted && !quoted.empty() && (quoted.front() == '"' || quoted.front() == '\'' ||
                                               quoted.back() == '"' || quoted.back() == '\'')) {
      return Error(Errc::config, where + ": " + key + ": a quote is not closed (write KEY=\"VALUE\" or KEY=VALUE)");
    }
    // A limit of 0 would stop every transfer (or, read the other way, mean none): neither is said.
    static const std::string kLeaveOut = "leave the key out for no limit";
    auto number = [&](auto& out, double min, double max, bool integer) -> Status {
      std::string v(value);
      char* end = nullptr;
      double d = std::strtod(v.c_str(), &end);
      if (v.empty() || *end != '\0' || d < min || d > max || (integer && d != double(std::int64_t(d)))) {
        return Error(Errc::config, where + ": " + key + " must be " +
                                       (integer ? "a whole number" : "a number") + " from " +
                                       std::to_string(std::int64_t(min)) + " to " +
                                       std::to_string(std::int64_t(max)));
      }
      out = static_cast<std::remove_reference_t<decltype(*out)>>(d);
      return {};
    };
    if (key == "STORAGE") {
      PBS_ASSIGN(StorageEntry e, parse_storage(value, where, line_no));
      if (conf.find_storage(e.id)) {
        return Error(Errc::config, where + ": STORAGE id '" + e.id + "' is defined twice");
      }
      conf.storages.push_back(std::move(e));
    } else if (key == "MAX_WORKERS") {
      PBS_TRY(number(conf.max_workers, 1, 256, true));
    } else if (key == "BANDWIDTH_LIMIT_MBS") {
      PBS_TRY(number(conf.bandwidth_limit_mbs, 0, 1e6, false));
      if (*conf.bandwidth_limit_mbs == 0) return Error(Errc::config, where + ": BANDWIDTH_LIMIT_MBS=0 is no rate: " + kLeaveOut);
    } else if (key == "BANDWIDTH_SCHEDULE") {
      auto s = BandwidthSchedule::parse(value);
      if (!s) return Error(Errc::config, where + ": BANDWIDTH_SCHEDULE: " + s.error().message());
      conf.bandwidth_schedule = std::move(*s);
    } else if (key == "MAX_REQUESTS_PER_SECOND") {
      PBS_TRY(number(conf.max_requests_per_second, 0, 1e6, false));
      if (*conf.max_requests_per_second == 0) {
        return Error(Errc::config, where + ": MAX_REQUESTS_PER_SECOND=0 is no rate: " + kLeaveOut);
      }
    } else if (key == "SYNC_INTERVAL") {
      PBS_TRY(number(conf.sync_interval, 1, 1e9, true));
    } else if (key == "MAX_OUTAGE") {
      auto d = parse_outage_budget(value);
      if (!d) return Error(Errc::config, where + ": MAX_OUTAGE: " + d.error().message());
      conf.max_outage = *d;
    } else {
      return Error(Errc::config, where + ": unknown key '" + key +
                                     "' (known: STORAGE, MAX_WORKERS, BANDWIDTH_LIMIT_MBS, "
                                     "BANDWIDTH_SCHEDULE, MAX_REQUESTS_PER_SECOND, SYNC_INTERVAL, MAX_OUTAGE)");
    }
  }
  return conf;
}

Result<PbsConf> load_pbs_conf(const std::string& path, bool required) {
  auto bytes = read_file(path, 1 << 20);
  if (!bytes) {
    if (bytes.error().code() == Errc::not_found && !required) {
      PbsConf empty;
      empty.path = path;
      return empty;
    }
    return Error(bytes.error().code() == Errc::not_found ? Errc::config : bytes.error().code(),
                 bytes.error().message());
  }
  PBS_ASSIGN(PbsConf conf, parse_pbs_conf(std::string_view(reinterpret_cast<const char*>(bytes->data()),
                                                           bytes->size()),
                                          path));
  if (conf.holds_secrets()) {
    if (auto w = readable_by_others_warning(path, "secret keys")) conf.warnings.push_back(std::move(*w));
  }
  return conf;
}

}  // namespace pbs::config
