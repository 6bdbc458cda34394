// The host's budget: the share arithmetic (joins, leaves, weights, ceilings, idle jobs) and the
// shared file itself, with several jobs in one process (each its own open file description, as
// separate processes are) and a job in a child process killed with SIGKILL.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <thread>

#include "test_support.h"
#include "transfer/budget_shares.h"
#include "transfer/host_budget.h"

using namespace pbs;
using namespace pbs::test;
using transfer::compute_shares;
using transfer::HostBudget;
using transfer::HostLimits;
using transfer::JobDemand;

namespace {

std::vector<unsigned> slots(const std::vector<JobDemand>& jobs, unsigned max) {
  std::vector<unsigned> out;
  for (const auto& s : compute_shares(jobs, HostLimits{max, 0, 0})) out.push_back(s.in_flight);
  return out;
}

std::unique_ptr<HostBudget> join(const TempDir& dir, const std::string& name, unsigned max, double bytes = 0,
                                 unsigned weight = 1) {
  auto b = HostBudget::join(dir.path(), {name, weight, 0, HostLimits{max, bytes, 0}});
  REQUIRE(b);
  return std::move(*b);
}

void refresh_all(std::initializer_list<HostBudget*> jobs, bool active = true) {
  for (auto* j : jobs) j->refresh(HostBudget::Clock::now(), active, true, 0, j->limits().bytes_per_second, true);
}

unsigned take(HostBudget& b, unsigned wanted) {
  unsigned n = 0;
  while (n < wanted && b.try_start()) ++n;
  return n;
}

}  // namespace

TEST_CASE("budget shares: equal jobs split MAX_WORKERS evenly, the remainder to the first", "[budget]") {
  CHECK(slots({{1, 0, true}, {1, 0, true}, {1, 0, true}}, 6) == std::vector<unsigned>{2, 2, 2});
  CHECK(slots({{1, 0, true}, {1, 0, true}, {1, 0, true}}, 8) == std::vector<unsigned>{3, 3, 2});
  CHECK(slots({{1, 0, true}}, 8) == std::vector<unsigned>{8});
}

TEST_CASE("budget shares: weights, and a job capped by its own -j gives the rest to the others", "[budget]") {
  CHECK(slots({{2, 0, true}, {1, 0, true}, {1, 0, true}}, 8) == std::vector<unsigned>{4, 2, 2});
  CHECK(slots({{1, 1, true}, {1, 0, true}, {1, 0, true}}, 9) == std::vector<unsigned>{1, 4, 4});
  CHECK(slots({{1, 2, true}, {3, 0, true}}, 10) == std::vector<unsigned>{2, 8});
}

TEST_CASE("budget shares: more jobs than MAX_WORKERS never hold more than it together", "[budget]") {
  auto s = slots({{1, 0, true}, {1, 0, true}, {1, 0, true}, {1, 0, true}}, 2);
  CHECK(s == std::vector<unsigned>{1, 1, 0, 0});
}

TEST_CASE("budget shares: bytes go to the jobs that can use them, and an idle one gets a small start", "[budget]") {
  auto s = compute_shares({{1, 0, true}, {1, 0, true}, {2, 0, false}}, HostLimits{6, 4.8e6, 30});
  CHECK(s[2].bytes_per_second == Approx(0.2e6));  // an eighth of the rate over the jobs
  CHECK(s[0].bytes_per_second == Approx(2.3e6));
  CHECK(s[1].bytes_per_second == Approx(2.3e6));
  CHECK(s[0].requests_per_second == 15);
  CHECK(s[2].requests_per_second == 15);  // 2 of 4 weights if it joined
  CHECK(s[0].in_flight + s[1].in_flight == 6);  // the idle job's slot is only offered
  auto none = compute_shares({{1, 0, true}}, HostLimits{});
  CHECK(none[0].in_flight == 0);
  CHECK(none[0].bytes_per_second == 0);
}

TEST_CASE("budget shares: a job using less than its share keeps a quarter more, the rest goes to those held back",
          "[budget]") {
  JobDemand finishing{1, 0, true, false, 0.4e6}, bound{1, 0, true, true, 2e6}, heavy{2, 0, true, true, 2e6};
  auto s = compute_shares({finishing, bound, heavy}, HostLimits{6, 6e6, 0});
  CHECK(s[0].bytes_per_second == Approx(0.5e6));
  CHECK(s[1].bytes_per_second == Approx(5.5e6 / 3));
  CHECK(s[2].bytes_per_second == Approx(11e6 / 3));
  double total = s[0].bytes_per_second + s[1].bytes_per_second + s[2].bytes_per_second;
  CHECK(total <= 6e6 + 1);
  // Unbound jobs that want little share what none uses by weight: never more than the limit together.
  auto idle = compute_shares({{1, 0, true, false, 0.1e6}, {2, 0, true, false, 0.2e6}, {1, 0, false}}, HostLimits{2, 6e6, 0});
  CHECK(idle[2].bytes_per_second == Approx(0.25e6));  // the small start: an eighth of the rate per job
  CHECK(idle[0].bytes_per_second == Approx(0.25e6 + (6e6 - 0.75e6) / 3));
  CHECK(idle[1].bytes_per_second == Approx(0.25e6 + 2 * (6e6 - 0.75e6) / 3));
  // A lone job whose answers are late keeps the whole rate: the next answers need not win it back.
  auto alone = compute_shares({{1, 0, true, false, 0.05e6}}, HostLimits{8, 2e6, 0});
  CHECK(alone[0].bytes_per_second == Approx(2e6));
}

