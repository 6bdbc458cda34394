#include <fmt/core.h>

#include <ctime>

#include "commands.h"
#include "crypto/key_file.h"
#include "job_setup.h"
#include "output.h"
#include "records/record_keys.h"

namespace pbs::cli {

namespace {

Result<OpenedTarget> open_key_target(const KeyCommandArgs& args, const GlobalOptions& global) {
  PBS_ASSIGN(OpenedTarget t, open_target(global, args.target));
  print_warnings(t.job.conf, global);
  return t;
}

}  // namespace

int command_key_show(const KeyCommandArgs& args, const GlobalOptions& global) {
  auto t = open_key_target(args, global);
  if (!t) return report_error(global, t.error());
  remote::Remote remote = t->remote;
  auto record = records::read_encryption_record(*t->engine, remote);
  if (!record) return report_error(global, record.error());
  if (!*record) return report_error(global, Error(Errc::config, remote.url() + " is not encrypted (it has no " +
                                                                     std::string(records::kEncryptionKey) + ")"));
  // With a passphrase or key file given, it is checked too: "key show" then says it opens the key.
  bool checked = false;
  if (auto source = key_source(args.key.passphrase_file, args.key.keyfile, t->job.target.options)) {
    auto key = open_target_key(*t->engine, remote, *source, global);
    if (!key) return report_error(global, key.error());
    checked = true;
  }
  std::string fp = crypto::format_fingerprint((*record)->fingerprint);
  nlohmann::ordered_json j;
  j["target"] = remote.url();
  j["fingerprint"] = fp;
  j["key-stored"] = (*record)->key_file.has_value();
  j["key-checked"] = checked;
  std::string text = fmt::format("{}: encrypted with key {}\n{}{}", remote.url(), fp,
                                 (*record)->key_file ? "the key is stored in the bucket, wrapped by the passphrase\n"
                                                     : "the key is not stored: it is the KEYFILE given to sync\n",
                                 checked ? "the key given opens it\n" : "");
  print_report(global, j, text, 0);
  return 0;
}

int command_key_export(const KeyCommandArgs& args, const GlobalOptions& global) {
  auto t = open_key_target(args, global);
  if (!t) return report_error(global, t.error());
  remote::Remote remote = t->remote;
  auto source = key_source(args.key.passphrase_file, args.key.keyfile, t->job.target.options);
  if (!source) {
    return report_error(global, Error(Errc::invalid_argument, "key export needs the passphrase file (--passphrase-file or "
                                                              "PASSPHRASE_FILE) or the key file (--keyfile or KEYFILE)"));
  }
  auto key = open_target_key(*t->engine, remote, *source, global);
  if (!key) return report_error(global, key.error());
  std::optional<std::string> passphrase;
  if (args.kdf == "scrypt") {
    if (source->passphrase_file.empty()) {
      return report_error(global, Error(Errc::invalid_argument, "--kdf scrypt protects the exported key with the passphrase "
                                                                "of --passphrase-file; give one, or --kdf none"));
    }
    std::vector<std::string> ignored;
    auto p = encryption::read_passphrase_file(source->passphrase_file, ignored);
    if (!p) return report_error(global, p.error());
    passphrase = std::move(*p);
  }
  auto file = crypto::make_key_file(**key, args.kdf == "none" ? crypto::Kdf::none : crypto::Kdf::scrypt,
                                    passphrase ? &*passphrase : nullptr, std::time(nullptr));
  if (passphrase) crypto::wipe(*passphrase);
  if (!file) return report_error(global, file.error());
  // The key file itself is the output, whatever --output says: it is what PBS reads.
  fmt::print("{}", *file);
  if (file->empty() || file->back() != '\n') fmt::print("\n");
  crypto::wipe(*file);
  return 0;
}

}  // namespace pbs::cli
