#include "report/thaw_printer.h"

#include <fmt/format.h>

#include "bill/cost.h"
#include "report/human.h"

namespace pbs::report {

namespace {
std::string expected_time(const thaw::ThawSummary& t) {
  auto time = thaw::tier_time(t.storage_class, t.tier);
  return time ? thaw::describe(*time) : "unknown";
}
}  // namespace

std::string thaw_text(const thaw::ThawSummary& t, bool dry_run, const std::string& command, const std::string& waiting_for) {
  std::string out = fmt::format("archived chunks ({}): {} needed, {} {} ({}, {} retrieval: {}, readable for {} days), "
                                "{} asked for earlier, {} readable\n",
                                t.storage_class.empty() ? "archive class" : t.storage_class, t.needed, t.asked,
                                dry_run ? "would be asked for" : "asked for now", human_bytes(t.bytes_asked),
                                thaw::tier_name(t.tier), expected_time(t), t.days, t.ongoing, t.readable);
  if (t.waited_seconds > 0) out += fmt::format("waited {} for them\n", human_duration(t.waited_seconds));
  if (t.waiting > 0 && !dry_run) {
    out += fmt::format("waiting: {} chunks not readable yet{}; run the same {} again once they are (expected: {})\n",
                       t.waiting, waiting_for.empty() ? "" : " (" + waiting_for + " need them)", command, expected_time(t));
  }
  return out;
}

nlohmann::ordered_json thaw_json(const std::optional<thaw::ThawSummary>& t, bool dry_run) {
  if (!t) return nullptr;
  return {{"storage-class", t->storage_class}, {"tier", thaw::tier_name(t->tier)}, {"days", t->days},
          {"expected", expected_time(*t)},     {"needed", t->needed},               {"readable", t->readable},
          {"asked-earlier", t->ongoing},       {dry_run ? "would-ask" : "asked", t->asked},
          {"bytes-asked", t->bytes_asked},     {"waiting", t->waiting},             {"waited-seconds", t->waited_seconds}};
}

double retrieval_cost(const bill::PriceTable& prices, const std::optional<thaw::ThawSummary>& t) {
  if (!t) return 0;
  return bill::retrieval_cost(prices, t->storage_class, std::string(thaw::tier_name(t->tier)), t->asked, t->bytes_asked);
}

}  // namespace pbs::report
