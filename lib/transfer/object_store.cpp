#include "transfer/object_store.h"

#include <memory>
#include <optional>

namespace pbs::transfer {

struct ListState {
  s3::ListOptions options;
  std::function<bool(s3::ListPage&&)> on_page;
  std::function<void(Status)> done;
};

void ObjectStore::list(s3::ListOptions options, std::function<bool(s3::ListPage&&)> on_page,
                       std::function<void(Status)> done) {
  auto state = std::make_shared<ListState>(
      ListState{std::move(options), std::move(on_page), std::move(done)});
  list_page(std::move(state));
}

void ObjectStore::list_page(std::shared_ptr<ListState> state) {
  requests_.submit(s3::list_objects(bucket_, state->options), [this, state](Result<s3::Response> r) {
    if (!r) return state->done(std::move(r).error());
    auto page = state->options.versions ? s3::parse_versions_page(r->body_text()) : s3::parse_list_page(r->body_text());
    if (!page) return state->done(std::move(page).error());
    bool more = page->truncated;
    std::string token = page->next_token, key_marker = page->next_key_marker, id_marker = page->next_version_id_marker;
    if (!state->on_page(std::move(*page)) || !more) return state->done({});
    state->options.continuation_token = std::move(token);
    state->options.key_marker = std::move(key_marker);
    state->options.version_id_marker = std::move(id_marker);
    list_page(state);
  });
}

void ObjectStore::delete_keys(std::vector<std::string> keys, std::function<void(Result<DeleteSummary>)> done,
                              std::vector<std::string> version_ids) {
  struct State {
    DeleteSummary summary;
    std::size_t pending = 0;
    std::optional<Error> error;
    std::function<void(Result<DeleteSummary>)> done;
  };
  auto state = std::make_shared<State>();
  state->done = std::move(done);
  if (keys.empty()) return state->done(state->summary);
  for (std::size_t i = 0; i < keys.size(); i += s3::kMaxDeleteKeys) {
    std::size_t end = std::min(keys.size(), i + s3::kMaxDeleteKeys);
    std::vector<std::string> batch(keys.begin() + long(i), keys.begin() + long(end));
    std::vector<std::string> versions;
    if (!version_ids.empty()) versions.assign(version_ids.begin() + long(i), version_ids.begin() + long(end));
    std::size_t count = batch.size();
    ++state->pending;
    ++state->summary.requests;
    requests_.submit(s3::delete_objects(bucket_, batch, versions), [state, count](Result<s3::Response> r) {
      if (!r) {
        if (!state->error) state->error = std::move(r).error();
      } else if (auto result = s3::parse_delete_result(r->body_text()); !result) {
        if (!state->error) state->error = std::move(result).error();
      } else {
        state->summary.deleted += count - result->errors.size();
        for (auto& f : result->errors) state->summary.failures.push_back(std::move(f));
      }
      if (--state->pending == 0) {
        if (state->error) return state->done(std::move(*state->error));
        state->done(std::move(state->summary));
      }
    });
  }
}

Result<std::vector<s3::ObjectInfo>> ObjectStore::list_all(const s3::ListOptions& options) {
  std::vector<s3::ObjectInfo> out;
  std::optional<Status> result;
  list(options,
       [&](s3::ListPage&& page) {
         for (auto& o : page.objects) out.push_back(std::move(o));
         return true;
       },
       [&](Status st) { result = std::move(st); });
  requests_.run_until([&] { return result.has_value(); });
  if (!*result) return std::move(*result).error();
  return out;
}

Result<DeleteSummary> ObjectStore::delete_all(std::vector<std::string> keys, std::vector<std::string> version_ids) {
  std::optional<Result<DeleteSummary>> out;
  delete_keys(std::move(keys), [&](Result<DeleteSummary> r) { out = std::move(r); }, std::move(version_ids));
  requests_.run_until([&] { return out.has_value(); });
  return std::move(*out);
}

Status ObjectStore::head_bucket() {
  auto r = requests_.execute(s3::head_bucket(bucket_));
  if (r) return {};
  if (r.error().code() != Errc::access_denied) return std::move(r).error();
  // A HEAD answer has no body to say why it was refused; a one-key listing's error document does
  // (wrong secret, unknown key id, or really no permission).
  s3::ListOptions o;
  o.max_keys = 1;
  auto list = requests_.execute(s3::list_objects(bucket_, o));
  if (!list) return std::move(list).error();
  return std::move(r).error();
}

Status ObjectStore::create_bucket(bool object_lock) {
  auto r = requests_.execute(s3::create_bucket(bucket_, requests_.region(), object_lock));
  if (!r) return std::move(r).error();
  return {};
}

Result<bool> ObjectStore::exists(const std::string& key) {
  auto r = requests_.execute(s3::head_object(bucket_, key));
  if (!r) return std::move(r).error();
  return r->status != 404;
}

}  // namespace pbs::transfer
