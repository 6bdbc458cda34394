#pragma once
// An in-memory bucket behind the request interface, for testing planning, executors and stop
// rules without a server. It answers as S3 does (the statuses, headers and XML documents radosgw
// sends, turned into the same typed errors the engine returns), runs each request's body check as
// the engine's hasher threads do, and lets a test script latency, faults and completion order on
// a virtual clock. It models the engine's answers after its retries, not the retries themselves.
//
// A bucket may be versioned (`versioning`, or `object_lock`, which implies it): every write is
// then a new version, a DELETE without a version id adds a delete marker, and the versions,
// markers and Object Lock retentions answer as radosgw 16 does (`flavor` switches the few answers
// where AWS differs). Listings page, roll keys up at a delimiter and cap max-keys at 1000.
//
// Where it knowingly differs: no multipart uploads, a Range header is ignored (the whole body
// comes back), no storage classes (all STANDARD), no legal holds, no bucket default retention,
// no lifecycle, one owner; a missing version id answers NoSuchVersion on both flavors.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "s3/request.h"
#include "transfer/request_interface.h"

namespace pbs::test {

class FakeS3 final : public transfer::RequestInterface {
 public:
  // One version of an object. `objects` holds the current version of each key; in a versioned
  // bucket the older versions and delete markers stay behind it (see versions()).
  struct Object {
    Object() = default;
    Object(std::vector<std::uint8_t> data, std::int64_t time, std::optional<s3::Retention> lock = {})
        : body(std::move(data)), modified(time), retention(std::move(lock)) {}
    std::vector<std::uint8_t> body;
    std::int64_t modified = 0;  // epoch seconds
    // Versioned buckets: the version's id. One a test puts into `objects` itself is named "null",
    // as S3 names a version written while versioning was off.
    std::string version_id;
    std::optional<s3::Retention> retention;  // Object Lock
    bool delete_marker = false;              // never in `objects`, only behind it
  };
  // Where radosgw 16 and AWS answer differently.
  enum class Flavor {
    radosgw,  // ignores If-None-Match in versioned buckets, 404 for retention on a delete marker,
              // takes lock parameters without Content-MD5
    aws,      // 412 in versioned buckets too, 405 on delete markers, 400 without Content-MD5
  };
  // A scripted answer in place of the real one, for the requests `match` picks, `times` times
  // (-1: always): an HTTP status with an S3 error code, or `error`, an error from below HTTP
  // (network, timeout). With `local`, `error` is what the engine's hasher met reading or checking
  // the body (a file it may not read): the request then never reaches the server.
  struct Fault {
    std::function<bool(const s3::Request&)> match;
    long status = 0;
    std::string code;
    std::optional<Error> error;
    bool local = false;
    int times = -1;
  };
  // A per-key failure inside DeleteObjects (an <Error> element), for the keys `match` picks.
  struct DeleteFault {
    std::function<bool(const std::string& key, const std::string& version_id)> match;
    std::string code = "InternalError";
    int times = -1;
  };
  // One answered request, in answer order.
  struct Answered {
    s3::Op op;
    std::string key;
    bool if_none_match = false;
    long status = 0;  // 0: answered with an error
    double at = 0;    // virtual seconds since the start
  };

  explicit FakeS3(std::string bucket = "bucket", unsigned parallelism = 4);

  using RequestInterface::submit;
  void submit(s3::Request request, transfer::Sink sink, transfer::Completion done) override;
  void run_until(const std::function<bool()>& stop) override;
  std::size_t outstanding() const override { return pending_.size(); }
  unsigned parallelism() const override { return parallelism_; }
  const transfer::Counters& counters() const override { return counters_; }
  const std::string& region() const override { return region_; }
  std::int64_t now_epoch() const override;
  Clock::time_point now() const override;

  // The bucket: key -> current object. A test may change it between and during runs; in a
  // versioned bucket erasing a key removes its current version (as a DELETE of that version id).
  std::map<std::string, Object> objects;
  bool bucket_exists = true;
  // A bucket with Object Lock, and so versioned: retention is accepted and enforced.
  bool object_lock = false;
  // "Enabled" or "Suspended" (S3's states); "" for a bucket never versioned.
  std::string versioning;
  Flavor flavor = Flavor::radosgw;
  bool versioned() const { return object_lock || !versioning.empty(); }

  void fault(Fault f) { faults_.push_back(std::move(f)); }
  void delete_fault(DeleteFault f) { delete_faults_.push_back(std::move(f)); }
  void clear_faults() {
    faults_.clear();
    delete_faults_.clear();
  }
  // Virtual seconds each request takes, plus up to `jitter` more, drawn from `seed`.
  double latency = 0.01;
  double jitter = 0;
  // Answers come in a random order (from `seed`) instead of by due time.
  bool shuffle = false;
  void reseed(std::uint64_t seed) { rng_.seed(seed); }
  // Called when a request is submitted, and right before it is answered.
  std::function<void(const s3::Request&)> on_submit;
  std::function<void(const s3::Request&)> on_answer;
  // Moves the virtual clock on.
  void advance(double seconds) { clock_ += seconds; }

