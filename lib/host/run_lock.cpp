#include "host/run_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <nlohmann/json.hpp>

#include "util/hex.h"
#include "util/sha256.h"

namespace pbs::host {

using json = nlohmann::json;

namespace {

json holder_json(const LockHolder& h) {
  return {{"pid", h.pid}, {"host", h.host}, {"started", h.started}, {"command", h.command},
          {"datastore", h.datastore}, {"target", h.target}};
}
LockHolder holder_from(const json& j) {
  LockHolder h;
  h.pid = j.value("pid", std::int64_t(0));
  h.host = j.value("host", "");
  h.started = j.value("started", std::int64_t(0));
  h.command = j.value("command", "");
  h.datastore = j.value("datastore", "");
  h.target = j.value("target", "");
  return h;
}
json run_json(const RunRecord& r) {
  json j = {{"started", r.started}, {"finished", r.finished}, {"exit_code", r.exit_code}};
  auto summary = json::parse(r.summary_json, nullptr, false);
  j["summary"] = summary.is_discarded() ? json(nullptr) : summary;
  return j;
}
RunRecord run_from(const json& j) {
  RunRecord r;
  r.started = j.value("started", std::int64_t(0));
  r.finished = j.value("finished", std::int64_t(0));
  r.exit_code = j.value("exit_code", 0);
  if (j.contains("summary") && !j["summary"].is_null()) r.summary_json = j["summary"].dump();
  return r;
}

Result<std::string> read_fd(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return errno_error(errno, "stat", path);
  std::vector<std::uint8_t> buf(std::size_t(st.st_size));
  if (!buf.empty()) PBS_TRY(pread_exact(fd, buf, 0, path));
  return std::string(buf.begin(), buf.end());
}

// Parses what is recorded in the file; unparsable content (an interrupted write) is empty.
LockState parse_state(const std::string& text) {
  LockState s;
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return s;
  if (j.contains("holder") && j["holder"].is_object()) s.stale_holder = holder_from(j["holder"]);
  if (j.contains("last_run") && j["last_run"].is_object()) s.last_run = run_from(j["last_run"]);
  if (j.contains("last_success") && j["last_success"].is_object()) {
    s.last_success = run_from(j["last_success"]);
  }
  return s;
}

std::string describe(const LockHolder& h) {
  char when[32];
  std::time_t t = h.started;
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return "PID " + std::to_string(h.pid) + " on " + h.host + " since " + when + " (" + h.command + ")";
}

// True when another process holds the flock.
Result<bool> held_by_other(int fd, const std::string& path) {
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
    ::flock(fd, LOCK_UN);
    return false;
  }
  if (errno == EWOULDBLOCK) return true;
  return errno_error(errno, "flock", path);
}

}  // namespace

Result<RunLock> RunLock::acquire(const std::string& path, LockHolder holder) {
  auto slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) PBS_TRY(make_dirs(path.substr(0, slash), 0755));
  PBS_ASSIGN(UniqueFd fd, open_file(path, O_RDWR | O_CREAT, 0644));
  PBS_ASSIGN(std::string text, read_fd(fd.get(), path));
  LockState previous = parse_state(text);
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) return errno_error(errno, "flock", path);
    std::string who = previous.stale_holder ? describe(*previous.stale_holder) : "another process";
    return Error(Errc::locked, "another run holds the lock " + path + ": " + who);
  }
  previous.stale_holder.reset();
  RunLock lock(path, std::move(fd), std::move(holder), std::move(previous));
  PBS_TRY(lock.write_state(true));
  return lock;
}

Status RunLock::write_state(bool with_holder) {
  json j = json::object();
  if (with_holder) j["holder"] = holder_json(holder_);
  if (state_.last_run) j["last_run"] = run_json(*state_.last_run);
  if (state_.last_success) j["last_success"] = run_json(*state_.last_success);
  std::string text = j.dump(2) + "\n";
  // In place: renaming a new file over it would leave our flock on a dead inode.
  if (::ftruncate(fd_.get(), 0) != 0) return errno_error(errno, "truncate", path_);
  if (::pwrite(fd_.get(), text.data(), text.size(), 0) != ssize_t(text.size())) {
    return errno_error(errno, "write", path_);
  }
  return {};
}

Status RunLock::record(const RunRecord& run) {
  state_.last_run = run;
  if (run.exit_code == 0) state_.last_success = run;
  return write_state(false);
}

Result<LockState> read_lock_state(const std::string& path) {
  auto fd = open_file(path, O_RDONLY);
  if (!fd) {
    if (fd.error().code() == Errc::not_found) return LockState{};
    return std::move(fd).error();
  }
  PBS_ASSIGN(std::string text, read_fd(fd->get(), path));
  LockState s = parse_state(text);
  PBS_ASSIGN(bool live, held_by_other(fd->get(), path));
  if (live && s.stale_holder) {
    s.holder = std::move(s.stale_holder);
    s.stale_holder.reset();
  } else if (live) {
    s.holder = LockHolder{};
  }
  return s;
}

Status clear_stale_lock(const std::string& path) {
  PBS_ASSIGN(UniqueFd fd, open_file(path, O_RDWR));
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      PBS_ASSIGN(std::string text, read_fd(fd.get(), path));
      auto s = parse_state(text);
      return Error(Errc::locked, "the lock " + path + " is held by a live run: " +
                                     (s.stale_holder ? describe(*s.stale_holder) : "unknown"));
    }
    return errno_error(errno, "flock", path);
  }
  PBS_ASSIGN(std::string text, read_fd(fd.get(), path));
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) j = json::object();
  j.erase("holder");
  std::string out = j.dump(2) + "\n";
  if (::ftruncate(fd.get(), 0) != 0) return errno_error(errno, "truncate", path);
  if (::pwrite(fd.get(), out.data(), out.size(), 0) != ssize_t(out.size())) {
    return errno_error(errno, "write", path);
  }
  return {};
}

std::string lock_directory() {
  if (::access("/run/lock", W_OK) == 0) return "/run/lock/pbs-s3sync";
  if (const char* xdg = std::getenv("XDG_RUNTIME_DIR"); xdg && *xdg) return std::string(xdg) + "/pbs-s3sync";
  return "/tmp/pbs-s3sync-" + std::to_string(::getuid());
}

std::string default_lock_path(const std::string& datastore_path, const std::string& target_url) {
  auto slug = [](std::string s) {
    for (char& c : s) {
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) c = '_';
    }
    return s.substr(0, 60);
  };
  std::string ds_name = datastore_path.substr(datastore_path.rfind('/') + 1);
  std::string target = target_url.starts_with("s3://") ? target_url.substr(5) : target_url;
  // The hash keeps two datastores with the same base name (or long targets) apart.
  Digest full = sha256(datastore_path + "\n" + target_url);
  std::string hash = to_hex(std::span(full).first(4));
  return lock_directory() + "/" + slug(ds_name) + "--" + slug(target) + "--" + hash + ".lock";
}

}  // namespace pbs::host
