#include "config/aws_profile.h"

#include "util/file_io.h"
#include "util/text.h"

namespace pbs::config {

Result<std::map<std::string, std::map<std::string, std::string>>> parse_ini(std::string_view text,
                                                                          std::string_view path) {
  std::map<std::string, std::map<std::string, std::string>> out;
  std::string section;
  std::string parent;  // "s3 =" opens indented sub-keys
  LineReader lines(text);
  std::string_view raw;
  while (lines.next(raw)) {
    int line_no = lines.number();
    bool indented = !raw.empty() && (raw.front() == ' ' || raw.front() == '\t');
    std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      if (line.back() != ']') {
        return Error(Errc::config, std::string(path) + ":" + std::to_string(line_no) + ": bad section header");
      }
      section = std::string(trim(line.substr(1, line.size() - 2)));
      parent.clear();
      out[section];
      continue;
    }
    auto eq = line.find('=');
    if (eq == std::string_view::npos || section.empty()) {
      return Error(Errc::config, std::string(path) + ":" + std::to_string(line_no) +
                                     ": expected key = value inside a [section]");
    }
    std::string key = to_lower(trim(line.substr(0, eq)));
    std::string value(trim(line.substr(eq + 1)));
    if (!indented) parent.clear();
    if (indented && !parent.empty()) {
      out[section][parent + "." + key] = value;
    } else if (value.empty()) {
      parent = key;
    } else {
      out[section][key] = value;
    }
  }
  return out;
}

Result<AwsProfile> load_aws_profile(const Environment& env) {
  AwsProfile p;
  p.name = env.get("AWS_PROFILE").value_or("default");
  std::string creds_path = env.get("AWS_SHARED_CREDENTIALS_FILE").value_or(env.home + "/.aws/credentials");
  std::string config_path = env.get("AWS_CONFIG_FILE").value_or(env.home + "/.aws/config");
  p.credentials_file = creds_path;
  auto read_ini = [](const std::string& path)
      -> Result<std::map<std::string, std::map<std::string, std::string>>> {
    auto bytes = read_file(path, 1 << 20);
    if (!bytes) {
      if (bytes.error().code() == Errc::not_found) return std::map<std::string, std::map<std::string, std::string>>{};
      return std::move(bytes).error();
    }
    return parse_ini(std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()), path);
  };
  PBS_ASSIGN(auto creds, read_ini(creds_path));
  PBS_ASSIGN(auto config, read_ini(config_path));
  auto pick = [](const std::map<std::string, std::string>& m, const char* k) -> std::optional<std::string> {
    auto it = m.find(k);
    if (it == m.end() || it->second.empty()) return std::nullopt;
    return it->second;
  };
  if (auto it = creds.find(p.name); it != creds.end()) {
    p.access_key = pick(it->second, "aws_access_key_id");
    p.secret_key = pick(it->second, "aws_secret_access_key");
    p.session_token = pick(it->second, "aws_session_token");
  }
  auto cit = config.find(p.name == "default" ? "default" : "profile " + p.name);
  if (cit != config.end()) {
    if (!p.access_key) p.access_key = pick(cit->second, "aws_access_key_id");
    if (!p.secret_key) p.secret_key = pick(cit->second, "aws_secret_access_key");
    if (!p.session_token) p.session_token = pick(cit->second, "aws_session_token");
    p.region = pick(cit->second, "region");
    p.endpoint = pick(cit->second, "endpoint_url");
    if (!p.endpoint) p.endpoint = pick(cit->second, "s3.endpoint_url");
    p.addressing_style = pick(cit->second, "s3.addressing_style");
  }
  return p;
}

}  // namespace pbs::config
