// The progress line's text: total, percent, rate and ETA when they are known, and only then.
#include "report/progress_printer.h"
#include "test_support.h"

using namespace pbs;

TEST_CASE("progress: bytes of the total, percent, rate and when it should end", "[progress]") {
  run::RunProgress p;
  p.snapshots_done = 3;
  p.snapshots_total = 12;
  p.chunks_moved = 250;
  p.chunks_present = 40;
  p.bytes = 250'000'000;
  p.bytes_total = 1'000'000'000;
  std::string t = report::progress_text(p, 5'000'000);
  INFO(t);
  CHECK(t.find("snapshots 3/12") != std::string::npos);
  CHECK(t.find("chunks 250 sent + 40 present") != std::string::npos);
  CHECK(t.find("(25%)") != std::string::npos);
  CHECK(t.find(" of ") != std::string::npos);
  CHECK(t.find("/s, ETA 2m30s") != std::string::npos);  // 750 MB at 5 MB/s
}

TEST_CASE("progress: no rate yet means no ETA, no total means no percent, and never over 100%", "[progress]") {
  run::RunProgress p;
  p.bytes = 10;
  p.bytes_total = 100;
  CHECK(report::progress_text(p, 0).find("ETA unknown") != std::string::npos);
  p.bytes_total = 0;
  auto t = report::progress_text(p, 1000);
  CHECK(t.find('%') == std::string::npos);
  CHECK(t.find("ETA") == std::string::npos);
  p.direction = run::RunProgress::Direction::down;
  CHECK(report::progress_text(p, 1000).find("received") != std::string::npos);
  p.bytes = 120;
  p.bytes_total = 100;  // a file that grew while it was sent
  t = report::progress_text(p, 1000);
  CHECK(t.find("(100%)") != std::string::npos);
  CHECK(t.find("ETA") == std::string::npos);
}
