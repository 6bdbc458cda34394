#include "remote/listing.h"

#include <optional>
#include <vector>

#include "remote/key_layout.h"
#include "transfer/object_store.h"

namespace pbs::remote {

namespace {

// Versions come newest first within a key: the first one not after the point in time decides
// what the key was then (nothing, when it is a delete marker). A key's versions may span pages.
class VersionPicker {
 public:
  explicit VersionPicker(std::int64_t as_of) : as_of_(as_of) {}
  bool take(const s3::ObjectInfo& o) {
    if (o.key != key_) {
      key_ = o.key;
      decided_ = false;
    }
    if (decided_ || o.last_modified > as_of_) return false;
    decided_ = true;
    return !o.delete_marker;
  }

 private:
  std::int64_t as_of_;
  std::string key_;
  bool decided_ = false;
};

}  // namespace

namespace {

s3::ListOptions list_options(std::string prefix, bool versions) {
  s3::ListOptions o;
  o.prefix = std::move(prefix);
  o.versions = versions;
  return o;
}

using IndexedEach = std::function<void(std::size_t listing, std::string_view rel, const s3::ObjectInfo&)>;

Status list_under(transfer::RequestInterface& requests, const Remote& remote, std::string_view rel_prefix,
                  bool split_hex, bool versions, const IndexedEach& each) {
  transfer::ObjectStore store(requests, remote.bucket);
  std::string base = remote.key(rel_prefix);
  std::size_t strip = remote.prefix.empty() ? 0 : remote.prefix.size() + 1;
  std::vector<std::string> prefixes;
  if (split_hex) {
    for (char c : std::string_view("0123456789abcdef")) prefixes.push_back(base + c);
  } else {
    prefixes.push_back(base);
  }
  std::size_t pending = prefixes.size();
  std::optional<Error> error;
  for (std::size_t i = 0; i < prefixes.size(); ++i) {
    store.list(list_options(prefixes[i], versions),
               [&, i](s3::ListPage&& page) {
                 for (const auto& obj : page.objects) {
                   if (obj.key.size() < strip) continue;
                   each(i, std::string_view(obj.key).substr(strip), obj);
                 }
                 return !error;
               },
               [&](Status st) {
                 --pending;
                 if (!st && !error) error = std::move(st).error();
               });
  }
  requests.run_until([&] { return pending == 0; });
  if (error) return std::move(*error);
  return {};
}

}  // namespace

Status list_remote(transfer::RequestInterface& requests, const Remote& remote, std::string_view rel_prefix,
                   bool split_hex, const std::function<void(std::string_view rel, const s3::ObjectInfo&)>& each) {
  if (!remote.as_of) {
    return list_under(requests, remote, rel_prefix, split_hex, false,
                      [&](std::size_t, std::string_view rel, const s3::ObjectInfo& o) { each(rel, o); });
  }
  std::vector<VersionPicker> pickers(split_hex ? 16 : 1, VersionPicker(remote.as_of));
  return list_under(requests, remote, rel_prefix, split_hex, true,
                    [&](std::size_t i, std::string_view rel, const s3::ObjectInfo& o) {
                      if (pickers[i].take(o)) each(rel, o);
                    });
}

Status list_remote_versions(transfer::RequestInterface& requests, const Remote& remote, std::string_view rel_prefix,
                            bool split_hex, const IndexedEach& each) {
  return list_under(requests, remote, rel_prefix, split_hex, true, each);
}

void prefetch_catalog(transfer::PrefetchedReads& requests, const Remote& remote) {
  if (remote.as_of) return;
  requests.prefetch(s3::list_objects(remote.bucket, list_options(remote.key(kContentDir), false)));
}

Result<RemoteCatalog> load_catalog(transfer::RequestInterface& requests, const Remote& remote) {
  RemoteCatalog catalog;
  PBS_TRY(list_remote(requests, remote, kContentDir, false,
                      [&](std::string_view rel, const s3::ObjectInfo& o) { catalog.add(rel, o); }));
  return catalog;
}

Result<RemoteCatalog> load_group_catalog(transfer::RequestInterface& requests, const Remote& remote,
                                         const datastore::GroupRef& group) {
  RemoteCatalog catalog;
  PBS_TRY(list_remote(requests, remote, content_rel_key(group.rel_dir() + "/"), false,
                      [&](std::string_view rel, const s3::ObjectInfo& o) { catalog.add(rel, o); }));
  return catalog;
}

s3::Request remote_get(const Remote& remote, std::string_view rel, const std::string& version_id) {
  return s3::on_version(s3::get_object(remote.bucket, remote.key(rel)), version_id);
}

}  // namespace pbs::remote
