#include "records/encryption_record.h"

#include <nlohmann/json.hpp>

#include "crypto/crypt_key.h"
#include "records/record_io.h"
#include "records/record_keys.h"
#include "s3/xml.h"
#include "transfer/object_store.h"

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

namespace {

Error lost_race(const remote::Remote& remote) {
  return Error(Errc::config, "another run made the key of " + remote.url() + " at the same time; run again");
}

// The record's versions, newest first (as ListObjectVersions gives them), delete markers left out.
Result<std::vector<s3::ObjectInfo>> record_versions(transfer::RequestInterface& requests, const remote::Remote& remote) {
  s3::ListOptions o;
  o.prefix = remote.key(kEncryptionKey);
  o.versions = true;
  transfer::ObjectStore store(requests, remote.bucket);
  PBS_ASSIGN(auto all, store.list_all(o));
  std::vector<s3::ObjectInfo> out;
  for (auto& v : all) {
    if (v.key == o.prefix && !v.delete_marker) out.push_back(std::move(v));
  }
  return out;
}

// First writer wins: the oldest version is the prefix's key. Its text is put back on top when a
// later one covers it, so that every run reads the winner's key, whoever wins.
Status settle_versioned(transfer::RequestInterface& requests, const remote::Remote& remote, const Digest& fingerprint,
                        const s3::PutOptions& options) {
  PBS_ASSIGN(auto versions, record_versions(requests, remote));
  if (versions.empty()) return lost_race(remote);
  PBS_ASSIGN(RecordRead first, read_record(requests, remote, kEncryptionKey, versions.back().version_id));
  if (!first.text) return lost_race(remote);
  PBS_ASSIGN(EncryptionRecord winner, parse_encryption_record(*first.text));
  if (versions.size() > 1) PBS_TRY(write_record(requests, remote, kEncryptionKey, *first.text, options));
  if (winner.fingerprint != fingerprint) return lost_race(remote);
  return {};
}

}  // namespace

Status store_new_encryption_record(transfer::RequestInterface& requests, const remote::Remote& remote,
                                   std::string_view text, const Digest& fingerprint, bool versioned,
                                   s3::PutOptions options) {
  options.if_none_match = options.if_none_match && !versioned;
  PBS_TRY(write_record(requests, remote, kEncryptionKey, text, options));
  if (versioned) return settle_versioned(requests, remote, fingerprint, options);
  PBS_ASSIGN(auto stored, read_encryption_record(requests, remote));
  if (!stored || stored->fingerprint != fingerprint) return lost_race(remote);
  return {};
}

}  // namespace pbs::records
