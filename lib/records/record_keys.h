#pragma once
// The tool's own objects under `<prefix>/.pbs-s3sync/`, relative to the prefix. They live beside
// PBS's layout (remote/key_layout.h), never inside `.cnt/` or `.chunks/`, so PBS ignores them.

#include <string_view>

namespace pbs::records {

inline constexpr std::string_view kToolDir = ".pbs-s3sync/";
// Which datastore the prefix belongs to (source_record.h).
inline constexpr std::string_view kSourceKey = ".pbs-s3sync/source";
// gc's lease and its last finish, read by syncs on other hosts (gc_state.h).
inline constexpr std::string_view kGcStateKey = ".pbs-s3sync/gc-state";
// Up to when every object of every complete snapshot is locked (retention_record.h).
inline constexpr std::string_view kRetentionKey = ".pbs-s3sync/retention";
// The prefix's encryption key: its fingerprint and, wrapped, the key (encryption_record.h).
inline constexpr std::string_view kEncryptionKey = ".pbs-s3sync/encryption";
// The manifests an encrypted run left, read in one request by the next (sealed_manifests.h).
inline constexpr std::string_view kSealedManifestsKey = ".pbs-s3sync/sealed-manifests";

}  // namespace pbs::records
