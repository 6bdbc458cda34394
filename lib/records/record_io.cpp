#include "records/record_io.h"

#include <memory>
#include <vector>

#include "remote/listing.h"
#include "s3/http_date.h"

namespace pbs::records {

namespace {
RecordRead record_of(const s3::Response& r, std::int64_t local_now) {
  RecordRead out;
  out.server_time = s3::server_time(r, local_now);
  if (r.status != 404) out.text = std::string(r.body_text());
  return out;
}
}  // namespace

Result<RecordRead> read_record(transfer::RequestInterface& requests, const remote::Remote& remote,
                               std::string_view rel, const std::string& version_id, std::uint64_t max_size) {
  PBS_ASSIGN(auto r, requests.execute(remote::remote_get(remote, rel, version_id), transfer::Sink::in_memory(max_size)));
  return record_of(r, requests.now_epoch());
}

void submit_record_read(transfer::RequestInterface& requests, const remote::Remote& remote, std::string_view rel,
                        std::function<void(Result<RecordRead>)> done) {
  requests.submit(remote::remote_get(remote, rel), transfer::Sink::in_memory(kMaxRecordSize),
                  [&requests, done = std::move(done)](Result<s3::Response> r) {
                    if (!r) return done(std::move(r).error());
                    done(record_of(*r, requests.now_epoch()));
                  });
}

void prefetch_record(transfer::PrefetchedReads& requests, const remote::Remote& remote, std::string_view rel,
                     std::uint64_t max_size) {
  requests.prefetch(remote::remote_get(remote, rel), transfer::Sink::in_memory(max_size));
}

Result<std::int64_t> write_record(transfer::RequestInterface& requests, const remote::Remote& remote,
                                  std::string_view rel, std::string_view text, s3::PutOptions options) {
  auto body = std::make_shared<const std::vector<std::uint8_t>>(text.begin(), text.end());
  options.content_type = "application/json";
  PBS_ASSIGN(auto r, requests.execute(s3::put_object(remote.bucket, remote.key(rel), body, options)));
  return s3::server_time(r, requests.now_epoch());
}

}  // namespace pbs::records
