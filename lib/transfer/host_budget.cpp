#include "transfer/host_budget.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "util/file_io.h"

namespace pbs::transfer {

namespace {

constexpr std::uint64_t kMagic = 0x3144'5542'5342'5050ull;  // "PPSBBUD1", little-endian
constexpr std::size_t kSlots = 64;
constexpr auto kRefreshPeriod = std::chrono::milliseconds(200);
// A job that has not refreshed for this long is not transferring, whatever its flag says: it is
// planning, or reading its datastore, between two request phases.
constexpr std::int64_t kActiveForMs = 1000;

// One job's slot. Lock-free atomics are address-free, so they work across processes mapping the
// same file. `weight` 0: unused; it is set last when a slot is taken, cleared first when given back.
struct alignas(64) Slot {
  std::atomic<std::uint32_t> weight;
  std::atomic<std::uint32_t> in_flight;
  std::atomic<std::int32_t> pid;
  std::atomic<std::uint32_t> cap;
  std::atomic<std::uint32_t> active;
  std::atomic<std::uint32_t> bytes_bound;
  std::atomic<std::uint32_t> max_in_flight;
  std::atomic<std::uint64_t> bytes_limit;           // B/s, 0: none
  std::atomic<std::uint64_t> requests_limit_milli;  // requests per 1000 s, 0: none
  std::atomic<std::uint64_t> bytes_rate;            // B/s moved lately
  std::atomic<std::uint32_t> share_in_flight;
  std::atomic<std::uint64_t> share_bytes;
  std::atomic<std::uint64_t> share_requests_milli;
  std::atomic<std::int64_t> started;
  std::atomic<std::int64_t> refreshed_ms;  // the steady clock (shared by the host's processes)
  char name[96];
};
static_assert(std::atomic<std::uint64_t>::is_always_lock_free && std::atomic<std::uint32_t>::is_always_lock_free);

std::int64_t steady_ms(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
bool transferring(const Slot& s, std::int64_t now_ms) {
  return s.active.load() != 0 && now_ms - s.refreshed_ms.load() < kActiveForMs;
}

struct alignas(64) Header {
  std::atomic<std::uint64_t> magic;
  std::uint32_t slots;
};

constexpr std::size_t kFileSize = sizeof(Header) + kSlots * sizeof(Slot);
off_t slot_offset(std::size_t i) { return off_t(sizeof(Header) + i * sizeof(Slot)); }

// An open-file-description lock on a slot's first byte: held by this description until it closes.
bool lock_slot(int fd, std::size_t i) {
  struct flock fl {};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  fl.l_start = slot_offset(i);
  fl.l_len = 1;
  return ::fcntl(fd, F_OFD_SETLK, &fl) == 0;
}
void unlock_slot(int fd, std::size_t i) {
  struct flock fl {};
  fl.l_type = F_UNLCK;
  fl.l_whence = SEEK_SET;
  fl.l_start = slot_offset(i);
  fl.l_len = 1;
  ::fcntl(fd, F_OFD_SETLK, &fl);
}
// Another open file description (this process's or another's) holds the slot's lock.
bool held_elsewhere(int fd, std::size_t i) {
  struct flock fl {};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  fl.l_start = slot_offset(i);
  fl.l_len = 1;
  if (::fcntl(fd, F_OFD_GETLK, &fl) != 0) return true;  // cannot tell: count it, the safe side
  return fl.l_type != F_UNLCK;
}

}  // namespace

// The file, mapped. Owns its descriptor and mapping. Outside the anonymous namespace:
// HostBudget::Impl holds one (GCC warns of a member whose type has internal linkage when the class
// is defined in an included file, as unity builds do).
class Mapped {
 public:
  static Result<Mapped> open(const std::string& path, bool write) {
    PBS_ASSIGN(UniqueFd fd, open_file(path, (write ? O_RDWR | O_CREAT : O_RDONLY) | O_CLOEXEC, 0644));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return errno_error(errno, "stat", path);
    if (std::size_t(st.st_size) < kFileSize) {
      if (!write) return Error(Errc::corrupt, path + ": shorter than a host budget file");
      if (::ftruncate(fd.get(), off_t(kFileSize)) != 0) return errno_error(errno, "size", path);
    }
    void* p = ::mmap(nullptr, kFileSize, write ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd.get(), 0);
    if (p == MAP_FAILED) return errno_error(errno, "map", path);
    Mapped m(std::move(fd), p);
    std::uint64_t none = 0;
    if (write) m.header()->magic.compare_exchange_strong(none, kMagic);
    if (m.header()->magic.load() != kMagic) return Error(Errc::corrupt, path + ": not a host budget file of this version");
    return m;
  }
  Mapped(Mapped&& o) noexcept : fd_(std::move(o.fd_)), base_(std::exchange(o.base_, nullptr)) {}
  ~Mapped() {
    if (base_) ::munmap(base_, kFileSize);
  }
  Header* header() const { return static_cast<Header*>(base_); }
  Slot& slot(std::size_t i) const {
    return reinterpret_cast<Slot*>(static_cast<char*>(base_) + sizeof(Header))[i];
  }
  int fd() const { return fd_.get(); }

