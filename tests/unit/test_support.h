#pragma once
// Shared helpers for the tests: temporary directories, running our binaries, reading fixtures.

#include <chrono>
#include <string>
#include <vector>

#include "util/result.h"

namespace pbs::test {

// Seconds of the steady clock since `t0`: how long a command or request took.
inline double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// A fresh directory removed (recursively) when the object goes away. Under $PBS_TEST_TMPDIR,
// else /dev/shm when present (creating 65536 chunk dirs is much faster in tmpfs), else /tmp.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
// Runs argv[0] with the arguments (no shell) and captures stdout and stderr.
CommandResult run_command(const std::vector<std::string>& argv,
                          const std::vector<std::string>& extra_env = {});

// A command running in the background (output to files); killed when this goes away.
class BackgroundCommand {
 public:
  BackgroundCommand(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env = {});
  ~BackgroundCommand();
  int pid() const { return pid_; }
  void kill(int signal);
  CommandResult wait();

 private:
  TempDir dir_;
  int pid_ = -1;
  bool waited_ = false;
};

std::string s3sync_bin();
std::string datagen_bin();
std::string fixture_path(const std::string& name);

std::vector<std::uint8_t> read_bytes(const std::string& path);
bool file_exists(const std::string& path);

// Unwraps a Result in a test, failing the test with the error's message.
template <class T>
T must(Result<T> r);
void must(Status s);

}  // namespace pbs::test

#include <catch2/catch.hpp>

namespace pbs::test {
template <class T>
T must(Result<T> r) {
  if (!r) FAIL(r.error().message());
  return std::move(r).value();
}
inline void must(Status s) {
  if (!s) FAIL(s.error().message());
}
}  // namespace pbs::test
