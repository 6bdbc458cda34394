#include "config/target.h"

#include "config/aws_profile.h"
#include "util/text.h"

namespace pbs::config {

std::string Target::url() const { return "s3://" + bucket + (prefix.empty() ? "" : "/" + prefix); }

std::string Target::key(std::string_view rel) const {
  return prefix.empty() ? std::string(rel) : prefix + "/" + std::string(rel);
}

namespace {

Result<std::string> clean_prefix(std::string_view p, std::string_view what) {
  while (!p.empty() && p.back() == '/') p.remove_suffix(1);
  if (p.starts_with('/') || p.find("//") != std::string_view::npos) {
    return Error(Errc::config, std::string(what) + ": prefix '" + std::string(p) +
                                   "' must not start with '/' or contain '//'");
  }
  // Keys are not paths: "a/../b" and "./a" are other keys than "b" and "a", and restore would
  // turn them into paths outside the datastore.
  for (auto part : split(p, '/')) {
    if (part == "." || part == "..") {
      return Error(Errc::config, std::string(what) + ": prefix '" + std::string(p) + "' must not hold a '" +
                                     std::string(part) + "' component");
    }
  }
  return std::string(p);
}

std::string known_ids(const PbsConf& conf) {
  std::string ids;
  for (const auto& s : conf.storages) ids += (ids.empty() ? "" : ", ") + s.id;
  return ids.empty() ? "none in " + conf.path : ids;
}

}  // namespace

Result<Target> resolve_target(std::string_view arg, const PbsConf& conf, const Environment& env,
                              std::string_view default_prefix, bool need_credentials) {
  Target t;
  const StorageEntry* entry = nullptr;
  std::optional<std::string> url_prefix;
  if (arg.starts_with("s3://")) {
    std::string_view rest = arg.substr(5);
    auto slash = rest.find('/');
    t.bucket = std::string(rest.substr(0, slash));
    if (slash != std::string_view::npos) {
      PBS_ASSIGN(std::string p, clean_prefix(rest.substr(slash + 1), arg));
      if (!p.empty()) url_prefix = p;
    }
    PBS_TRY(s3::validate_bucket_name(t.bucket));
    // A STORAGE entry for the same bucket supplies endpoint and keys for a plain URL.
    for (const auto& s : conf.storages) {
      if (s.bucket == t.bucket) {
        if (entry) {
          entry = nullptr;
          break;
        }
        entry = &s;
      }
    }
  } else if (arg.empty()) {
    if (conf.storages.size() != 1) {
      return Error(Errc::config, "no TARGET given: name one (s3://bucket/prefix or a STORAGE id: " +
                                     known_ids(conf) + ")");
    }
    entry = &conf.storages.front();
  } else {
    entry = conf.find_storage(arg);
    if (!entry) {
      return Error(Errc::config, "TARGET '" + std::string(arg) +
                                     "' is neither s3://bucket/prefix nor a STORAGE id (known: " +
                                     known_ids(conf) + ")");
    }
  }
  if (entry) {
    t.id = entry->id;
    t.bucket = entry->bucket;
  }
  PBS_ASSIGN(AwsProfile profile, load_aws_profile(env));
  auto from_entry = [&](const char* k) { return entry ? entry->get(k) : std::nullopt; };

  if (url_prefix) {
    t.prefix = *url_prefix;
  } else if (auto p = from_entry("PREFIX")) {
    PBS_ASSIGN(t.prefix, clean_prefix(*p, "STORAGE " + t.id));
  } else {
    PBS_ASSIGN(t.prefix, clean_prefix(default_prefix, "datastore name"));
  }

  std::string endpoint = env.get("AWS_ENDPOINT_URL_S3")
                             .value_or(env.get("AWS_ENDPOINT_URL")
                                           .value_or(from_entry("ENDPOINT").value_or(profile.endpoint.value_or(""))));
  std::string region = env.get("AWS_REGION").value_or(
      env.get("AWS_DEFAULT_REGION").value_or(from_entry("REGION").value_or(profile.region.value_or(""))));
  s3::Addressing addressing = s3::Addressing::automatic;
  if (auto ps = from_entry("PATH_STYLE"); ps && *ps != "auto") {
    addressing = *parse_bool(*ps) ? s3::Addressing::path : s3::Addressing::virtual_host;
  } else if (profile.addressing_style == "path") {
    addressing = s3::Addressing::path;
  } else if (profile.addressing_style == "virtual") {
    addressing = s3::Addressing::virtual_host;
  }
  auto ep = s3::Endpoint::parse(endpoint, region, addressing);
  if (!ep) return Error(ep.error().code(), (entry ? "STORAGE " + t.id + ": " : "") + ep.error().message());
  t.endpoint = *ep;
  if (entry) {
    if (auto v = entry->flag("TLS_VERIFY")) t.endpoint.tls_verify = *v;
  }
  t.endpoint.ca_file = from_entry("CA_FILE").value_or(env.get("AWS_CA_BUNDLE").value_or(""));

  auto env_ak = env.get("AWS_ACCESS_KEY_ID"), env_sk = env.get("AWS_SECRET_ACCESS_KEY");
  if (env_ak && env_sk) {
    t.credentials = {*env_ak, *env_sk, env.get("AWS_SESSION_TOKEN").value_or("")};
    t.credentials_source = "environment";
  } else if (from_entry("AWS_ACCESS_KEY_ID") && from_entry("AWS_SECRET_ACCESS_KEY")) {
    t.credentials = {*from_entry("AWS_ACCESS_KEY_ID"), *from_entry("AWS_SECRET_ACCESS_KEY"),
                     from_entry("AWS_SESSION_TOKEN").value_or("")};
    t.credentials_source = "STORAGE entry '" + t.id + "'";
  } else if (profile.access_key && profile.secret_key) {
    t.credentials = {*profile.access_key, *profile.secret_key, profile.session_token.value_or("")};
    t.credentials_source = "profile '" + profile.name + "' in " + profile.credentials_file;
  } else if (need_credentials) {
    return Error(Errc::config, "no credentials for " + t.url() +
                                   ": set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the "
                                   "environment, in the STORAGE entry, or in ~/.aws/credentials");
  }
  if (entry) {
    t.options.storage_class = from_entry("STORAGE_CLASS").value_or("");
    t.options.sse = from_entry("SSE").value_or("");
    t.options.sse_kms_key_id = from_entry("SSE_KMS_KEY_ID").value_or("");
    t.options.sse_customer_key_file = from_entry("SSE_CUSTOMER_KEY_FILE").value_or("");
    if (auto days = from_entry("MIN_STORAGE_DAYS")) t.options.min_storage_days = parse_min_storage_days(*days);
    t.options.if_none_match = entry->flag("IF_NONE_MATCH").value_or(true);
    t.options.content_md5 = entry->flag("CONTENT_MD5").value_or(false);
    t.options.unsigned_payload = entry->flag("UNSIGNED_PAYLOAD").value_or(true);
    t.options.object_lock = from_entry("OBJECT_LOCK").value_or("");
    if (auto days = from_entry("OBJECT_LOCK_DAYS")) t.options.object_lock_days = parse_lock_days(*days).value_or(0);
    if (auto weight = from_entry("WEIGHT")) t.options.weight = parse_weight(*weight).value_or(1);
    if (t.options.object_lock == "OFF" && t.options.object_lock_days) {
      return Error(Errc::config, "STORAGE " + t.id + ": OBJECT_LOCK=off locks nothing: leave OBJECT_LOCK_DAYS out");
    }
    if (t.options.object_lock != "OFF" && t.options.object_lock.empty() != (t.options.object_lock_days == 0)) {
      return Error(Errc::config, "STORAGE " + t.id + ": OBJECT_LOCK and OBJECT_LOCK_DAYS go together (a mode and "
                                 "how many days each object stays locked)");
    }
    t.options.encryption = entry->flag("ENCRYPTION").value_or(false);
    if (auto prices = from_entry("PRICES")) {
      auto table = bill::load_prices(*prices);
      if (!table) return Error(Errc::config, "STORAGE " + t.id + ": " + table.error().message());
      t.options.prices = std::move(*table);
    }
    t.options.passphrase_file = from_entry("PASSPHRASE_FILE").value_or("");
    t.options.keyfile = from_entry("KEYFILE").value_or("");
    if (t.options.encryption && t.options.passphrase_file.empty() && t.options.keyfile.empty()) {
      return Error(Errc::config, "STORAGE " + t.id + ": ENCRYPTION=true needs PASSPHRASE_FILE (the key is made and "
                                 "kept in the bucket, wrapped by the passphrase) or KEYFILE (a PBS key file)");
    }
  }
  if (!entry || !entry->get("PRICES")) {
    if (auto name = bill::preset_for_host(t.endpoint.host); !name.empty()) t.options.prices = bill::preset(name);
  }
  // A provider that bills every object for a minimum time (Wasabi: 90 days) sets gc's default.
  if (!t.options.min_storage_days && t.options.prices) {
    if (auto all = t.options.prices->min_days.find("*"); all != t.options.prices->min_days.end()) {
      t.options.min_storage_days = all->second;
    }
  }
  return t;
}

}  // namespace pbs::config
