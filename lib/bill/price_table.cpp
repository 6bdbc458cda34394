#include "bill/price_table.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "util/file_io.h"
#include "util/text.h"

namespace pbs::bill {

namespace {

PriceTable aws() {
  PriceTable t;
  t.name = "aws";
  t.source = "https://aws.amazon.com/s3/pricing/ (US East, N. Virginia)";
  t.taken = "2026-12-07";
  t.note = "the first 100 GB a month out are free; PUTs into the infrequent and archive classes cost more "
           "than the STANDARD figure used for every PUT here";
  t.storage_gb_month = {{"STANDARD", 0.023},       {"INTELLIGENT_TIERING", 0.023}, {"STANDARD_IA", 0.0125},
                        {"ONEZONE_IA", 0.01},      {"GLACIER_IR", 0.004},          {"GLACIER", 0.0036},
                        {"DEEP_ARCHIVE", 0.00099}};
  t.requests_per_1000 = {{"put-copy-post-list", 0.005}, {"get-head", 0.0004}, {"delete", 0}, {"retention", 0.005}};
  t.egress_gb = 0.09;
  t.retrieval = {{"GLACIER/Expedited", {0.03, 10}},    {"GLACIER/Standard", {0.01, 0.05}}, {"GLACIER/Bulk", {0, 0}},
                 {"DEEP_ARCHIVE/Standard", {0.02, 0.10}}, {"DEEP_ARCHIVE/Bulk", {0.0025, 0.025}}};
  t.min_days = {{"STANDARD_IA", 30}, {"ONEZONE_IA", 30}, {"GLACIER_IR", 90}, {"GLACIER", 90}, {"DEEP_ARCHIVE", 180}};
  return t;
}

PriceTable b2() {
  PriceTable t;
  t.name = "b2";
  t.source = "https://www.backblaze.com/cloud-storage/pricing and /cloud-storage/transaction-pricing";
  t.taken = "2026-12-07";
  t.note = "uploads and deletes (class A) are free, LIST and COPY are class C ($0.004 per 1000) beyond 2500 a day; "
           "data out is free up to three times the average stored, then $0.01/GB";
  t.storage_gb_month = {{"STANDARD", 0.00695}};
  t.requests_per_1000 = {{"put-copy-post-list", 0}, {"get-head", 0.0004}, {"delete", 0}, {"retention", 0}};
  return t;
}

PriceTable r2() {
  PriceTable t;
  t.name = "r2";
  t.source = "https://developers.cloudflare.com/r2/pricing/";
  t.taken = "2026-12-07";
  t.note = "no charge for data out; the monthly free tier (10 GB, 1 million class A, 10 million class B) is not "
           "subtracted; Infrequent Access adds $0.01/GB read";
  t.storage_gb_month = {{"STANDARD", 0.015}, {"STANDARD_IA", 0.01}};
  t.requests_per_1000 = {{"put-copy-post-list", 0.0045}, {"get-head", 0.00036}, {"delete", 0}, {"retention", 0.0045}};
  t.min_days = {{"STANDARD_IA", 30}};
  return t;
}

PriceTable wasabi() {
  PriceTable t;
  t.name = "wasabi";
  t.source = "https://wasabi.com/pricing and https://docs.wasabi.com (minimum storage duration policy)";
  t.taken = "2026-12-07";
  t.note = "no charge for requests or data out (fair use: out no more than stored); at least 1 TB is billed a "
           "month; an object deleted before 90 days is billed for the rest of them";
  t.storage_gb_month = {{"STANDARD", 0.00699}};
  t.requests_per_1000 = {{"put-copy-post-list", 0}, {"get-head", 0}, {"delete", 0}, {"retention", 0}};
  t.min_days = {{"*", 90}};
  return t;
}

PriceTable hetzner() {
  PriceTable t;
  t.name = "hetzner";
  t.currency = "EUR";
  t.source = "https://docs.hetzner.com/storage/object-storage/overview (pricing)";
  t.taken = "2026-12-07";
  t.note = "a base price of at most EUR 4.99 a month includes 1 TB stored and 1 TB out; beyond, EUR 0.0067 per "
           "TB-hour stored and about EUR 1 per TB out; requests are not charged";
  t.storage_gb_month = {{"STANDARD", 0.0049848}};  // EUR 0.0067 per TB-hour x 744 hours
  t.requests_per_1000 = {{"put-copy-post-list", 0}, {"get-head", 0}, {"delete", 0}, {"retention", 0}};
  t.egress_gb = 0.001;
  return t;
}

// A price: finite, not negative, below a million (per GB or per thousand requests).
std::optional<double> number(std::string_view v) {
  double d = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
  if (ec != std::errc() || end != v.data() + v.size() || !std::isfinite(d) || d < 0 || d >= 1e6) return std::nullopt;
  return d;
}

// A key worth repeating in a message: a file given by mistake (a passphrase, credentials) must not
// have its lines echoed.
bool printable_key(std::string_view key) {
  return !key.empty() && key.size() <= 64 && std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '/' || c == '*';
  });
}

