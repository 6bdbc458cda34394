#pragma once
// S3 operations on one bucket, over the request interface: the multi-request flows (listing page after page,
// deleting in batches of 1000) and typed results. Asynchronous forms take a completion called from
// within run_until(); the synchronous forms run the requests until they are done.

#include <functional>
#include <string>
#include <vector>

#include "s3/request.h"
#include "s3/xml.h"
#include "transfer/request_interface.h"

namespace pbs::transfer {

struct DeleteSummary {
  std::size_t deleted = 0;  // keys the server did not report as failed
  std::vector<s3::DeleteFailure> failures;
  std::size_t requests = 0;
};

class ObjectStore {
 public:
  ObjectStore(RequestInterface& requests, std::string bucket) : requests_(requests), bucket_(std::move(bucket)) {}

  const std::string& bucket() const { return bucket_; }

  // Pages in key order; `on_page` returns false to stop early. `done` gets the first error.
  void list(s3::ListOptions options, std::function<bool(s3::ListPage&&)> on_page,
            std::function<void(Status)> done);
  // Batches of up to 1000 keys, sent concurrently; per-key failures are collected, not fatal.
  // `version_ids` (one per key, or empty): delete those versions.
  void delete_keys(std::vector<std::string> keys, std::function<void(Result<DeleteSummary>)> done,
                   std::vector<std::string> version_ids = {});

  // Synchronous forms.
  Result<std::vector<s3::ObjectInfo>> list_all(const s3::ListOptions& options);
  Result<DeleteSummary> delete_all(std::vector<std::string> keys, std::vector<std::string> version_ids = {});
  Status head_bucket();
  Status create_bucket(bool object_lock = false);
  // True when the object exists (HEAD 200), false on 404.
  Result<bool> exists(const std::string& key);

 private:
  void list_page(std::shared_ptr<struct ListState> state);

  RequestInterface& requests_;
  std::string bucket_;
};

}  // namespace pbs::transfer
