#pragma once
// Deep check of a local datastore (`pbs-s3sync verify DATASTORE`): every finished snapshot's
// manifest, each listed file's size and checksum, each index's header checksum, and every
// referenced chunk present and valid (blob CRC; SHA-256 of the data for unencrypted chunks).

#include <optional>
#include <string>
#include <vector>

#include "datastore/datastore.h"

namespace pbs::datastore {

struct VerifyProblem {
  std::string path;     // the file that is wrong or missing
  std::string message;  // what is wrong with it
  std::vector<std::string> snapshots;  // snapshots affected (for chunks)
};

struct LocalVerifyReport {
  std::size_t snapshots = 0;
  std::size_t snapshots_ok = 0;
  std::size_t chunks = 0;
  std::size_t chunks_bad = 0;
  std::uint64_t chunk_bytes = 0;
  std::vector<VerifyProblem> problems;
  bool ok() const { return problems.empty(); }
};

struct LocalVerifyOptions : NamespaceScope {
  unsigned threads = 0;  // 0: one per core
};

Result<LocalVerifyReport> verify_datastore(const Datastore& store,
                                           const LocalVerifyOptions& options = {});

}  // namespace pbs::datastore
