#include "push/chunk_uploader.h"

#include "remote/key_layout.h"
#include "s3/http_date.h"
#include "util/file_io.h"

namespace pbs::push {

ChunkUploader::ChunkUploader(transfer::RequestInterface& requests, const remote::Remote& remote,
                             const datastore::Datastore& store, PutSettings& settings, run::RunStop& stop,
                             SyncSummary& summary)
    : requests_(requests), remote_(remote), store_(store), settings_(settings), stop_(stop), summary_(summary) {}

namespace {
ChunkOutcome outcome(ChunkOutcome::Kind kind) {
  ChunkOutcome o;
  o.kind = kind;
  return o;
}
ChunkOutcome failure(ChunkOutcome::Kind kind, std::string object, std::string message, bool damaged = false) {
  ChunkOutcome o = outcome(kind);
  o.damaged = damaged;
  o.error = {std::move(object), std::move(message), damaged};
  return o;
}
}  // namespace

void ChunkUploader::upload(const Digest& d, bool head_first, bool conditional,
                           std::function<void(ChunkOutcome)> done) {
  if (!head_first) return put(d, conditional, std::move(done));
  std::string key = remote_.key(remote::chunk_rel_key(d));
  requests_.submit(s3::head_object(remote_.bucket, key), [this, d, key, conditional, done](Result<s3::Response> r) {
    if (!r) return done(failure(ChunkOutcome::Kind::remote_error, key, stop_.remote_error(r.error())));
    if (r->status != 200) {
      if (stop_.stopping()) return done(outcome(ChunkOutcome::Kind::abandoned));
      return put(d, conditional, done);
    }
    ChunkOutcome o = outcome(ChunkOutcome::Kind::present);
    if (auto lm = r->header("last-modified")) o.last_modified = s3::parse_http_date(*lm);
    done(std::move(o));
  });
}

void ChunkUploader::put(const Digest& d, bool conditional, std::function<void(ChunkOutcome)> done) {
  std::string path = store_.chunk_path(d);
  auto st = stat_path(path);
  if (!st) return done(failure(ChunkOutcome::Kind::local_fault, path, st.error().message()));
  if (!*st || !(*st)->is_regular) return done(outcome(ChunkOutcome::Kind::missing_locally));
  std::uint64_t size = (*st)->size;
  if (size == 0) return done(failure(ChunkOutcome::Kind::local_fault, path, "chunk file is empty (0 bytes)", true));
  auto req = chunk_put(remote_, d, path, size, settings_.options(true, conditional),
                       store_.aliased(d) ? settings_.seal : nullptr);
  requests_.submit(std::move(req), [this, d, path, size, conditional, done](Result<s3::Response> r) {
    if (!r) {
      const Error& e = r.error();
      if (e.code() == Errc::not_found) return done(outcome(ChunkOutcome::Kind::missing_locally));
      if (!is_remote(e.code())) {
        return done(failure(ChunkOutcome::Kind::local_fault, path, e.message(), e.code() == Errc::corrupt));
      }
      return done(failure(ChunkOutcome::Kind::remote_error, path, stop_.remote_error(e)));
    }
    if (r->status == 501) {
      if (settings_.if_none_match) {
        settings_.if_none_match = false;
        summary_.notices.push_back("the server does not implement conditional PUT (If-None-Match): chunks are "
                                   "uploaded without it; IF_NONE_MATCH=false in the STORAGE entry skips this probe");
      }
      if (stop_.stopping()) return done(outcome(ChunkOutcome::Kind::abandoned));
      return put(d, conditional, done);
    }
    if (r->status == 412) return done(outcome(ChunkOutcome::Kind::present));  // its age is unknown
    ChunkOutcome o = outcome(ChunkOutcome::Kind::uploaded);
    o.bytes = size;
    done(std::move(o));
  });
}

}  // namespace pbs::push
