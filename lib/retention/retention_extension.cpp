#include "retention/retention_extension.h"

#include <memory>

#include "remote/key_layout.h"
#include "s3/xml.h"
#include "transfer/object_store.h"

namespace pbs::retention {

namespace {

constexpr std::size_t kErrorExamples = 5;
// Refusals before the first success that say the credentials lack s3:PutObjectRetention rather
// than that one object is special.
constexpr std::size_t kRefusalsBeforeStop = 16;

class Extension {
 public:
  Extension(transfer::RequestInterface& requests, const remote::Remote& remote, const std::vector<std::string>& files,
            const std::vector<Digest>& chunks, const s3::Retention& retention, ExtensionCounts& counts)
      : requests_(requests), remote_(remote), files_(files), chunks_(chunks), retention_(retention), counts_(counts) {}

  Status run() {
    pump();
    std::size_t total = files_.size() + chunks_.size();
    requests_.run_until([&] { return (next_ == total || stop_) && requests_.outstanding() == 0; });
    if (stop_) return std::move(*stop_);
    return {};
  }

 private:
  std::string key_of(std::size_t i) const {
    return remote_.key(i < files_.size() ? files_[i] : remote::chunk_rel_key(chunks_[i - files_.size()]));
  }
  void note(std::string text) {
    if (counts_.errors.size() < kErrorExamples) counts_.errors.push_back(std::move(text));
  }

  void pump() {
    std::size_t depth = transfer::submit_depth(requests_), total = files_.size() + chunks_.size();
    while (next_ < total && !stop_ && requests_.outstanding() < depth) extend(key_of(next_++));
  }

  // `version` empty: the current version; else that one, found under a delete marker.
  void extend(const std::string& key, const std::string& version = "") {
    auto req = s3::on_version(s3::put_object_retention(remote_.bucket, key, retention_), version);
    if (version.empty()) req.accepted_statuses = {404, 405};  // no current version: a delete marker, or nothing
    requests_.submit(std::move(req), [this, key, version](Result<s3::Response> r) {
      if (r && (r->status == 404 || r->status == 405)) return find_hidden(key);
      if (r) {
        ++counts_.objects;
        if (!version.empty()) hidden(key);
      } else if (r.error().code() == Errc::access_denied) {
        return refused(key, version, r.error());
      } else if (!version.empty()) {
        ++counts_.failures;
        note(key + " (version " + version + "): not extended: " + r.error().message());
      } else if (!stop_) {
        stop_ = std::move(r).error();
      }
      pump();
    });
  }

  void hidden(const std::string& key) {
    ++counts_.hidden;
    note(key + ": hidden by a delete marker (its last version is kept locked; `sync --mode full` sends it again)");
  }

  // The newest real version of a key whose current version is a delete marker, however many
  // markers lie on top of it (the listing is read page after page).
  void find_hidden(const std::string& key) {
    s3::ListOptions o;
    o.prefix = key;
    o.versions = true;
    auto found = std::make_shared<std::string>();
    auto store = std::make_shared<transfer::ObjectStore>(requests_, remote_.bucket);
    store->list(
        o,
        [key, found](s3::ListPage&& page) {
          for (const auto& v : page.objects) {
            if (v.key == key && !v.delete_marker) {
              *found = v.version_id;
              return false;
            }
          }
          return true;
        },
        [this, key, found, store](Status st) {
          if (!found->empty()) {
            extend(key, *found);
          } else if (!st) {  // not known to be gone: the record must not move past it
            ++counts_.failures;
            note(key + ": its versions could not be listed: " + st.error().message());
          } else {
            ++counts_.missing;
            note(key + ": missing remotely, not locked");
          }
          pump();
        });
  }

  // S3 lets no one shorten a retention: the object may be locked longer already.
  void refused(const std::string& key, const std::string& version, Error why) {
    auto req = s3::on_version(s3::get_object_retention(remote_.bucket, key), version);
    requests_.submit(std::move(req), [this, key, version, why](Result<s3::Response> r) {
      auto held = r ? s3::parse_object_retention(r->body_text()) : Result<s3::ObjectRetention>(r.error());
      if (held && held->until >= retention_.until) {
        ++counts_.objects;
        ++counts_.already_longer;
        if (!version.empty()) hidden(key);
      } else if (counts_.objects > 0 || counts_.failures + 1 < kRefusalsBeforeStop) {
        ++counts_.failures;
        note(key + ": not extended: " + why.message());
      } else if (!stop_) {
        stop_ = Error(Errc::access_denied, "PutObjectRetention refused for every object tried (" + key + ": " +
                                               why.message() + "); the credentials need s3:PutObjectRetention to "
                                               "keep snapshots locked");
      }
      pump();
    });
  }

  transfer::RequestInterface& requests_;
  const remote::Remote& remote_;
  const std::vector<std::string>& files_;
  const std::vector<Digest>& chunks_;
  const s3::Retention& retention_;
  ExtensionCounts& counts_;
  std::size_t next_ = 0;
  std::optional<Error> stop_;
};

}  // namespace

Status extend_retention(transfer::RequestInterface& requests, const remote::Remote& remote,
                        const std::vector<std::string>& files, const std::vector<Digest>& chunks,
                        const s3::Retention& retention, ExtensionCounts& counts) {
  return Extension(requests, remote, files, chunks, retention, counts).run();
}

}  // namespace pbs::retention
