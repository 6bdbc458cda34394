#include "host/run_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <nlohmann/json.hpp>

#include "util/hex.h"
#include "util/json_fields.h"
#include "util/sha256.h"

namespace pbs::host {

using json = nlohmann::json;

namespace {

json holder_json(const LockHolder& h) {
  return {{"pid", h.pid}, {"host", h.host}, {"started", h.started}, {"command", h.command},
          {"datastore", h.datastore}, {"target", h.target}};
}
// Each reader fills its record from `j` and returns the first field present with the wrong type
// (nullopt: the record reads).
std::optional<std::string> read_holder(const json& j, LockHolder& h) {
  if (!json_int(j, "pid", h.pid)) return "'pid' is not a whole number";
  if (!json_string(j, "host", h.host)) return "'host' is not a string";
  if (!json_int(j, "started", h.started)) return "'started' is not a whole number";
  if (!json_string(j, "command", h.command)) return "'command' is not a string";
  if (!json_string(j, "datastore", h.datastore)) return "'datastore' is not a string";
  if (!json_string(j, "target", h.target)) return "'target' is not a string";
  return std::nullopt;
}
json run_json(const RunRecord& r) {
  json j = {{"started", r.started}, {"finished", r.finished}, {"exit_code", r.exit_code}};
  auto summary = json::parse(r.summary_json, nullptr, false);
  j["summary"] = summary.is_discarded() ? json(nullptr) : summary;
  return j;
}
std::optional<std::string> read_run(const json& j, RunRecord& r) {
  if (!json_int(j, "started", r.started)) return "'started' is not a whole number";
  if (!json_int(j, "finished", r.finished)) return "'finished' is not a whole number";
  std::int64_t code = 0;
  if (!json_int(j, "exit_code", code) || code < 0 || code > 255) return "'exit_code' is not an exit code";
  r.exit_code = int(code);
  auto summary = j.find("summary");
  if (summary != j.end() && !summary->is_null()) {
    if (!summary->is_object()) return "'summary' is not a JSON object";
    r.summary_json = summary->dump();
  }
  return std::nullopt;
}

// One record of the file: absent (or null) is absent; one that is not an object or has a field
// of the wrong type (a hand edit, another version) is treated as absent too, and noted.
template <class Record, class Reader>
std::optional<Record> record_from(const json& file, const char* name, Reader read, LockState& s) {
  auto it = file.find(name);
  if (it == file.end() || it->is_null()) return std::nullopt;
  Record r;
  std::optional<std::string> why = it->is_object() ? read(*it, r) : std::optional<std::string>("not a JSON object");
  if (!why) return r;
  s.unreadable.push_back(std::string("the ") + name + " record: " + *why);
  return std::nullopt;
}

Result<std::string> read_fd(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return errno_error(errno, "stat", path);
  std::vector<std::uint8_t> buf(std::size_t(st.st_size));
  if (!buf.empty()) PBS_TRY(pread_exact(fd, buf, 0, path));
  return std::string(buf.begin(), buf.end());
}

// Parses what is recorded in the file. Empty (a lock just created) is an empty state; anything
// else that is not a JSON object (a write under way: records are rewritten in place, or damage)
// is an empty state too, noted as unreadable.
LockState parse_state(const std::string& text) {
  LockState s;
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    if (text.find_first_not_of(" \t\r\n") != std::string::npos) s.unreadable.push_back("the file is not a JSON object");
    return s;
  }
  s.stale_holder = record_from<LockHolder>(j, "holder", read_holder, s);
  s.last_run = record_from<RunRecord>(j, "last_run", read_run, s);
  s.last_success = record_from<RunRecord>(j, "last_success", read_run, s);
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
