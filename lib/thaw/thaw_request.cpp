#include "thaw/thaw_request.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <thread>

#include <fmt/core.h>

#include "remote/fetch_each.h"

namespace pbs::thaw {

namespace {

s3::Request head_of(const remote::Remote& remote, const ArchivedObject& o) {
  auto r = s3::on_version(s3::head_object(remote.bucket, o.key), o.version_id);
  r.accepted_statuses.push_back(404);
  return r;
}

// Where one object stands: readable, under way, or not asked for.
enum class Standing { not_archived, readable, ongoing, archived, gone };

Standing standing_of(const s3::Response& r, ThawSummary& summary) {
  if (r.status == 404) return Standing::gone;
  auto cls = r.header("x-amz-storage-class").value_or("STANDARD");
  if (s3::is_archive_class(cls)) {
    summary.storage_class = cls;
    summary.classes.insert(cls);
  }
  if (!s3::is_archive_class(cls)) return Standing::not_archived;  // never archived, or moved back
  switch (parse_restore_header(r.header("x-amz-restore").value_or("")).kind) {
    case RestoreState::Kind::readable: return Standing::readable;
    case RestoreState::Kind::ongoing: return Standing::ongoing;
    case RestoreState::Kind::none: break;
  }
  return Standing::archived;
}

// HEADs `objects`; each one's standing, or an error in `summary` (gone: named there too). A size
// not known yet (an object met by a read rather than in a listing) is taken from the answer.
Result<std::vector<Standing>> look_at(transfer::RequestInterface& requests, const remote::Remote& remote,
                                      std::vector<ArchivedObject>& objects, ThawSummary& summary,
                                      std::vector<run::ObjectError>& errors) {
  std::vector<Standing> out(objects.size(), Standing::gone);
  PBS_TRY(remote::fetch_each(
      requests, objects.size(), [&](std::size_t i) { return std::pair{head_of(remote, objects[i]), transfer::Sink{}}; },
      [&](std::size_t i, Result<s3::Response> r) {
        if (!r) return errors.push_back({objects[i].key, r.error().message()});
        out[i] = standing_of(*r, summary);
        if (auto length = r->header("content-length"); objects[i].size == 0 && length) {
          std::from_chars(length->data(), length->data() + length->size(), objects[i].size);
        }
        if (out[i] == Standing::gone) errors.push_back({objects[i].key, "no longer in the bucket"});
      }));
  return out;
}

// Looks at `objects` and asks for those neither asked for nor readable; `pending` gets the ones to
// wait for. An error about the target (RestoreObject not permitted, a tier a class does not offer)
// is returned and stops it.
Status ask_for_readable(transfer::RequestInterface& requests, const remote::Remote& remote,
                        std::vector<ArchivedObject> objects, const ThawChoice& options, bool ask, ThawSummary& summary,
                        std::vector<ArchivedObject>& pending, std::vector<run::ObjectError>& errors) {
  summary.tier = options.tier;
  summary.days = options.days;
  PBS_ASSIGN(auto standing, look_at(requests, remote, objects, summary, errors));
  std::vector<std::size_t> to_ask;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    if (standing[i] != Standing::not_archived && standing[i] != Standing::gone) ++summary.needed;
    if (standing[i] == Standing::readable) ++summary.readable;
    if (standing[i] == Standing::ongoing) ++summary.ongoing, pending.push_back(objects[i]);
    if (standing[i] == Standing::archived) to_ask.push_back(i);
  }
  if (to_ask.empty()) return {};
  for (const auto& cls : summary.classes) {
    if (!tier_time(cls, options.tier)) {
      return Error(Errc::config, cls + " offers no " + std::string(tier_name(options.tier)) +
                                     " retrieval; choose --restore-tier standard or bulk");
    }
  }
  auto count = [&](std::size_t i) {
    ++summary.asked;
    summary.bytes_asked += objects[i].size;
    pending.push_back(objects[i]);
  };
  if (!ask) {
    for (auto i : to_ask) count(i);
    return {};
  }
  return remote::fetch_each(
      requests, to_ask.size(),
      [&](std::size_t n) {
        const auto& o = objects[to_ask[n]];
        auto r = s3::restore_object(remote.bucket, o.key, options.days, tier_name(options.tier));
        if (!o.version_id.empty()) r.query.emplace_back("versionId", o.version_id);
        return std::pair{std::move(r), transfer::Sink{}};
      },
      [&](std::size_t n, Result<s3::Response> r) {
        std::size_t i = to_ask[n];
        if (!r) return errors.push_back({objects[i].key, "RestoreObject: " + r.error().message()});
        if (r->status == 200) {
          ++summary.readable;  // readable already: its days renewed
        } else if (r->status == 409) {
          ++summary.ongoing;  // asked for meanwhile
          pending.push_back(objects[i]);
        } else {
          count(i);
        }
      });
}

// Polls `pending` every `poll_seconds` until none is under way: a few of the oldest first, and all
// only once those are not, so that a day's wait costs a few requests per object, not hundreds.
// Errc::interrupted when `interrupted` says so (the rest is left for a later run).
Status wait_until_readable(transfer::RequestInterface& requests, const remote::Remote& remote,
                           std::vector<ArchivedObject> pending, double poll_seconds,
                           const std::function<bool()>& interrupted, ThawSummary& summary,
                           std::vector<run::ObjectError>& errors, const std::function<void(std::size_t left)>& on_wait) {
  constexpr std::size_t kSample = 8;
  auto t0 = std::chrono::steady_clock::now();
  auto done = [&](Status st) {
    summary.waiting = pending.size();
    summary.waited_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return st;
  };
  while (!pending.empty()) {
    if (on_wait) on_wait(pending.size());
    auto wake = std::chrono::steady_clock::now() + std::chrono::duration<double>(poll_seconds);
    while (std::chrono::steady_clock::now() < wake) {
      if (interrupted && interrupted()) return done(Error(Errc::interrupted, "interrupted while waiting for archived objects"));
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    // The oldest asked for come first: while they are not readable, the rest are not either.
    std::vector<ArchivedObject> sample(pending.begin(), pending.begin() + std::ptrdiff_t(std::min(kSample, pending.size())));
    PBS_ASSIGN(auto first, look_at(requests, remote, sample, summary, errors));
    if (std::all_of(first.begin(), first.end(), [](Standing s) { return s == Standing::ongoing; })) continue;
    PBS_ASSIGN(auto all, look_at(requests, remote, pending, summary, errors));
    std::vector<ArchivedObject> left;
    for (std::size_t i = 0; i < pending.size(); ++i) {
      // Not ongoing any more: readable, or (expired, the request lost) archived again, which the
      // read that follows meets and asks for anew.
      if (all[i] == Standing::ongoing) left.push_back(std::move(pending[i]));
    }
    pending = std::move(left);
  }
  return done({});
}

}  // namespace

Status make_readable(transfer::RequestInterface& requests, const remote::Remote& remote,
                     std::vector<ArchivedObject> objects, const ThawChoice& choice, bool dry_run,
                     const std::function<bool()>& interrupted, ThawSummary& t, std::vector<run::ObjectError>& errors) {
  if (objects.empty()) return {};
  std::vector<ArchivedObject> pending;
  PBS_TRY(ask_for_readable(requests, remote, std::move(objects), choice, !dry_run, t, pending, errors));
  t.waiting = pending.size();
  if (pending.empty() || dry_run || choice.request_only) return {};
  auto time = tier_time(t.storage_class, choice.tier).value_or(TierTime{3, 5});
  double poll = choice.poll_seconds > 0 ? choice.poll_seconds : poll_seconds(time);
  auto say = [&](std::size_t left) {
    if (!choice.say) return;
    choice.say(fmt::format("waiting for {} archived chunks from {} ({} retrieval: {}); looking again every {:.0f} s",
                           left, t.storage_class, tier_name(choice.tier), describe(time), poll));
  };
  return wait_until_readable(requests, remote, std::move(pending), poll, interrupted, t, errors, say);
}

}  // namespace pbs::thaw
