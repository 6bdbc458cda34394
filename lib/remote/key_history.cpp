#include "remote/key_history.h"

#include "remote/listing.h"

namespace pbs::remote {

namespace {

// A versions listing hands a key's versions over one after another, possibly across pages: they
// are gathered per listing stream and handed on when the next key starts.
class Gatherer {
 public:
  Gatherer(std::size_t listings, const std::function<void(const KeyHistory&)>& done) : open_(listings), done_(done) {}
  void add(std::size_t listing, std::string_view rel, const s3::ObjectInfo& o) {
    KeyHistory& k = open_[listing];
    if (k.rel != rel) {
      flush(listing);
      k.rel = std::string(rel);
    }
    k.versions.push_back(o);
  }
  void finish() {
    for (std::size_t i = 0; i < open_.size(); ++i) flush(i);
  }

 private:
  void flush(std::size_t listing) {
    KeyHistory& k = open_[listing];
    if (!k.versions.empty()) done_(k);
    k.versions.clear();
    k.rel.clear();
  }
  std::vector<KeyHistory> open_;
  const std::function<void(const KeyHistory&)>& done_;
};

}  // namespace

Status list_key_histories(transfer::RequestInterface& requests, const Remote& remote, std::string_view rel_prefix,
                          bool split_hex, bool versioned, const std::function<void(const KeyHistory&)>& each) {
  if (!versioned) {
    KeyHistory k;
    k.versions.resize(1);
    return list_remote(requests, remote, rel_prefix, split_hex, [&](std::string_view rel, const s3::ObjectInfo& o) {
      k.rel = std::string(rel);
      k.versions.front() = o;
      each(k);
    });
  }
  Gatherer gather(split_hex ? 16 : 1, each);
  PBS_TRY(list_remote_versions(requests, remote, rel_prefix, split_hex,
                               [&](std::size_t i, std::string_view rel, const s3::ObjectInfo& o) { gather.add(i, rel, o); }));
  gather.finish();
  return {};
}

}  // namespace pbs::remote
