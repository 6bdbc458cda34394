#include "run/run_stop.h"

namespace pbs::run {

namespace {
const char* noun(RunKind kind) {
  switch (kind) {
    case RunKind::sync: return "the run";
    case RunKind::restore: return "the restore";
    case RunKind::extract: return "the extract";
  }
  return "the run";
}
}  // namespace

std::optional<std::string> remote_stop_reason(const Error& error) {
  if (!concerns_target(error.code())) return std::nullopt;
  switch (error.code()) {
    case Errc::tls:
      return "the server's certificate is not trusted (see above)";
    case Errc::network:
    case Errc::timeout:
      return "the server could not be reached (see above); rerun when it can, the run resumes";
    default:
      return "the server refused this run (see above)";
  }
}

RunStop::RunStop(RunKind kind, LocalFaultPolicy policy, std::function<bool()> interrupted,
                 std::vector<ObjectError>& errors)
    : kind_(kind), policy_(policy), interrupted_(std::move(interrupted)), errors_(errors) {}

void RunStop::stop(StopCause cause, std::string reason) {
  if (outcome_.stop != StopCause::none) return;
  outcome_.stop = cause;
  outcome_.reason = std::move(reason);
}

bool RunStop::stopping() {
  if (outcome_.stop == StopCause::none && interrupted_ && interrupted_()) {
    stop(StopCause::interrupted, kind_ == RunKind::sync ? "the run was interrupted; the next run resumes"
                                                        : std::string(noun(kind_)) + " was interrupted; rerun it, it resumes");
    errors_.push_back({"", "interrupted: nothing new started, what was waiting for the endpoint abandoned, what was in "
                           "flight given a few seconds to finish"});
  }
  return outcome_.stop != StopCause::none;
}

std::string RunStop::remote_error(const Error& error) {
  if (auto why = remote_stop_reason(error)) stop(StopCause::remote, *why);
  return error.message();
}

bool RunStop::local_fault(const std::string& object, const std::string& message) {
  if (policy_ != LocalFaultPolicy::stop_run) return false;
  if (outcome_.stop == StopCause::none) {
    errors_.push_back({object, message});
    stop(StopCause::local, std::string(noun(kind_)) +
                               " stopped after a local write error (see above); rerun it once that is fixed, "
                               "it resumes");
  }
  return true;
}

std::string RunStop::left_behind() const {
  std::string verb = kind_ == RunKind::sync ? "not completed: " : kind_ == RunKind::restore ? "not restored: " : "not extracted: ";
  if (outcome_.stop == StopCause::none) return verb + "the run stopped before it (internal error)";
  return verb + outcome_.reason;
}

}  // namespace pbs::run
