#pragma once
// What a provider charges, as far as a mirror's bill goes: storage by the month per class, requests
// per thousand by price class (s3::price_class), data sent out to the internet per GB, archive
// retrievals per GB and per thousand by class and tier, and the minimum storage duration. Presets
// (PRICES=aws|b2|r2|wasabi|hetzner) carry list prices and where they were taken from; PRICES=FILE
// starts from a preset (BASE=) and overrides any figure. Figures are per decimal GB, as the
// providers' pages state them.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace pbs::bill {

struct Retrieval {
  double per_gb = 0;
  double per_1000 = 0;
};

struct PriceTable {
  std::string name;      // "aws", or the file's path
  std::string currency = "USD";
  std::string source;    // the pricing page
  std::string taken;     // when the figures were read (YYYY-MM-DD)
  std::string note;      // what the figures leave out (free allowances, minimum charges)
  std::map<std::string, double, std::less<>> storage_gb_month;   // by class; "STANDARD" is the default
  std::map<std::string, double, std::less<>> requests_per_1000;  // by price class
  double egress_gb = 0;
  std::map<std::string, Retrieval, std::less<>> retrieval;  // "GLACIER/Bulk", "DEEP_ARCHIVE/Standard"
  std::map<std::string, unsigned, std::less<>> min_days;    // by class; "*": every class (Wasabi)

  // The class's storage price, or STANDARD's when the table has none for it.
  double storage(std::string_view storage_class) const;
  double request(std::string_view price_class) const;
  std::optional<Retrieval> retrieval_of(std::string_view storage_class, std::string_view tier) const;
  std::optional<unsigned> min_days_of(std::string_view storage_class) const;
};

// A preset by name; nullopt for an unknown one.
std::optional<PriceTable> preset(std::string_view name);
// "aws, b2, r2, wasabi, hetzner": for messages and the man page.
std::string preset_names();
// A price file's text (`path` names it in errors).
Result<PriceTable> parse_price_file(std::string_view text, const std::string& path);
// PRICES=...: a preset's name, "none", or a file (a path with '/'). nullopt: none.
Result<std::optional<PriceTable>> load_prices(std::string_view value);
// The preset an ENDPOINT's host names (s3.amazonaws.com, *.backblazeb2.com, *.r2.cloudflarestorage.com,
// *.wasabisys.com, *.your-objectstorage.com), for targets without PRICES; "" when none does.
std::string preset_for_host(std::string_view host);

}  // namespace pbs::bill