 private:
  Mapped(UniqueFd fd, void* base) : fd_(std::move(fd)), base_(base) {}
  UniqueFd fd_;
  void* base_;
};

namespace {
std::uint64_t milli(double v) { return std::uint64_t(std::max(0.0, v) * 1000); }
}  // namespace

struct HostBudget::Impl {
  Mapped file;
  std::string path;
  std::size_t own;
  Job job;
  Clock::time_point refreshed{};
  std::uint64_t bytes_at_refresh = 0;
  std::vector<bool> dead = std::vector<bool>(kSlots);  // unused slots and those seen dead at the last refresh

  Slot& mine() const { return file.slot(own); }
  // A slot seen dead keeps its dead job's count, so it is left out, unless a job has taken it since:
  // a joiner stamps its slot with the time it joined, at or after the refresh that saw it unused
  // (a dead job stamped before it died; one that died within the same millisecond is counted, the
  // safe side, until the next refresh).
  bool counted(std::size_t i) const {
    if (i == own) return true;
    const Slot& s = file.slot(i);
    if (s.weight.load(std::memory_order_acquire) == 0) return false;
    return !dead[i] || s.refreshed_ms.load() >= mine().refreshed_ms.load();
  }
};

std::string host_budget_path(const std::string& dir) { return join_path(dir, "host-budget"); }

Result<std::unique_ptr<HostBudget>> HostBudget::join(const std::string& dir, Job job) {
  PBS_TRY(make_dirs(dir, 0755));
  std::string path = host_budget_path(dir);
  PBS_ASSIGN(Mapped file, Mapped::open(path, true));
  for (std::size_t i = 0; i < kSlots; ++i) {
    if (!lock_slot(file.fd(), i)) continue;
    Slot& s = file.slot(i);  // free, or left by a dead job: everything in it is stale
    s.in_flight = 0;
    s.pid = int(::getpid());
    s.cap = job.cap;
    s.active = 0;
    s.bytes_bound = 1;
    s.max_in_flight = job.limits.max_in_flight;
    s.bytes_limit = std::uint64_t(job.limits.bytes_per_second);
    s.requests_limit_milli = milli(job.limits.requests_per_second);
    s.bytes_rate = 0;
    s.started = std::int64_t(std::time(nullptr));
    s.refreshed_ms = steady_ms(Clock::now());
    std::memset(s.name, 0, sizeof s.name);
    std::memcpy(s.name, job.name.data(), std::min(job.name.size(), sizeof s.name - 1));
    s.weight.store(std::max(1u, job.weight), std::memory_order_release);
    auto impl = std::make_unique<Impl>(Impl{std::move(file), path, i, std::move(job)});
    auto budget = std::unique_ptr<HostBudget>(new HostBudget(std::move(impl)));
    // A job joins to transfer: its share is taken as an active one's until its first refresh.
    budget->refresh(Clock::now(), true, true, 0, budget->impl_->job.limits.bytes_per_second, true);
    return budget;
  }
  return Error(Errc::locked, path + ": all " + std::to_string(kSlots) + " job slots are taken");
}

HostBudget::HostBudget(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HostBudget::~HostBudget() {
  impl_->mine().weight.store(0, std::memory_order_release);
  impl_->mine().in_flight = 0;
  unlock_slot(impl_->file.fd(), impl_->own);
}

const std::string& HostBudget::path() const { return impl_->path; }

bool HostBudget::try_start() {
  Slot& mine = impl_->mine();
  unsigned own = mine.in_flight.fetch_add(1) + 1;
  // Counted first, then the sum: of two jobs racing for the last permit, at least one sees the
  // other's count, so the host never has more than the budget in flight.
  if (limits_.max_in_flight == 0) return true;
  bool over_share = share_.in_flight && own > share_.in_flight && jobs_ > 1;
  unsigned sum = 0;
  for (std::size_t i = 0; i < kSlots && !over_share; ++i) {
    if (impl_->counted(i)) sum += impl_->file.slot(i).in_flight.load();
  }
  if (over_share || sum > limits_.max_in_flight) {
    mine.in_flight.fetch_sub(1);
    return false;
  }
  return true;
}

void HostBudget::finished() { impl_->mine().in_flight.fetch_sub(1); }

namespace {

// Reads one live slot into what the shares and `status` need.
BudgetJob job_of(const Slot& s, std::int64_t now_ms) {
  BudgetJob j;
  j.pid = s.pid.load();
  j.name = std::string(s.name, strnlen(s.name, sizeof s.name));
  j.weight = std::max(1u, s.weight.load(std::memory_order_acquire));
  j.in_flight = s.in_flight.load();
  j.active = transferring(s, now_ms);
  j.bytes_per_second = double(s.bytes_rate.load());
  j.started = s.started.load();
  j.share = {s.share_in_flight.load(), double(s.share_bytes.load()), double(s.share_requests_milli.load()) / 1000};
  return j;
}

// The host's limits: the smallest each live job holds (a job whose config has none sets none).
void narrow(HostLimits& host, const Slot& s, bool first) {
  auto least = [first](auto current, auto theirs) {
    if (first) return theirs;
    if (!theirs) return current;
    return current ? std::min(current, theirs) : theirs;
  };
  host.max_in_flight = least(host.max_in_flight, s.max_in_flight.load());
  host.bytes_per_second = double(least(std::uint64_t(host.bytes_per_second), s.bytes_limit.load()));
  host.requests_per_second = double(least(milli(host.requests_per_second), s.requests_limit_milli.load())) / 1000;
}

}  // namespace

bool HostBudget::refresh(Clock::time_point now, bool active, bool bytes_bound, std::uint64_t bytes_moved,
                         double bytes_rate_limit, bool force) {
  Impl& m = *impl_;
  if (!force && now - m.refreshed < kRefreshPeriod) return false;
  double span = std::chrono::duration<double>(now - m.refreshed).count();
  Slot& mine = m.mine();
  if (m.refreshed != Clock::time_point{} && span > 0) {
    double moved = bytes_moved >= m.bytes_at_refresh ? double(bytes_moved - m.bytes_at_refresh) : 0;
    mine.bytes_rate = std::uint64_t(moved / span);
  }
  m.refreshed = now;
  m.bytes_at_refresh = bytes_moved;
  mine.active = active;
  mine.bytes_bound = bytes_bound;
  mine.refreshed_ms = steady_ms(now);
  mine.bytes_limit = std::uint64_t(bytes_rate_limit);
  std::vector<JobDemand> demands;
  std::size_t own_index = 0;
  HostLimits host;
  for (std::size_t i = 0; i < kSlots; ++i) {
    Slot& s = m.file.slot(i);
    bool live = i == m.own || (s.weight.load() != 0 && held_elsewhere(m.file.fd(), i));
    m.dead[i] = !live;
    if (!live) continue;
    if (i == m.own) own_index = demands.size();
    narrow(host, s, demands.empty());
    demands.push_back({std::max(1u, s.weight.load()), s.cap.load(), transferring(s, steady_ms(now)),
                       s.bytes_bound.load() != 0, double(s.bytes_rate.load())});
  }
  limits_ = host;
  jobs_ = demands.size();
  share_ = compute_shares(demands, host)[own_index];
  mine.share_in_flight = share_.in_flight;
  mine.share_bytes = std::uint64_t(share_.bytes_per_second);
  mine.share_requests_milli = milli(share_.requests_per_second);
  return true;
}

Result<BudgetView> read_host_budget(const std::string& dir) {
  std::string path = host_budget_path(dir);
  PBS_ASSIGN(auto st, stat_path(path));
  if (!st) return BudgetView{};
  PBS_ASSIGN(Mapped file, Mapped::open(path, false));
  BudgetView view;
  bool first = true;
  for (std::size_t i = 0; i < kSlots; ++i) {
    const Slot& s = file.slot(i);
    if (s.weight.load(std::memory_order_acquire) == 0 || !held_elsewhere(file.fd(), i)) continue;
    narrow(view.limits, s, first);
    first = false;
    view.jobs.push_back(job_of(s, steady_ms(std::chrono::steady_clock::now())));
  }
  return view;
}

}  // namespace pbs::transfer
