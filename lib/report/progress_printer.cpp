#include "report/progress_printer.h"

#include <fmt/format.h>
#include <unistd.h>

#include "report/human.h"

namespace pbs::report {

ProgressPrinter::ProgressPrinter(Mode mode, std::FILE* out, double interval)
    : mode_(mode), out_(out), interval_(interval), start_(std::chrono::steady_clock::now()), last_(start_) {}

ProgressPrinter::Mode ProgressPrinter::choose(const std::string& setting, std::FILE* out) {
  if (setting == "never") return Mode::off;
  bool tty = ::isatty(::fileno(out));
  if (setting == "always") return tty ? Mode::line : Mode::log;
  return tty ? Mode::line : Mode::log;
}

void ProgressPrinter::update(const sync::RunProgress& p) {
  if (mode_ == Mode::off) return;
  auto now = std::chrono::steady_clock::now();
  double since = std::chrono::duration<double>(now - last_).count();
  double elapsed = std::chrono::duration<double>(now - start_).count();
  if (since < (mode_ == Mode::line ? 0.2 : interval_)) return;
  last_ = now;
  double rate = elapsed > 0 ? double(p.bytes) / elapsed : 0;
  bool up = p.direction == sync::RunProgress::Direction::up;
  std::string text = fmt::format("snapshots {}/{}, chunks {} {} + {} present, {} {}, {}/s", p.snapshots_done,
                                 p.snapshots_total, p.chunks_moved, up ? "sent" : "fetched", p.chunks_present,
                                 human_bytes(p.bytes), up ? "sent" : "received", human_bytes(std::uint64_t(rate)));
  if (mode_ == Mode::line) {
    fmt::print(out_, "\r\033[K{}", text);
    drawn_ = true;
  } else {
    fmt::print(out_, "[{}] {}\n", human_duration(elapsed), text);
  }
  std::fflush(out_);
}

void ProgressPrinter::finish() {
  if (mode_ == Mode::line && drawn_) fmt::print(out_, "\r\033[K");
  std::fflush(out_);
}

}  // namespace pbs::report