TEST_CASE("host budget: jobs that join share it, and one that leaves gives its share back", "[budget]") {
  TempDir dir;
  auto a = join(dir, "store1 -> s3://b/p1", 6);
  CHECK(a->jobs() == 1);
  CHECK(a->share().in_flight == 6);
  auto b = join(dir, "store2 -> s3://b/p2", 6);
  auto c = join(dir, "store3 -> s3://b/p3", 6);
  refresh_all({a.get(), b.get(), c.get()});
  CHECK(a->jobs() == 3);
  CHECK(a->share().in_flight == 2);
  CHECK(take(*a, 5) == 2);  // over its share
  CHECK(take(*b, 5) == 2);
  CHECK(take(*c, 5) == 2);
  for (int i = 0; i < 2; ++i) b->finished();
  b.reset();
  refresh_all({a.get(), c.get()});
  CHECK(a->jobs() == 2);
  CHECK(a->share().in_flight == 3);
  CHECK(take(*a, 5) == 1);
}

TEST_CASE("host budget: the sum in flight never passes MAX_WORKERS, shares or not", "[budget]") {
  TempDir dir;
  auto a = join(dir, "a", 4);
  CHECK(take(*a, 4) == 4);
  auto b = join(dir, "b", 4);  // joins while a still has 4 in flight from its old share
  refresh_all({b.get()});
  CHECK(b->share().in_flight == 2);
  CHECK(take(*b, 2) == 0);  // the host is full: b waits for a to finish
  a->finished();
  CHECK(take(*b, 2) == 1);
}

TEST_CASE("host budget: a job that joined since another's last look is counted by it at once", "[budget]") {
  TempDir dir;
  auto a = join(dir, "a", 6);  // alone at its refresh: every other slot looked unused
  auto b = join(dir, "b", 6);  // joins later, in a slot a saw unused, and sends its start at once
  CHECK(take(*b, 3) == 3);
  CHECK(take(*a, 6) == 3);  // before a refreshes: the host holds six, not nine
  for (int i = 0; i < 3; ++i) a->finished(), b->finished();
  b.reset();
  refresh_all({a.get()});  // a sees b's slot given back
  auto c = join(dir, "c", 6);  // and c takes it
  CHECK(take(*c, 3) == 3);
  CHECK(take(*a, 6) == 3);
}

TEST_CASE("host budget: the smallest limit of the live jobs holds, and rates are split by weight", "[budget]") {
  TempDir dir;
  auto a = join(dir, "a", 8, 4e6, 3);
  auto b = join(dir, "b", 6, 0, 1);
  refresh_all({a.get(), b.get()});
  CHECK(a->limits().max_in_flight == 6);
  CHECK(a->limits().bytes_per_second == 4e6);
  CHECK(a->share().bytes_per_second == 3e6);
  CHECK(b->share().bytes_per_second == 1e6);
  auto view = transfer::read_host_budget(dir.path());
  REQUIRE(view);
  REQUIRE(view->jobs.size() == 2);
  CHECK(view->jobs[0].name == "a");
  CHECK(view->jobs[0].share.bytes_per_second == 3e6);
  CHECK(view->limits.max_in_flight == 6);
}

TEST_CASE("host budget: a job killed with SIGKILL gives its share and its requests back at once", "[budget]") {
  TempDir dir;
  auto a = join(dir, "survivor", 4);
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    auto b = HostBudget::join(dir.path(), {"victim", 1, 0, HostLimits{4, 0, 0}});
    if (!b) ::_exit(2);
    (*b)->refresh(HostBudget::Clock::now(), true, true, 0, 0, true);
    while ((*b)->try_start()) {
    }
    char c = 'x';
    (void)!::write(ready[1], &c, 1);
    ::pause();
    ::_exit(0);
  }
  char c;
  REQUIRE(::read(ready[0], &c, 1) == 1);
  refresh_all({a.get()});
  CHECK(a->jobs() == 2);
  unsigned held = take(*a, 4);
  CHECK(held < 4);  // the victim holds some of the host's requests
  for (unsigned i = 0; i < held; ++i) a->finished();
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  refresh_all({a.get()});
  CHECK(a->jobs() == 1);
  CHECK(a->share().in_flight == 4);
  CHECK(take(*a, 4) == 4);  // the dead job's requests no longer count
  auto view = transfer::read_host_budget(dir.path());
  REQUIRE(view);
  CHECK(view->jobs.size() == 1);
  ::close(ready[0]);
  ::close(ready[1]);
}

TEST_CASE("host budget: a directory it cannot write is refused with the reason, so the job runs alone", "[budget]") {
  TempDir dir;
  std::string file = dir.sub("not-a-dir");
  REQUIRE(::close(::creat(file.c_str(), 0600)) == 0);
  auto b = HostBudget::join(file, {"x", 1, 0, HostLimits{4, 0, 0}});
  REQUIRE_FALSE(b);
  CHECK_THAT(b.error().message(), Catch::Contains("not-a-dir"));
}
