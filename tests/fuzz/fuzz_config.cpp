// libFuzzer target: /etc/pbs.conf, ~/.aws INI files and datastore.cfg parsers, bandwidth
// timetables (BANDWIDTH_SCHEDULE, --bandwidth-limit), points in time (--point-in-time), every date-time
// form of util/calendar (S3's RFC 3339, key files' proxmox-time dialect, HTTP dates) and PBS key files
// (--keyfile, and the wrapped key a bucket carries), price files (PRICES=FILE) and x-amz-restore headers.
#include <cstring>
#include <string_view>

#include "util/bandwidth.h"
#include "util/calendar.h"
#include "util/time_point.h"

#include "config/aws_profile.h"
#include "config/datastore_cfg.h"
#include "config/pbs_conf.h"

#include "crypto/key_file.h"

#include "bill/price_table.h"
#include "thaw/archive_tier.h"

namespace {

// What a date parser reads, its formatter writes back to the same second; where two dialects both
// read a text, they agree; civil dates convert both ways.
void check_dates(std::string_view text) {
  using namespace pbs;
  auto strict = parse_rfc3339(text);
  if (strict) {
    std::int64_t year = civil_from_epoch(*strict).year;
    if (year >= 0 && year <= 9999) {
      auto again = parse_rfc3339(format_rfc3339_utc(*strict));
      auto http = parse_imf_fixdate(format_imf_fixdate(*strict));
      if (!again || *again != *strict || !http || *http != *strict) __builtin_trap();
    }
  }
  auto proxmox = parse_proxmox_rfc3339(text);
  if (strict && proxmox && *strict != *proxmox) __builtin_trap();
  if (auto local = parse_local_date_time(text); local && strict && *local != *strict) __builtin_trap();
  if (auto http = parse_imf_fixdate(text)) {
    auto again = parse_imf_fixdate(format_imf_fixdate(*http));
    if (!again || *again != *http) __builtin_trap();
  }
  if (text.size() >= sizeof(std::int64_t)) {
    std::int64_t epoch;
    std::memcpy(&epoch, text.data(), sizeof epoch);
    CivilTime c = civil_from_epoch(epoch);
    if (c.year >= -kMaxAbsYear && c.year <= kMaxAbsYear && epoch_from_civil(c) != epoch) __builtin_trap();
    (void)format_utc(epoch, text.substr(sizeof epoch));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto conf = pbs::config::parse_pbs_conf(text, "fuzz.conf");
  if (conf) {
    for (const auto& s : conf->storages) {
      if (s.id.empty() || s.bucket.size() < 3) __builtin_trap();  // the parser validated both
    }
  }
  (void)pbs::config::parse_ini(text, "fuzz.ini");
  (void)pbs::config::parse_datastore_cfg(text, "fuzz.cfg");
  if (auto t = pbs::BandwidthSchedule::parse(text)) {
    // What describe() writes parses back to the same rates, at any moment of the week.
    auto again = pbs::BandwidthSchedule::parse(t->describe() == "none" ? "off" : t->describe());
    if (!again) __builtin_trap();
    for (std::time_t when = 0; when < 7 * 86400; when += 3607) {
      if (again->rate_at(when) != t->rate_at(when)) __builtin_trap();
    }
  }
  if (auto t = pbs::parse_time_point(text, 1800000000); t && *t < 1) __builtin_trap();  // after 1970, never "now"
  check_dates(text);
  // Price files (PRICES=FILE): what parses holds only finite, sane figures.
  if (auto prices = pbs::bill::parse_price_file(text, "fuzz.prices")) {
    for (const auto& [cls, v] : prices->storage_gb_month) {
      if (!(v >= 0 && v < 1e6)) __builtin_trap();
    }
    for (const auto& [cls, days] : prices->min_days) {
      if (days > 9999) __builtin_trap();
    }
  }
  // x-amz-restore from HEAD answers.
  auto restore = pbs::thaw::parse_restore_header(text);
  if (restore.kind != pbs::thaw::RestoreState::Kind::readable && !restore.expiry.empty()) __builtin_trap();
  if (auto file = pbs::crypto::parse_key_file(text)) {
    // Unprotected keys open cheaply (10 PBKDF2 rounds); protected ones would cost a scrypt run per
    // input. What opens writes back to a file that opens to the same key.
    if (file->kdf == pbs::crypto::Kdf::none) {
      if (auto key = pbs::crypto::open_key_file(*file, nullptr)) {
        auto again = pbs::crypto::make_key_file(*key, pbs::crypto::Kdf::none, nullptr, 1800000000, file->hint);
        if (!again) __builtin_trap();
        auto reparsed = pbs::crypto::parse_key_file(*again);
        if (!reparsed || reparsed->data != file->data || reparsed->hint != file->hint) __builtin_trap();
        auto reopened = pbs::crypto::open_key_file(*reparsed, nullptr);
        if (!reopened || reopened->fingerprint() != key->fingerprint()) __builtin_trap();
      }
    }
  }
  return 0;
}
