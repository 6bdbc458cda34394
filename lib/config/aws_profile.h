#pragma once
// ~/.aws/credentials and ~/.aws/config, the files awscli and the SDKs share: a profile's keys,
// session token, region and endpoint. Section names: [NAME] in credentials, [profile NAME] (or
// [default]) in config.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "config/environment.h"
#include "util/result.h"

namespace pbs::config {

// INI text -> section -> key -> value (keys lower-cased; indented sub-keys as "parent.key").
Result<std::map<std::string, std::map<std::string, std::string>>> parse_ini(std::string_view text,
                                                                          std::string_view path);

struct AwsProfile {
  std::string name;
  std::optional<std::string> access_key;
  std::optional<std::string> secret_key;
  std::optional<std::string> session_token;
  std::optional<std::string> region;
  std::optional<std::string> endpoint;
  std::optional<std::string> addressing_style;  // s3.addressing_style
  std::string credentials_file;
};

// The profile named by AWS_PROFILE (default "default"), from AWS_SHARED_CREDENTIALS_FILE /
// AWS_CONFIG_FILE or ~/.aws. Missing files give an empty profile.
Result<AwsProfile> load_aws_profile(const Environment& env);

}  // namespace pbs::config