  const std::vector<Answered>& answered() const { return answered_; }
  // Requests that ended at their body check or body read, never sent.
  std::size_t refused_locally() const { return refused_locally_; }
  std::size_t count(s3::Op op) const;
  std::size_t count(s3::Op op, std::string_view key_prefix) const;
  // Keys under `prefix` with a current version, in order.
  std::vector<std::string> keys(std::string_view prefix = "") const;
  // As a PUT stores it: a new version in a versioned bucket.
  void put(const std::string& key, std::vector<std::uint8_t> body);

  // Versions, as a test sets them up and reads them. A version goes in by its Last-Modified
  // (default: now; among equal times the newest put is newer), and the newest is current.
  // Returns the new version's id.
  std::string put_version(const std::string& key, std::vector<std::uint8_t> body,
                          std::optional<std::int64_t> modified = {}, std::optional<s3::Retention> retention = {});
  std::string add_delete_marker(const std::string& key, std::optional<std::int64_t> modified = {});
  // Every version and marker of the key, newest first.
  std::vector<Object> versions(const std::string& key) const;
  // Keys under `prefix` with any version or marker, in order.
  std::vector<std::string> versioned_keys(std::string_view prefix = "") const;
  // Sets a version's retention as a PutObjectRetention with bypass would; false if no such version.
  bool set_retention(const std::string& key, const std::string& version_id, std::optional<s3::Retention> retention);

 private:
  struct Pending {
    s3::Request request;
    transfer::Sink sink;
    transfer::Completion done;
    double due = 0;
    std::uint64_t serial = 0;
  };
  // What one key's deletion did, alone or inside DeleteObjects.
  struct Deletion {
    std::string code;  // "" when done
    std::string version_id;
    bool marker = false;  // a marker was deleted or added
  };
  // Where a request's version lives: found, the key's versions with it, or the error to answer.
  struct Lookup {
    enum class State { found, missing_key, missing_version, hidden, marker } state = State::missing_key;
    Object* version = nullptr;  // found; hidden and marker: the delete marker
  };

  Result<std::vector<std::uint8_t>> read_body(const s3::Request& request);
  Result<s3::Response> answer(const s3::Request& request, const std::vector<std::uint8_t>& body);
  s3::Response dispatch(const s3::Request& request, const std::vector<std::uint8_t>& body);
  Result<s3::Response> finish(const s3::Request& request, s3::Response response, const transfer::Sink& sink);
  Result<s3::Response> deliver(const s3::Request& request, s3::Response response, const transfer::Sink& sink);
  std::size_t pick();
  void record(const Pending& p, const Result<s3::Response>& result);

  // fake_s3.cpp: objects and their versions.
  s3::Response put_object(const s3::Request& request, const std::vector<std::uint8_t>& body);
  s3::Response copy_object(const s3::Request& request);
  s3::Response get_object(const s3::Request& request);
  s3::Response delete_object(const s3::Request& request);
  Deletion delete_one(const std::string& key, const std::string& version_id, bool bypass);
  void store_version(const std::string& key, Object object);
  std::vector<Object> take(const std::string& key);
  void keep(const std::string& key, std::vector<Object> versions);
  std::vector<Object*> chain(const std::string& key);
  Lookup lookup(const std::string& key, const std::optional<std::string>& version_id);
  void settle();
  std::string next_version_id();

  // fake_s3_list.cpp
  s3::Response list(const s3::Request& request) const;
  s3::Response list_versions(const s3::Request& request) const;

  // fake_s3_lock.cpp: bucket settings, retention, DeleteObjects.
  s3::Response bucket_versioning() const;
  s3::Response lock_configuration() const;
  std::optional<s3::Response> lock_headers(const s3::Request& request, std::optional<s3::Retention>& out) const;
  s3::Response put_retention(const s3::Request& request, const std::vector<std::uint8_t>& body);
  s3::Response get_retention(const s3::Request& request);
  s3::Response delete_objects(const s3::Request& request, const std::vector<std::uint8_t>& body);
  std::optional<std::string> scripted_delete_failure(const std::string& key, const std::string& version_id);
  bool locked(const Object& version, bool bypass) const;

  std::string bucket_;
  unsigned parallelism_;
  std::string region_ = "us-east-1";
  std::int64_t epoch_base_;
  double clock_ = 0;
  std::uint64_t serial_ = 0;
  std::uint64_t versions_made_ = 0;
  std::vector<Pending> pending_;
  std::vector<Fault> faults_;
  std::vector<DeleteFault> delete_faults_;
  std::vector<Answered> answered_;
  std::size_t refused_locally_ = 0;
  transfer::Counters counters_;
  std::mt19937_64 rng_{1};
  // Behind `objects`: each key's older versions and delete markers, newest first. A key whose
  // current version is a delete marker is only here.
  std::map<std::string, std::vector<Object>> history_;
};

// Matchers for faults.
std::function<bool(const s3::Request&)> op_is(s3::Op op, std::string key_part = "");

}  // namespace pbs::test
