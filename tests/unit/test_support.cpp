#include "test_support.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

extern char** environ;

namespace pbs::test {

TempDir::TempDir() {
  std::string base;
  if (const char* t = std::getenv("PBS_TEST_TMPDIR")) {
    base = t;
  } else if (std::filesystem::is_directory("/dev/shm") && ::access("/dev/shm", W_OK) == 0) {
    base = "/dev/shm";
  } else {
    base = "/tmp";
  }
  std::string tmpl = base + "/pbs-s3sync-test-XXXXXX";
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed in " + base);
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

namespace {
std::string slurp_fd(int fd) {
  std::string out;
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, std::size_t(n));
  return out;
}
}  // namespace

namespace {
pid_t spawn(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
            const std::string& out_path, const std::string& err_path) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // The extra variables replace inherited ones of the same name (getenv returns the first).
  std::vector<std::string> env_store = extra_env;
  auto overridden = [&](std::string_view entry) {
    auto name = entry.substr(0, entry.find('=') + 1);
    for (const auto& e : extra_env) {
      if (e.compare(0, name.size(), name) == 0) return true;
    }
    return false;
  };
  for (char** e = environ; *e; ++e) {
    if (!overridden(*e)) env_store.emplace_back(*e);
  }
  std::vector<char*> env;
  for (auto& e : env_store) env.push_back(e.data());
  env.push_back(nullptr);
  pid_t pid;
  int rc = posix_spawn(&pid, args[0], &fa, nullptr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("cannot run " + argv[0]);
  return pid;
}

CommandResult collect(pid_t pid, const std::string& out_path, const std::string& err_path) {
  CommandResult result;
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  int fd = ::open(out_path.c_str(), O_RDONLY);
  result.out = slurp_fd(fd);
  ::close(fd);
  fd = ::open(err_path.c_str(), O_RDONLY);
  result.err = slurp_fd(fd);
  ::close(fd);
  return result;
}
}  // namespace

CommandResult run_command(const std::vector<std::string>& argv,
                          const std::vector<std::string>& extra_env) {
  // Output goes to temp files, not pipes: no deadlock when both streams are large.
  TempDir tmp;
  std::string out_path = tmp.sub("out"), err_path = tmp.sub("err");
  return collect(spawn(argv, extra_env, out_path, err_path), out_path, err_path);
}

BackgroundCommand::BackgroundCommand(const std::vector<std::string>& argv,
                                     const std::vector<std::string>& extra_env)
    : pid_(spawn(argv, extra_env, dir_.sub("out"), dir_.sub("err"))) {}

BackgroundCommand::~BackgroundCommand() {
  if (!waited_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

void BackgroundCommand::kill(int signal) { ::kill(pid_, signal); }

CommandResult BackgroundCommand::wait() {
  waited_ = true;
  return collect(pid_, dir_.sub("out"), dir_.sub("err"));
}

std::string s3sync_bin() { return PBS_S3SYNC_BIN; }
std::string datagen_bin() { return PBS_DATAGEN_BIN; }
std::string fixture_path(const std::string& name) { return std::string(PBS_FIXTURE_DIR) + "/" + name; }

std::vector<std::uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
}

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace pbs::test
