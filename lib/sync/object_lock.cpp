#include "sync/object_lock.h"

#include <nlohmann/json.hpp>

#include <vector>

#include "datastore/digest_set.h"
#include "s3/xml.h"
#include "sync/json_fields.h"
#include "sync/prefix_key.h"
#include "sync/prefix_owner.h"
#include "sync/remote_layout.h"
#include "sync/remote_references.h"

namespace pbs::sync {

using namespace datastore;

namespace {
constexpr std::size_t kErrorExamples = 5;

std::string days_text(std::int64_t seconds) {
  std::int64_t days = seconds / kDay, rest = seconds % kDay;
  return std::to_string(days) + (rest ? " days " + std::to_string(rest / 3600) + " h" : " days");
}
}  // namespace

Status check_lock_policy(const LockPolicy& p) {
  if (p.mode != "GOVERNANCE" && p.mode != "COMPLIANCE") {
    return Error(Errc::config, "object lock mode must be GOVERNANCE or COMPLIANCE");
  }
  std::int64_t least = 2 * p.sync_interval + kDay;
  if (p.period() < least) {
    return Error(Errc::config, "OBJECT_LOCK_DAYS=" + std::to_string(p.days) + " is too short for runs every " +
                                   days_text(p.sync_interval) + " (SYNC_INTERVAL): retention must be at least twice "
                                   "the interval plus a day (" + days_text(least) + "), or an object could run out "
                                   "of it between two runs");
  }
  return {};
}

std::string lock_policy_warning(const LockPolicy& p) {
  std::int64_t between = p.period() - p.margin();
  if (between >= 2 * p.sync_interval) return "";
  return "OBJECT_LOCK_DAYS=" + std::to_string(p.days) + " leaves " + days_text(between) +
         " between extension passes, about one run's worth: most runs extend every object (one request each); "
         "a longer retention makes passes rare";
}

Status check_bucket_lock(transfer::RequestInterface& requests, const Remote& remote) {
  PBS_ASSIGN(auto r, requests.execute(s3::get_object_lock_configuration(remote.bucket)));
  bool enabled = false;
  if (r.status == 200) {
    PBS_ASSIGN(auto c, s3::parse_lock_configuration(r.body_text()));
    enabled = c.enabled;
  }
  if (!enabled) {
    return Error(Errc::config, "s3://" + remote.bucket + " has no Object Lock, which OBJECT_LOCK needs; only a new "
                               "bucket can have it: create one with `aws s3api create-bucket --bucket NAME "
                               "--object-lock-enabled-for-bucket` (or `radosgw-admin`/the provider's console with "
                               "object lock on) and sync into that");
  }
  return {};
}

Result<bool> bucket_versioned(transfer::RequestInterface& requests, const Remote& remote) {
  auto req = s3::get_bucket_versioning(remote.bucket);
  req.accepted_statuses = {403, 405, 501};  // not allowed to ask, or a provider without versioning
  PBS_ASSIGN(auto r, requests.execute(std::move(req)));
  if (r.status != 200) return false;
  PBS_ASSIGN(std::string status, s3::parse_versioning_status(r.body_text()));
  return status == "Enabled" || status == "Suspended";
}

Result<RetentionRecord> parse_retention_record(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  auto bad = [&] { return Error(Errc::corrupt, std::string(kRetentionKey) + ": not a retention record"); };
  if (j.is_discarded() || !j.is_object()) return bad();
  RetentionRecord r;
  std::int64_t days = 0;
  bool ok = json_string(j, "mode", r.mode, true) && json_int(j, "days", days) &&
            json_int(j, "covered-until", r.covered_until) && json_int(j, "extended-at", r.extended_at);
  if (!ok || days < 1 || days > 36500 || r.covered_until <= 0) return bad();
  r.days = unsigned(days);
  return r;
}

std::string format_retention_record(const RetentionRecord& r) {
  nlohmann::json j = {{"mode", r.mode}, {"days", r.days}, {"covered-until", r.covered_until},
                      {"extended-at", r.extended_at}};
  return j.dump();
}

namespace {

}  // namespace

Result<std::optional<RetentionRecord>> read_retention_record(transfer::RequestInterface& requests,
                                                             const Remote& remote) {
  PBS_ASSIGN(auto r, requests.execute(s3::get_object(remote.bucket, remote.key(kRetentionKey))));
  if (r.status == 404) return std::optional<RetentionRecord>{};
  auto rec = parse_retention_record(r.body_text());
  if (!rec) return std::optional<RetentionRecord>{};
  return std::optional<RetentionRecord>(std::move(*rec));
}

namespace {

Status write_record(transfer::RequestInterface& requests, const Remote& remote, const RetentionRecord& record,
                    const s3::Retention& retention) {
  std::string text = format_retention_record(record);
  auto body = std::make_shared<const std::vector<std::uint8_t>>(text.begin(), text.end());
  s3::PutOptions o;
  o.content_type = "application/json";
  o.retention = retention;
  PBS_TRY(requests.execute(s3::put_object(remote.bucket, remote.key(kRetentionKey), body, o)));
  return {};
}

// The keys of what complete snapshots need besides chunks, relative to the prefix.
std::vector<std::string> snapshot_object_keys(const RemoteCatalog& catalog, bool encrypted) {
  std::vector<std::string> keys{std::string(kSourceKey)};
  if (encrypted) keys.emplace_back(kEncryptionKey);
  std::set<GroupRef> groups;
  for (const auto& [ref, rs] : catalog.snapshots()) {
    if (!rs.complete()) continue;
    groups.insert(ref.group);
    for (const auto& [name, f] : rs.files) keys.push_back(snapshot_file_rel_key(ref, name));
  }
  for (const auto& g : groups) {
    if (const RemoteGroup* rg = catalog.group(g)) {
      for (const auto& [name, f] : rg->files) keys.push_back(group_file_rel_key(g, name));
    }
  }
  for (const auto& ns : catalog.namespace_markers()) keys.push_back(namespace_marker_rel_key(ns));
  return keys;
}

// Refusals before the first success that say the credentials lack s3:PutObjectRetention rather
// than that one object is special.
constexpr std::size_t kRefusalsBeforeStop = 16;

// One PutObjectRetention per key, `depth` at a time. An object gone is reported (a complete
// snapshot that lost it is broken; nothing can lock it) but does not hold the record back; a
// refusal of one object does, so the next run tries again; refusals of everything stop the run.
Status extend_all(transfer::RequestInterface& requests, const Remote& remote, const std::vector<std::string>& files,
                  const std::vector<Digest>& chunks, const s3::Retention& retention, RetentionReport& report) {
  std::size_t total = files.size() + chunks.size(), next = 0;
  std::optional<Error> stop;
  auto key_of = [&](std::size_t i) {
    return remote.key(i < files.size() ? files[i] : chunk_rel_key(chunks[i - files.size()]));
  };
  std::function<void()> pump;
  // A key whose current version is a delete marker (404 or 405 on the key): the newest real
  // version is the one a point-in-time restore needs, so that one is extended.
  auto extend_hidden = [&](const std::string& key) {
    s3::ListOptions o;
    o.prefix = key;
    o.versions = true;
    o.max_keys = 16;
    requests.submit(s3::list_objects(remote.bucket, o), [&, key](Result<s3::Response> r) {
      std::string version;
      if (r) {
        if (auto page = s3::parse_versions_page(r->body_text())) {
          for (const auto& v : page->objects) {
            if (v.key == key && !v.delete_marker) {
              version = v.version_id;
              break;
            }
          }
        }
      }
      if (version.empty()) {
        ++report.missing;
        if (report.errors.size() < kErrorExamples) report.errors.push_back(key + ": missing remotely, not locked");
        return pump();
      }
      requests.submit(s3::put_object_retention(remote.bucket, key, retention, version), [&, key](Result<s3::Response> x) {
        if (x) {
          ++report.objects;
          ++report.hidden;
          if (report.errors.size() < kErrorExamples) {
            report.errors.push_back(key + ": hidden by a delete marker (its last version is kept locked; "
                                          "`sync --mode full` sends it again)");
          }
        } else {
          ++report.failures;
          if (report.errors.size() < kErrorExamples) report.errors.push_back(key + ": not extended: " + x.error().message());
        }
        pump();
      });
    });
  };
  // Refused: the object may already be locked longer (N lowered, or a COMPLIANCE retention where
  // GOVERNANCE is asked for), which S3 does not let anyone shorten; that object is covered.
  auto refused = [&](const std::string& key, Error why) {
    requests.submit(s3::get_object_retention(remote.bucket, key), [&, key, why](Result<s3::Response> r) {
      auto held = r ? s3::parse_object_retention(r->body_text()) : Result<s3::ObjectRetention>(r.error());
      if (held && held->until >= retention.until) {
        ++report.objects;
        ++report.already_longer;
      } else if (report.objects > 0 || report.failures + 1 < kRefusalsBeforeStop) {
        ++report.failures;
        if (report.errors.size() < kErrorExamples) report.errors.push_back(key + ": not extended: " + why.message());
      } else if (!stop) {
        stop = Error(Errc::access_denied, "PutObjectRetention refused for every object tried (" + key + ": " +
                                              why.message() + "); the credentials need s3:PutObjectRetention to "
                                              "keep snapshots locked");
      }
      pump();
    });
  };
  pump = [&] {
    std::size_t depth = transfer::submit_depth(requests);
    while (next < total && !stop && requests.outstanding() < depth) {
      std::string key = key_of(next++);
      auto req = s3::put_object_retention(remote.bucket, key, retention);
      req.accepted_statuses = {404, 405};  // no current version: a delete marker, or nothing
      requests.submit(std::move(req), [&, key](Result<s3::Response> r) {
        if (r && (r->status == 404 || r->status == 405)) {
          return extend_hidden(key);
        } else if (r) {
          ++report.objects;
        } else if (r.error().code() == Errc::access_denied) {
          return refused(key, r.error());
        } else if (!stop) {
          stop = std::move(r).error();
        }
        pump();
      });
    }
  };
  pump();
  requests.run_until([&] { return (next == total || stop) && requests.outstanding() == 0; });
  if (stop) return std::move(*stop);
  return {};
}

}  // namespace

Result<RetentionReport> keep_retention(transfer::RequestInterface& requests, const Remote& remote,
                                       const LockPolicy& policy, const RemoteCatalog& catalog, std::int64_t start,
                                       bool dry_run, bool encrypted) {
  RetentionReport report;
  s3::Retention retention{policy.mode, start + policy.period()};
  PBS_ASSIGN(auto record, read_retention_record(requests, remote));
  bool any_complete = false;
  for (const auto& [ref, rs] : catalog.snapshots()) any_complete = any_complete || rs.complete();

  // A coverage beyond start + N is none this tool wrote (a record put there by hand or by an
  // attacker holding the host's keys): it is not believed.
  bool believable = record && record->covered_until <= start + policy.period();
  if (believable && record->mode == policy.mode && record->covered_until - start >= policy.margin()) {
    report.covered_until = record->covered_until;
    return report;  // the usual night: nothing to extend
  }
  if (!record && !any_complete) {
    // Nothing is needed yet: all this run and later ones write is locked at least this long.
    report.covered_until = retention.until;
    if (!dry_run) PBS_TRY(write_record(requests, remote, {policy.mode, policy.days, retention.until, 0}, retention));
    return report;
  }
  report.pass = true;
  report.reason = !record ? "no retention record (a prefix written before locking, or a garbled record)"
                  : !believable ? "the retention record claims more than " + std::to_string(policy.days) + " days"
                  : record->mode != policy.mode ? "the lock mode changed from " + record->mode
                                                : "retention of what complete snapshots need ends in less than " +
                                                      days_text(policy.margin());
  std::vector<std::string> files = snapshot_object_keys(catalog, encrypted);
  DigestSet referenced;
  std::size_t snapshots = 0;
  std::vector<std::string> unreadable;  // broken snapshots must not leave every other unlocked
  PBS_TRY(collect_referenced(requests, remote, catalog, referenced, snapshots, &unreadable));
  for (auto& u : unreadable) {
    report.unreadable.push_back(std::move(u) + ": the chunks of its snapshot are not extended");
  }
  if (dry_run) {
    report.objects = files.size() + referenced.size();
    report.covered_until = record ? record->covered_until : 0;
    return report;
  }
  std::vector<Digest> chunks = referenced.to_vector();
  referenced = DigestSet();
  PBS_TRY(extend_all(requests, remote, files, chunks, retention, report));
  if (report.failures > 0) {
    report.covered_until = record ? record->covered_until : 0;
    return report;
  }
  PBS_TRY(write_record(requests, remote, {policy.mode, policy.days, retention.until, start}, retention));
  report.covered_until = retention.until;
  return report;
}

}  // namespace pbs::sync
