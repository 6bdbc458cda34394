#include "thaw/archive_tier.h"

#include <algorithm>

#include <fmt/core.h>

#include "util/text.h"

namespace pbs::thaw {

std::optional<Tier> parse_tier(std::string_view s) {
  auto l = to_lower(s);
  if (l == "bulk") return Tier::bulk;
  if (l == "standard") return Tier::standard;
  if (l == "expedited") return Tier::expedited;
  return std::nullopt;
}

std::string_view tier_name(Tier t) {
  switch (t) {
    case Tier::bulk: return "Bulk";
    case Tier::standard: return "Standard";
    case Tier::expedited: return "Expedited";
  }
  return "Standard";
}

std::optional<TierTime> tier_time(std::string_view storage_class, Tier tier) {
  if (storage_class == "DEEP_ARCHIVE") {
    if (tier == Tier::expedited) return std::nullopt;
    return tier == Tier::bulk ? TierTime{48, 48} : TierTime{12, 12};
  }
  switch (tier) {
    case Tier::expedited: return TierTime{1.0 / 60, 5.0 / 60};
    case Tier::standard: return TierTime{3, 5};
    case Tier::bulk: return TierTime{5, 12};
  }
  return std::nullopt;
}

std::string describe(const TierTime& t) {
  auto amount = [](double hours) {
    return hours < 1 ? fmt::format("{:.0f}", hours * 60) : fmt::format("{:.0f}", hours);
  };
  std::string unit = t.most_hours < 1 ? " minutes" : " hours";
  if (t.usual_hours == t.most_hours) return "within " + amount(t.most_hours) + unit;
  return amount(t.usual_hours) + "-" + amount(t.most_hours) + unit;
}

double poll_seconds(const TierTime& t) { return std::clamp(t.usual_hours * 3600 / 10, 60.0, 3600.0); }

RestoreState parse_restore_header(std::string_view h) {
  RestoreState s;
  // name="value" or name=value (up to the next comma): providers write both.
  auto value_of = [&](std::string_view name) -> std::string {
    auto at = h.find(name);
    if (at == std::string_view::npos) return {};
    std::size_t i = at + name.size();
    while (i < h.size() && (h[i] == ' ' || h[i] == '=')) ++i;
    if (i < h.size() && h[i] == '"') {
      auto close = h.find('"', i + 1);
      if (close == std::string_view::npos) return {};
      return std::string(h.substr(i + 1, close - i - 1));
    }
    auto end = h.find(',', i);
    auto v = h.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i);
    while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
    return std::string(v);
  };
  auto ongoing = to_lower(value_of("ongoing-request"));
  if (ongoing == "true") {
    s.kind = RestoreState::Kind::ongoing;
  } else if (ongoing == "false") {
    s.kind = RestoreState::Kind::readable;
    s.expiry = value_of("expiry-date");
  }
  return s;
}

}  // namespace pbs::thaw
