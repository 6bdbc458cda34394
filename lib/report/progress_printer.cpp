#include "report/progress_printer.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>

#include "report/human.h"

namespace pbs::report {

namespace {
constexpr double kRateWindowSeconds = 20;
}  // namespace

std::string progress_text(const run::RunProgress& p, double rate) {
  bool up = p.direction == run::RunProgress::Direction::up;
  std::string text = fmt::format("snapshots {}/{}, chunks {} {} + {} present, {}", p.snapshots_done,
                                 p.snapshots_total, p.chunks_moved, up ? "sent" : "fetched", p.chunks_present,
                                 human_bytes(p.bytes));
  if (p.bytes_total > 0) {
    std::uint64_t total = std::max(p.bytes_total, p.bytes);
    text += fmt::format(" of {} ({}%)", human_bytes(total), unsigned(100.0 * double(p.bytes) / double(total)));
  }
  text += fmt::format(" {}, {}/s", up ? "sent" : "received", human_bytes(std::uint64_t(rate)));
  if (p.bytes_total > p.bytes) {
    text += rate > 0 ? ", ETA " + human_duration(double(p.bytes_total - p.bytes) / rate) : ", ETA unknown";
  }
  return text;
}

ProgressPrinter::ProgressPrinter(Mode mode, std::FILE* out, double interval)
    : mode_(mode), out_(out), interval_(interval), start_(Clock::now()), last_(start_) {}

ProgressPrinter::Mode ProgressPrinter::choose(const std::string& setting, std::FILE* out) {
  if (setting == "never") return Mode::off;
  return ::isatty(::fileno(out)) ? Mode::line : Mode::log;
}

// Over the last 20 s (since the start, early on): the rate now, not the average of a run that
// may have spent its first minutes planning or throttled.
double ProgressPrinter::recent_rate(Clock::time_point now, std::uint64_t bytes) {
  if (samples_.empty()) samples_.emplace_back(start_, 0);
  samples_.emplace_back(now, bytes);
  while (samples_.size() > 2 && std::chrono::duration<double>(now - samples_[1].first).count() >= kRateWindowSeconds) {
    samples_.pop_front();
  }
  // Under 3 s of history the rate says more about the start than about the run: no ETA yet.
  double span = std::chrono::duration<double>(now - samples_.front().first).count();
  return span >= 3 && bytes >= samples_.front().second ? double(bytes - samples_.front().second) / span : 0;
}

void ProgressPrinter::update(const run::RunProgress& p) {
  if (mode_ == Mode::off) return;
  auto now = Clock::now();
  double since = std::chrono::duration<double>(now - last_).count();
  if (since < (mode_ == Mode::line ? 0.2 : interval_)) return;
  last_ = now;
  std::string text = progress_text(p, recent_rate(now, p.bytes));
  if (mode_ == Mode::line) {
    fmt::print(out_, "\r\033[K{}", text);
    drawn_ = true;
  } else {
    fmt::print(out_, "[{}] {}\n", human_duration(std::chrono::duration<double>(now - start_).count()), text);
  }
  std::fflush(out_);
}

void ProgressPrinter::finish() {
  if (mode_ == Mode::line && drawn_) fmt::print(out_, "\r\033[K");
  std::fflush(out_);
}

}  // namespace pbs::report