// One KEY=VALUE line of a price file into `t`; an error says what is wrong with it.
Status apply(PriceTable& t, std::string_view key, std::string_view value) {
  auto after = [&](std::string_view prefix) { return key.substr(prefix.size()); };
  if (key == "CURRENCY" || key == "SOURCE" || key == "TAKEN" || key == "NOTE") {
    (key == "CURRENCY" ? t.currency : key == "SOURCE" ? t.source : key == "TAKEN" ? t.taken : t.note) = std::string(value);
    return {};
  }
  constexpr std::string_view kKnown[] = {"STORAGE_GB_MONTH", "PUT_PER_1000", "GET_PER_1000", "DELETE_PER_1000",
                                         "RETENTION_PER_1000", "EGRESS_GB"};
  constexpr std::string_view kPrefixes[] = {"STORAGE_GB_MONTH.", "RETRIEVAL_GB.", "RETRIEVAL_PER_1000.", "MIN_DAYS."};
  bool known = std::find(std::begin(kKnown), std::end(kKnown), key) != std::end(kKnown) ||
               std::any_of(std::begin(kPrefixes), std::end(kPrefixes), [&](std::string_view p) {
                 return key.size() > p.size() && key.starts_with(p);
               });
  if (!known) {
    return Error(Errc::config, "not a price key (STORAGE_GB_MONTH[.CLASS], PUT_PER_1000, GET_PER_1000, DELETE_PER_1000, "
                               "RETENTION_PER_1000, EGRESS_GB, RETRIEVAL_GB.CLASS/Tier, RETRIEVAL_PER_1000.CLASS/Tier, "
                               "MIN_DAYS.CLASS, CURRENCY, SOURCE, TAKEN, NOTE, BASE)");
  }
  auto n = number(value);
  if (!n) return Error(Errc::config, std::string(key) + ": not a price (a number such as 0.023, below a million)");
  if (key.starts_with("STORAGE_GB_MONTH.")) {
    t.storage_gb_month[std::string(after("STORAGE_GB_MONTH."))] = *n;
  } else if (key == "STORAGE_GB_MONTH") {
    t.storage_gb_month["STANDARD"] = *n;
  } else if (key == "PUT_PER_1000" || key == "GET_PER_1000" || key == "DELETE_PER_1000" || key == "RETENTION_PER_1000") {
    std::string cls = key == "PUT_PER_1000" ? "put-copy-post-list" : key == "GET_PER_1000" ? "get-head"
                    : key == "DELETE_PER_1000" ? "delete" : "retention";
    t.requests_per_1000[cls] = *n;
  } else if (key == "EGRESS_GB") {
    t.egress_gb = *n;
  } else if (key.starts_with("RETRIEVAL_GB.")) {
    t.retrieval[std::string(after("RETRIEVAL_GB."))].per_gb = *n;
  } else if (key.starts_with("RETRIEVAL_PER_1000.")) {
    t.retrieval[std::string(after("RETRIEVAL_PER_1000."))].per_1000 = *n;
  } else if (key.starts_with("MIN_DAYS.")) {
    if (*n != std::floor(*n) || *n > 9999) return Error(Errc::config, std::string(key) + ": a whole number of days up to 9999");
    t.min_days[std::string(after("MIN_DAYS."))] = unsigned(*n);
  }
  return {};
}

}  // namespace

