#include "transfer/body_hasher.h"

#include <fcntl.h>

#include <algorithm>

#include "util/base64.h"
#include "util/file_io.h"
#include "util/md5.h"
#include "util/sha256.h"

namespace pbs::transfer {

Result<BodyHashes> hash_body(const s3::Bytes& body, const std::optional<s3::FileRange>& file,
                             bool sha256, bool md5,
                             const std::function<Status(std::span<const std::uint8_t>)>& check,
                             const BodyTransform& transform) {
  BodyHashes h;
  s3::Bytes memory = body;
  if ((check || transform) && file) {
    PBS_ASSIGN(UniqueFd fd, open_file(file->path, O_RDONLY));
    auto bytes = std::make_shared<std::vector<std::uint8_t>>(file->length);
    PBS_TRY(pread_exact(fd.get(), *bytes, file->offset, file->path));
    memory = h.loaded = std::move(bytes);
  }
  if (check) {
    static const std::vector<std::uint8_t> kEmpty;
    PBS_TRY(check(memory ? std::span<const std::uint8_t>(*memory) : std::span<const std::uint8_t>(kEmpty)));
  }
  if (transform && memory) {
    PBS_ASSIGN(auto changed, transform(*memory));
    memory = h.loaded = std::make_shared<const std::vector<std::uint8_t>>(std::move(changed));
  }
  std::optional<Sha256> sha;
  if (sha256) sha.emplace();
  std::optional<Md5> m;
  if (md5) m.emplace();
  if (!sha && !m) {
    h.sha256_hex = s3::kUnsignedPayload;
    return h;
  }
  if (file && !memory) {
    PBS_ASSIGN(UniqueFd fd, open_file(file->path, O_RDONLY));
    std::vector<std::uint8_t> buf(std::min<std::uint64_t>(file->length, 1 << 20));
    std::uint64_t done = 0;
    while (done < file->length) {
      auto n = std::size_t(std::min<std::uint64_t>(buf.size(), file->length - done));
      PBS_TRY(pread_exact(fd.get(), std::span(buf).first(n), file->offset + done, file->path));
      if (sha) sha->update(std::span(buf).first(n));
      if (m) m->update(std::span(buf).first(n));
      done += n;
    }
  } else if (memory) {
    if (sha) sha->update(*memory);
    if (m) m->update(*memory);
  }
  h.sha256_hex = sha ? digest_hex(sha->final()) : std::string(s3::kUnsignedPayload);
  if (m) h.md5_base64 = base64_encode(m->final());
  return h;
}

BodyHasher::BodyHasher(unsigned threads, std::function<void()> notify, bool sha256)
    : notify_(std::move(notify)), sha256_(sha256) {
  for (unsigned i = 0; i < std::max(1u, threads); ++i) threads_.emplace_back([this] { worker(); });
}

BodyHasher::~BodyHasher() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void BodyHasher::submit(std::uint64_t job, s3::Bytes body, std::optional<s3::FileRange> file,
                        bool md5, std::function<Status(std::span<const std::uint8_t>)> check,
                        BodyTransform transform) {
  {
    std::lock_guard lock(mu_);
    work_.push_back(Work{job, std::move(body), std::move(file), md5, std::move(check), std::move(transform)});
  }
  cv_.notify_one();
}

std::vector<BodyHasher::Done> BodyHasher::take_done() {
  std::lock_guard lock(mu_);
  std::vector<Done> out;
  out.swap(done_);
  return out;
}

void BodyHasher::worker() {
  for (;;) {
    Work w;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !work_.empty(); });
      if (stop_) return;
      w = std::move(work_.front());
      work_.pop_front();
    }
    auto hashes = hash_body(w.body, w.file, sha256_, w.md5, w.check, w.transform);
    {
      std::lock_guard lock(mu_);
      done_.push_back(Done{w.job, std::move(hashes)});
    }
    notify_();
  }
}

}  // namespace pbs::transfer
