#include "records/encryption_record.h"

#include <nlohmann/json.hpp>

#include "crypto/crypt_key.h"
#include "records/record_io.h"
#include "records/record_keys.h"

namespace pbs::records {

Result<EncryptionRecord> parse_encryption_record(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error(Errc::corrupt, "not a JSON object");
  auto fp = j.find("fingerprint");
  if (fp == j.end() || !fp->is_string()) return Error(Errc::corrupt, "no \"fingerprint\"");
  EncryptionRecord r;
  PBS_ASSIGN(r.fingerprint, crypto::parse_fingerprint(fp->get<std::string>()));
  auto key = j.find("key");
  if (key != j.end() && key->is_object()) r.key_file = key->dump(2);
  return r;
}

std::string format_encryption_record(const EncryptionRecord& record) {
  nlohmann::ordered_json j;
  j["fingerprint"] = crypto::format_fingerprint(record.fingerprint);
  j["key"] = record.key_file ? nlohmann::ordered_json::parse(*record.key_file) : nlohmann::ordered_json();
  return j.dump(2) + "\n";
}

Result<std::optional<EncryptionRecord>> read_encryption_record(transfer::RequestInterface& requests,
                                                               const remote::Remote& remote) {
  PBS_ASSIGN(RecordRead read, read_record(requests, remote, kEncryptionKey));
  if (!read.text) return std::optional<EncryptionRecord>{};
  auto record = parse_encryption_record(*read.text);
  if (!record) return std::move(record).error().context(remote.key(kEncryptionKey));
  return std::optional(*record);
}

Status store_new_encryption_record(transfer::RequestInterface& requests, const remote::Remote& remote,
                                   std::string_view text, const Digest& fingerprint, const s3::PutOptions& options) {
  PBS_TRY(write_record(requests, remote, kEncryptionKey, text, options));
  PBS_ASSIGN(auto stored, read_encryption_record(requests, remote));
  if (!stored || stored->fingerprint != fingerprint) {
    return Error(Errc::config, "another run made the key of " + remote.url() + " at the same time; run again");
  }
  return {};
}

}  // namespace pbs::records
