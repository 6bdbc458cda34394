#include "retention/retention_extension.h"

#include "remote/key_layout.h"
#include "s3/xml.h"

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

  void extend(const std::string& key) {
    auto req = s3::put_object_retention(remote_.bucket, key, retention_);
    req.accepted_statuses = {404, 405};  // no current version: a delete marker, or nothing
    requests_.submit(std::move(req), [this, key](Result<s3::Response> r) {
      if (r && (r->status == 404 || r->status == 405)) return extend_hidden(key);
      if (r) {
        ++counts_.objects;
      } else if (r.error().code() == Errc::access_denied) {
        return refused(key, r.error());
      } else if (!stop_) {
        stop_ = std::move(r).error();
      }
      pump();
    });
  }

  // The newest real version of a key whose current version is a delete marker.
  void extend_hidden(const std::string& key) {
    s3::ListOptions o;
    o.prefix = key;
    o.versions = true;
    o.max_keys = 16;
    requests_.submit(s3::list_objects(remote_.bucket, o), [this, key](Result<s3::Response> r) {
      std::string version = r ? newest_real_version(key, r->body_text()) : std::string();
      if (version.empty()) {
        ++counts_.missing;
        note(key + ": missing remotely, not locked");
        return pump();
      }
      requests_.submit(s3::put_object_retention(remote_.bucket, key, retention_, version),
                       [this, key](Result<s3::Response> x) { hidden_extended(key, x); });
    });
  }

  static std::string newest_real_version(const std::string& key, std::string_view listing) {
    auto page = s3::parse_versions_page(listing);
    if (!page) return {};
    for (const auto& v : page->objects) {
      if (v.key == key && !v.delete_marker) return v.version_id;
    }
    return {};
  }

  void hidden_extended(const std::string& key, const Result<s3::Response>& x) {
    if (x) {
      ++counts_.objects;
      ++counts_.hidden;
      note(key + ": hidden by a delete marker (its last version is kept locked; `sync --mode full` sends it again)");
    } else {
      ++counts_.failures;
      note(key + ": not extended: " + x.error().message());
    }
    pump();
  }

  // S3 lets no one shorten a retention: the object may be locked longer already.
  void refused(const std::string& key, Error why) {
    requests_.submit(s3::get_object_retention(remote_.bucket, key), [this, key, why](Result<s3::Response> r) {
      auto held = r ? s3::parse_object_retention(r->body_text()) : Result<s3::ObjectRetention>(r.error());
      if (held && held->until >= retention_.until) {
        ++counts_.objects;
        ++counts_.already_longer;
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