Result<PriceTable> parse_price_file(std::string_view text, const std::string& path) {
  PriceTable t;
  t.name = path;
  std::size_t line_no = 0, at = 0;
  bool first = true;
  while (at < text.size()) {
    auto end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = trim(text.substr(at, end - at));
    at = end + 1;
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    auto eq = line.find('=');
    auto where = path + ":" + std::to_string(line_no) + ": ";
    if (eq == std::string_view::npos) return Error(Errc::config, where + "not KEY=VALUE");
    auto key = trim(line.substr(0, eq)), value = trim(line.substr(eq + 1));
    if (!printable_key(key)) return Error(Errc::config, where + "not a price key (letters, digits, _ . / *)");
    if (key == "BASE") {
      auto base = preset(value);
      if (!base || !first) return Error(Errc::config, where + "BASE is a preset (" + preset_names() + ") on the first line");
      t = *base;
      t.name = path + " (from " + std::string(value) + ")";
    } else if (auto st = apply(t, key, value); !st) {
      return Error(Errc::config, where + st.error().message());
    }
    first = false;
  }
  return t;
}

namespace {

Result<PriceTable> load_file(const std::string& path) {
  constexpr std::size_t kMaxPriceFile = 64 * 1024;
  PBS_ASSIGN(auto bytes, read_file(path, kMaxPriceFile));
  return parse_price_file(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), path);
}

}  // namespace

double PriceTable::storage(std::string_view storage_class) const {
  if (auto it = storage_gb_month.find(storage_class.empty() ? "STANDARD" : storage_class); it != storage_gb_month.end()) {
    return it->second;
  }
  auto standard = storage_gb_month.find("STANDARD");
  return standard == storage_gb_month.end() ? 0 : standard->second;
}

double PriceTable::request(std::string_view price_class) const {
  auto it = requests_per_1000.find(price_class);
  return it == requests_per_1000.end() ? 0 : it->second;
}

std::optional<Retrieval> PriceTable::retrieval_of(std::string_view storage_class, std::string_view tier) const {
  auto it = retrieval.find(std::string(storage_class) + "/" + std::string(tier));
  if (it == retrieval.end()) return std::nullopt;
  return it->second;
}

std::optional<unsigned> PriceTable::min_days_of(std::string_view storage_class) const {
  if (auto it = min_days.find(storage_class.empty() ? "STANDARD" : storage_class); it != min_days.end()) return it->second;
  if (auto all = min_days.find("*"); all != min_days.end()) return all->second;
  return std::nullopt;
}

std::optional<PriceTable> preset(std::string_view name) {
  if (name == "aws") return aws();
  if (name == "b2") return b2();
  if (name == "r2") return r2();
  if (name == "wasabi") return wasabi();
  if (name == "hetzner") return hetzner();
  return std::nullopt;
}

std::string preset_names() { return "aws, b2, r2, wasabi, hetzner"; }

Result<std::optional<PriceTable>> load_prices(std::string_view value) {
  if (value.empty() || value == "none") return std::optional<PriceTable>{};
  if (value.find('/') != std::string_view::npos) {
    PBS_ASSIGN(auto t, load_file(std::string(value)));
    return std::optional<PriceTable>(std::move(t));
  }
  if (auto p = preset(value)) return std::optional<PriceTable>(std::move(*p));
  return Error(Errc::config, "PRICES is a preset (" + preset_names() + "), none, or a price file's path, not '" +
                                 std::string(value) + "'");
}

std::string preset_for_host(std::string_view host) {
  auto ends = [&](std::string_view s) { return host.ends_with(s); };
  if (host == "s3.amazonaws.com" || ends(".amazonaws.com")) return "aws";
  if (ends(".backblazeb2.com")) return "b2";
  if (ends(".r2.cloudflarestorage.com")) return "r2";
  if (ends(".wasabisys.com")) return "wasabi";
  if (ends(".your-objectstorage.com")) return "hetzner";
  return "";
}

}  // namespace pbs::bill
