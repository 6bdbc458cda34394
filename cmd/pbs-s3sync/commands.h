#pragma once
// One function per command: takes parsed options, calls lib/, prints, returns the exit code.

#include <optional>
#include <string>

#include "cli.h"

namespace pbs::cli {

struct ListArgs {
  std::string source;  // datastore path (remote targets come with the remote issue)
  std::string ns;
  std::optional<std::size_t> max_depth;
};
int command_list(const ListArgs& args, const GlobalOptions& global);

struct VerifyArgs {
  std::string source;
  std::string ns;
  std::optional<std::size_t> max_depth;
};
int command_verify(const VerifyArgs& args, const GlobalOptions& global);

}  // namespace pbs::cli
