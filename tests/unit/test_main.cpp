#define CATCH_CONFIG_RUNNER
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <string>

int main(int argc, char** argv) {
  // The binaries a test runs share the host's budget (cmd/pbs-s3sync/host_budget_setup.h) only with
  // each other: one test's bandwidth limit must not slow the tests running beside it.
  std::string dir = std::filesystem::temp_directory_path().string() + "/pbs-s3sync-test-budget-" + std::to_string(::getpid());
  ::setenv("PBS_S3SYNC_BUDGET_DIR", dir.c_str(), 0);
  // A test case that asserts nothing fails, however it is run (Catch takes one -w on the command
  // line, which ctest's discovery uses for NoTests).
  Catch::Session session;
  int rc = session.applyCommandLine(argc, argv);
  if (rc == 0) {
    auto& warnings = session.configData().warnings;
    warnings = Catch::WarnAbout::What(warnings | Catch::WarnAbout::NoAssertions);
    rc = session.run();
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  return rc;
}
