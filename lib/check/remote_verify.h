#pragma once
// `pbs-s3sync verify TARGET`: proves remote snapshots complete without downloading chunks: one
// listing of `.chunks/`, every complete snapshot's manifest and indexes read (small), every
// referenced chunk checked present, every listed file checked against the manifest. `--deep`
// also downloads chunks (all, or a deterministic sample) and checks them as restore does.

#include <cstdint>
#include <functional>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include "crypto/crypt_key.h"
#include "datastore/names.h"
#include "remote/remote.h"
#include "thaw/thaw_request.h"
#include "transfer/counters.h"
#include "transfer/request_interface.h"

namespace pbs::check {

struct RemoteVerifyOptions : datastore::NamespaceScope {
  bool deep = false;
  double sample_percent = 100;  // of the referenced chunks, with --deep
  std::uint64_t seed = 0;
  // An encrypted prefix's key: the manifests this tool encrypted are checked to be signed with it,
  // and with --deep their chunks are decrypted and checked to have the name of their plaintext.
  // Without it, encrypted chunks are checked for structure and CRC only.
  std::shared_ptr<const crypto::CryptKey> key;
  // --deep on archived chunks (GLACIER, DEEP_ARCHIVE): asked for and waited for when look_first
  // (--restore-tier and friends); otherwise they are not downloaded, and counted.
  thaw::ThawChoice thaw;
  std::function<bool()> interrupted;
};

struct SnapshotVerdict {
  std::string snapshot;  // ns/a/vm/100/2026-...
  std::vector<std::string> problems;  // missing files, missing or damaged chunks (keys)
};

struct RemoteVerifySummary {
  std::string target;
  std::size_t snapshots = 0;           // complete remote snapshots checked
  std::size_t snapshots_ok = 0;
  std::size_t snapshots_unfinished = 0;  // remote snapshot directories without a manifest
  std::size_t chunks_referenced = 0;
  std::size_t chunks_listed = 0;
  std::size_t chunks_missing = 0;
  std::size_t chunks_downloaded = 0;   // --deep
  std::size_t chunks_bad = 0;
  std::size_t chunks_decrypted = 0;    // --deep with the key: named by their plaintext
  std::size_t chunks_archived = 0;     // --deep: in an archive class, not readable, so not downloaded
  std::optional<thaw::ThawSummary> thaw;  // --deep with --restore-tier: what was asked for
  std::vector<run::ObjectError> errors;   // asking for archived chunks failed
  std::vector<SnapshotVerdict> failed;  // only snapshots with problems
  std::vector<std::string> warnings;    // objects that are not PBS names (left alone)
  transfer::Counters counters;
  double duration = 0;
  bool ok() const { return failed.empty() && chunks_bad == 0 && errors.empty(); }
};

Result<RemoteVerifySummary> run_remote_verify(transfer::RequestInterface& requests, const remote::Remote& remote,
                                              const RemoteVerifyOptions& options);

}  // namespace pbs::check
