#pragma once
// A generated datastore, a fresh bucket on radosgw and the pbs-s3sync binary wired to them,
// shared by the sync, restore, verify, list and gc tests.

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "datagen.h"
#include "s3_support.h"
#include "test_support.h"

namespace pbs::test {

struct SyncRig {
  TempDir tmp;
  std::string root = tmp.sub("store1");
  std::string bucket = unique_bucket("sync");
  std::string prefix = "store1";
  std::string conf = tmp.sub("pbs.conf");
  std::string lock = tmp.sub("sync.lock");
  std::unique_ptr<transfer::Engine> engine = make_engine(8);

  // `object_lock`: the bucket is made with Object Lock (and so is versioned).
  explicit SyncRig(const testgen::GenConfig& cfg = {}, bool object_lock = false);
  std::string target() const { return "s3://" + bucket + "/" + prefix; }
  // The environment the binary runs with; `first` entries win over the rig's own.
  std::vector<std::string> env(const std::vector<std::string>& first = {}) const;
  std::vector<std::string> argv(const std::vector<std::string>& extra) const;
  CommandResult sync(const std::vector<std::string>& extra = {}) const;
  // Any pbs-s3sync command with the rig's credentials and config.
  CommandResult run(std::vector<std::string> args) const;
  std::map<std::string, s3::ObjectInfo> remote();
  std::vector<std::uint8_t> get(const std::string& rel);
  void put(const std::string& rel, const std::vector<std::uint8_t>& body);
};

nlohmann::json parse_summary(const CommandResult& r);

// What a complete mirror of the datastore must hold: key -> local file ("" for empty markers).
std::map<std::string, std::string> expected_objects(const std::string& root);

// Every remote manifest's snapshot has all its files and chunks remotely (read from the bucket);
// how many manifests it checked.
std::size_t check_no_incomplete_manifest(SyncRig& rig);
// The bucket holds exactly the datastore's mirror (nothing else but .pbs-s3sync/), byte for byte.
void check_exact_mirror(SyncRig& rig);
// A restored datastore holds every file of the mirror byte for byte.
void check_restored_identical(const std::string& source_root, const std::string& restored_root);

}  // namespace pbs::test
