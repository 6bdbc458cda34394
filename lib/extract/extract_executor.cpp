#include "extract/extract_executor.h"

#include <algorithm>

#include "extract/chunk_content.h"
#include "remote/key_layout.h"
#include "remote/listing.h"

namespace pbs::extract {

namespace {

std::string at_offset(std::uint64_t offset, std::uint64_t length) {
  return "at offset " + std::to_string(offset) + " (" + std::to_string(length) + " bytes)";
}

bool file_system_failure(const Error& e) {
  return e.code() == Errc::io || e.code() == Errc::no_space || e.code() == Errc::permission_denied;
}

}  // namespace

ExtractExecutor::ExtractExecutor(transfer::RequestInterface& requests, const remote::Remote& remote,
                                 ImageOutput& output, ExtractSummary& summary, std::function<bool()> interrupted)
    : requests_(requests),
      remote_(remote),
      output_(output),
      summary_(summary),
      stop_(run::RunKind::extract, run::LocalFaultPolicy::stop_run, std::move(interrupted), summary.errors) {}

std::uint64_t ExtractExecutor::offset(std::size_t i) const {
  const auto& index = *source_.index;
  if (index.kind == datastore::FileKind::fixed_index) return std::uint64_t(i) * index.chunk_size;
  return i == 0 ? 0 : index.ends[i - 1];
}

std::uint64_t ExtractExecutor::length(std::size_t i) const { return source_.index->chunk_length(i); }

bool ExtractExecutor::stopping() { return broken_stream_ || stop_.stopping(); }

void ExtractExecutor::run(const ChunkSource& source, const std::function<void(const run::RunProgress&)>& tick) {
  source_ = source;
  const auto& index = *source.index;
  summary_.chunks = index.chunk_count();
  const crypto::CryptKey* naming = source.encrypted ? source.key : nullptr;
  std::uint64_t largest = 0;
  for (std::size_t i = 0; i < index.chunk_count(); ++i) largest = std::max(largest, length(i));
  if (index.kind == datastore::FileKind::fixed_index && (!source.encrypted || source.key)) {
    zero_full_ = zero_chunk_name(index.chunk_size, naming);
    std::uint64_t tail = length(index.chunk_count() - 1);
    if (tail != index.chunk_size) zero_tail_ = zero_chunk_name(tail, naming);
  }
  window_ = std::size_t(std::clamp<std::uint64_t>(kWindowBytes / std::max<std::uint64_t>(largest, 1), 4, 1024));
  run::RunProgress progress;
  progress.direction = run::RunProgress::Direction::down;
  progress.snapshots_total = 1;
  progress.bytes_total = summary_.size;
  auto report = [&] {
    if (!tick) return;
    progress.chunks_moved = summary_.chunks_fetched;
    progress.chunks_present = summary_.zero_chunks + summary_.chunks_in_place;
    progress.bytes = bytes_placed_;
    tick(progress);
  };
  for (;;) {
    while (!stopping() && can_start()) start(cursor_++);
    if (requests_.outstanding() == 0) break;
    requests_.run_until([&] {
      report();
      return !stopping() && can_start();
    });
  }
  summary_.outcome = stop_.outcome();
  bool whole = !stopping() && cursor_ == index.chunk_count() && summary_.errors.empty();
  if (whole) {
    if (auto st = output_.finish(); !st) {
      summary_.errors.push_back({output_.where(), st.error().message()});
    } else {
      summary_.complete = true;
    }
  }
  progress.snapshots_done = summary_.complete ? 1 : 0;
  report();
}

bool ExtractExecutor::can_start() const {
  if (cursor_ >= source_.index->chunk_count()) return false;
  if (in_flight_ >= std::min(window_, transfer::submit_depth(requests_))) return false;
  return !output_.sequential() || cursor_ - flushed_ < window_;
}

void ExtractExecutor::start(std::size_t i) {
  const Digest& d = source_.index->digests[i];
  std::uint64_t len = length(i);
  if ((zero_full_ && d == *zero_full_ && len == source_.index->chunk_size) || (zero_tail_ && d == *zero_tail_)) {
    ++summary_.zero_chunks;
    deliver(i, nullptr);
    return;
  }
  if (output_.resuming()) {
    const crypto::CryptKey* naming = source_.encrypted ? source_.key : nullptr;
    auto there = output_.holds(offset(i), len, [&](std::span<const std::uint8_t> b) { return chunk_name(b, naming) == d; });
    if (!there) {
      stop_.local_fault(output_.where(), there.error().message());
      return;
    }
    if (*there) {
      ++summary_.chunks_in_place;
      bytes_placed_ += len;
      written_at_.emplace(d, offset(i));
      return;
    }
  }
  if (const std::uint64_t* from = written_at_.find(d)) {
    ++summary_.chunks_repeated;
    copy(i, *from);
    return;
  }
  auto [it, first] = waiting_.try_emplace(d);
  it->second.push_back(i);
  if (!first) {
    ++summary_.chunks_repeated;
    return;
  }
  fetch(d);
}

void ExtractExecutor::fetch(const Digest& d) {
  std::string version;
  if (source_.versions) {
    if (auto slot = source_.versions->find(d)) version = source_.versions->version(*slot);
  }
  ++in_flight_;
  requests_.submit(remote::remote_get(remote_, remote::chunk_rel_key(d), version),
                   transfer::Sink::in_memory(remote::kMaxChunkObjectSize),
                   [this, d](Result<s3::Response> r) { fetched(d, std::move(r)); });
}

void ExtractExecutor::fetched(const Digest& d, Result<s3::Response> r) {
  --in_flight_;
  auto node = waiting_.extract(d);
  std::vector<std::size_t> places = std::move(node.mapped());
  std::optional<std::string> error;
  Result<std::vector<std::uint8_t>> content = Error(Errc::remote, "not fetched");
  if (!r) {
    // Abandoned by an interrupt: the summary says so once, not for every chunk.
    if (r.error().code() == Errc::interrupted || stop_.stopping()) return;
    error = stop_.remote_error(r.error());
  } else if (r->status != 200) {
    error = "missing remotely";
  } else if (content = chunk_content(r->body, d, length(places.front()), source_.key); !content) {
    error = (content.error().code() == Errc::config ? "" : "damaged remotely: ") + content.error().message();
  }
  if (error) {
    for (auto i : places) failed(i, *error);
    return;
  }
  ++summary_.chunks_fetched;
  summary_.bytes_fetched += r->body.size();
  auto data = std::make_shared<const std::vector<std::uint8_t>>(std::move(*content));
  for (auto i : places) deliver(i, data);
}

void ExtractExecutor::failed(std::size_t i, const std::string& message) {
  const Digest& d = source_.index->digests[i];
  summary_.errors.push_back({remote_.key(remote::chunk_rel_key(d)), "chunk " + at_offset(offset(i), length(i)) +
                                                                        " of the archive: " + message});
  if (output_.sequential()) broken_stream_ = true;
}

void ExtractExecutor::deliver(std::size_t i, const Bytes& data) {
  if (!output_.sequential()) {
    write(i, data);
    return;
  }
  if (broken_stream_) return;
  ready_.emplace(i, data);
  while (!ready_.empty() && ready_.begin()->first == flushed_ && !stopping()) {
    write(flushed_, ready_.begin()->second);
    ready_.erase(ready_.begin());
    ++flushed_;
  }
}

void ExtractExecutor::write(std::size_t i, const Bytes& data) {
  if (stop_.outcome().stop == run::StopCause::local) return;  // the disk failed: nothing more lands
  std::uint64_t len = length(i);
  Status st = data ? output_.write_at(offset(i), *data) : output_.zeros_at(offset(i), len);
  if (!st) {
    if (file_system_failure(st.error())) {
      stop_.local_fault(output_.where(), st.error().message());
    } else {
      summary_.errors.push_back({output_.where(), st.error().message()});
    }
    return;
  }
  if (data || output_.kind() != ImageOutput::Kind::file) summary_.bytes_written += len;
  bytes_placed_ += len;
  if (data && !output_.sequential()) written_at_.emplace(source_.index->digests[i], offset(i));
}

void ExtractExecutor::copy(std::size_t i, std::uint64_t from) {
  auto bytes = output_.read_at(from, length(i));
  if (!bytes) {
    stop_.local_fault(output_.where(), bytes.error().message());
    return;
  }
  write(i, std::make_shared<const std::vector<std::uint8_t>>(std::move(*bytes)));
}

}  // namespace pbs::extract
