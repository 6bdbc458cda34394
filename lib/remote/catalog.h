#pragma once
// What the remote `.cnt/` tree holds, from one listing: namespaces with markers, group files and
// snapshots with their files (size, ETag, time). A remote snapshot is complete exactly when its
// manifest object exists: sync writes the manifest only after everything it names is stored
// (sync_executor.h), and deletes it first. Keys that are not valid PBS names are kept aside,
// never interpreted.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "datastore/names.h"
#include "remote/remote.h"
#include "s3/xml.h"

namespace pbs::remote {

struct RemoteFile {
  std::uint64_t size = 0;
  std::string etag;
  std::int64_t mtime = 0;
  std::string version_id;  // read at a point in time: the version to fetch
};

struct RemoteSnapshot {
  datastore::SnapshotRef ref;
  std::map<std::string, RemoteFile> files;
  bool complete() const { return files.count(std::string(datastore::kManifestName)) > 0; }
  // The version to fetch of one of its files ("" unless read at a point in time).
  std::string version(std::string_view name) const {
    auto it = files.find(std::string(name));
    return it == files.end() ? std::string() : it->second.version_id;
  }
};

struct RemoteGroup {
  datastore::GroupRef ref;
  std::map<std::string, RemoteFile> files;  // owner, notes
};

class RemoteCatalog {
 public:
  // `rel` is the key relative to the prefix (".cnt/...").
  void add(std::string_view rel, const s3::ObjectInfo& object);

  const RemoteSnapshot* snapshot(const datastore::SnapshotRef& ref) const;
  const RemoteGroup* group(const datastore::GroupRef& ref) const;
  bool has_namespace_marker(const datastore::Namespace& ns) const { return markers_.count(ns) > 0; }

  const std::map<datastore::SnapshotRef, RemoteSnapshot>& snapshots() const { return snapshots_; }
  const std::map<datastore::GroupRef, RemoteGroup>& groups() const { return groups_; }
  const std::set<datastore::Namespace>& namespace_markers() const { return markers_; }
  const std::vector<std::string>& invalid_keys() const { return invalid_; }
  std::size_t objects() const { return objects_; }

 private:
  std::map<datastore::SnapshotRef, RemoteSnapshot> snapshots_;
  std::map<datastore::GroupRef, RemoteGroup> groups_;
  std::set<datastore::Namespace> markers_;
  std::vector<std::string> invalid_;
  std::size_t objects_ = 0;
};

// All the keys under `.cnt/` that are not PBS names, in one line: how many, and the first few
// with the reason (a bucket with thousands of junk keys gives one line, not thousands). Empty
// when there are none.
std::string describe_invalid_keys(const RemoteCatalog& catalog, const Remote& remote, std::size_t examples = 5);

}  // namespace pbs::remote
