#include "sync/remote_listing.h"

#include <optional>
#include <vector>

#include "sync/remote_layout.h"
#include "transfer/object_store.h"

namespace pbs::sync {

Status list_remote(transfer::RequestInterface& requests, const Remote& remote, std::string_view rel_prefix,
                   bool split_hex, const std::function<void(std::string_view rel, const s3::ObjectInfo&)>& each) {
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
  for (const auto& p : prefixes) {
    s3::ListOptions o;
    o.prefix = p;
    store.list(o,
               [&](s3::ListPage&& page) {
                 for (const auto& obj : page.objects) {
                   if (obj.key.size() < strip) continue;
                   each(std::string_view(obj.key).substr(strip), obj);
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

Result<RemoteCatalog> load_catalog(transfer::RequestInterface& requests, const Remote& remote) {
  RemoteCatalog catalog;
  PBS_TRY(list_remote(requests, remote, kContentDir, false,
                      [&](std::string_view rel, const s3::ObjectInfo& o) { catalog.add(rel, o); }));
  return catalog;
}

}  // namespace pbs::sync
