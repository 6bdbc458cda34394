#include "push/gc_interlock.h"

#include "records/gc_state.h"
#include "records/record_io.h"
#include "remote/key_layout.h"
#include "util/file_io.h"

namespace pbs::push {

namespace {
// A reused chunk older than this is touched, so gc's grace period (24h05m by default) protects it
// until the manifest that needs it is written.
constexpr std::int64_t kTouchAfterSeconds = 12 * 3600;
// Server and local clocks may differ a little; a gc that finished this close to the start of the
// run counts as concurrent.
constexpr std::int64_t kClockMargin = 300;
// gc-state is read again at least this often while manifests go up.
constexpr auto kStateFreshFor = std::chrono::seconds(60);
}  // namespace

GcInterlock::GcInterlock(transfer::RequestInterface& requests, const remote::Remote& remote, const PutSettings& settings,
                         run::RunStop& stop, SyncSummary& summary, std::function<void()> wake)
    : requests_(requests), remote_(remote), settings_(settings), stop_(stop), summary_(summary),
      wake_(std::move(wake)), run_start_(requests.now_epoch()) {}

void GcInterlock::reused(const Digest& d, std::optional<std::int64_t> last_modified) {
  if (!reused_.insert(d)) return;
  ++reuse_serial_;
  // Locked: its retention may end before this run's (an old leftover); extending it also keeps
  // gc off it, which deletes no version before its retention ends.
  if (settings_.retention || !last_modified || *last_modified < requests_.now_epoch() - kTouchAfterSeconds) touch(d);
}

void GcInterlock::touch(const Digest& d) {
  if (stop_.stopping() || !touched_.insert(d)) return;  // stopping: no manifest will need it
  ++touches_pending_;
  std::string key = remote_.key(remote::chunk_rel_key(d));
  // In a locked (versioned) bucket a copy would store a second locked version.
  auto req = settings_.retention ? s3::put_object_retention(remote_.bucket, key, *settings_.retention)
                                 : s3::touch_object(remote_.bucket, key, settings_.options(true, false));
  requests_.submit(std::move(req), [this](Result<s3::Response> r) {
    --touches_pending_;
    // CopyObject may answer 200 with an error document.
    bool ok = r && r->status == 200 && r->body_text().find("<Error>") == std::string_view::npos;
    if (ok) {
      ++summary_.chunks_touched;
    } else {
      touch_failed_ = true;  // the gate has every reused chunk checked again
    }
    wake_();
  });
}

GcInterlock::Gate GcInterlock::gate() {
  if (state_ == State::closed) return Gate::closed;
  if (touches_pending_ > 0) return Gate::wait;
  if (state_ == State::recheck) return Gate::recheck;
  bool fresh = requests_.now() - read_at_ < kStateFreshFor;
  if (state_ == State::clear && clear_serial_ == reuse_serial_ && !touch_failed_ && fresh) return Gate::open;
  if (!reading_) read_state();
  return Gate::wait;
}

void GcInterlock::read_state() {
  reading_ = true;
  std::uint64_t serial = reuse_serial_;
  records::submit_record_read(requests_, remote_, records::kGcStateKey, [this, serial](Result<records::RecordRead> r) {
    reading_ = false;
    on_state(r, serial);
    wake_();
  });
}

void GcInterlock::close(std::string why) {
  state_ = State::closed;
  closed_reason_ = std::move(why);
}

void GcInterlock::set_recheck(const std::string& why) {
  if (state_ != State::recheck) summary_.notices.push_back(why);
  state_ = State::recheck;
}

void GcInterlock::on_state(const Result<records::RecordRead>& r, std::uint64_t serial) {
  if (!r) return close("the gc state could not be read (" + stop_.remote_error(r.error()) + ")");
  const char* again = ": every object a manifest needs is checked again before it is written";
  if (r->text) {
    auto state = records::parse_gc_state(*r->text);
    if (!state) return set_recheck(remote_.key(records::kGcStateKey) + " does not parse" + again);
    if (state->holds_lease(requests_.now_epoch())) return close("a gc is running on the target (host " + state->host + ")");
    if (state->finished >= run_start_ - kClockMargin) return set_recheck(std::string("a gc ran during this sync") + again);
  }
  if (touch_failed_) return set_recheck(std::string("renewing a reused chunk failed") + again);
  state_ = State::clear;  // no gc ran here, or none since this run began
  clear_serial_ = serial;
  read_at_ = requests_.now();
}

void GcInterlock::recheck(const std::vector<RecheckItem>& items, const RecheckDone& done) {
  for (const auto& item : items) {
    std::string key = remote_.key(item.key_rel);
    requests_.submit(s3::head_object(remote_.bucket, key), [this, item, key, done](Result<s3::Response> r) {
      if (!r) return done(run::ObjectError{key, stop_.remote_error(r.error())}, false);
      if (r->status == 200) return done(std::nullopt, false);
      if (stop_.stopping()) return done(std::nullopt, false);  // left behind with the run's reason
      auto st = stat_path(item.path);
      if (!st) return done(run::ObjectError{item.path, st.error().message()}, false);
      if (!*st) return done(std::nullopt, true);
      std::uint64_t size = (*st)->size;
      auto options = settings_.options(item.chunk.has_value(), false);
      auto req = item.chunk ? chunk_put(remote_, *item.chunk, item.path, size, options, item.sealed ? settings_.seal : nullptr)
                            : file_put(remote_, item.key_rel, item.path, size, options);
      requests_.submit(std::move(req), [this, item, size, done](Result<s3::Response> pr) {
        if (!pr) return done(run::ObjectError{item.path, stop_.remote_error(pr.error())}, false);
        if (item.chunk) {
          ++summary_.chunks_uploaded;
          ++summary_.chunks_reuploaded;
          summary_.chunk_bytes_uploaded += size;
        } else {
          ++summary_.files_uploaded;
          summary_.file_bytes_uploaded += size;
        }
        done(std::nullopt, false);
      });
    });
  }
}

}  // namespace pbs::push
