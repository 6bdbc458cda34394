#pragma once
// Writes a datastore the way PBS does, so that PBS accepts it (ChunkStore::create and
// verify_chunkstore in pbs-datastore/src/chunk_store.rs check these): root 0755, .chunks and its
// 65536 subdirectories 0750, .lock 0644, files 0644, directories 0755, owned by backup:backup
// when we run as root and that user exists. Every file is written atomically (temp + rename);
// names are validated before they become paths; indexes and blobs are checked before they land.
// Ordering (chunks, then indexes and blobs, then the manifest) is the caller's job; the writer
// makes the manifest write durable with a filesystem sync first.

#include <optional>
#include <span>
#include <string>

#include "datastore/datastore.h"
#include "datastore/names.h"
#include "util/file_io.h"
#include "util/result.h"
#include "util/sha256.h"

namespace pbs::datastore {

// A shared fcntl lock on <root>/.lock (PBS's ProcessLocker): while it is held, PBS garbage
// collection, which wants the lock exclusively, cannot start and sweep chunks not yet referenced.
class DatastoreLock {
 public:
  DatastoreLock() = default;
  explicit DatastoreLock(UniqueFd fd) : fd_(std::move(fd)) {}
  bool held() const { return bool(fd_); }

 private:
  UniqueFd fd_;  // closing the descriptor releases the lock
};

// What a restore needs of the datastore it writes into: the narrow edge at which tests put a disk
// that fills up or turns read-only.
class WriterInterface {
 public:
  virtual ~WriterInterface() = default;
  virtual const Datastore& datastore() const = 0;
  // True when a chunk file of non-zero size exists (0-byte files are S3 cache markers).
  virtual Result<bool> has_chunk(const Digest& digest) const = 0;
  // Atomic, without fsync: call sync() before writing anything that references chunks durably.
  virtual Status write_chunk(const Digest& digest, std::span<const std::uint8_t> blob) const = 0;
  // owner or notes of a group.
  virtual Status write_group_file(const GroupRef& group, std::string_view name,
                                  std::span<const std::uint8_t> bytes) const = 0;
  // Index, blob or .protected file of a snapshot. Index bytes must parse, blob bytes must pass
  // their CRC check; the manifest is written with fsync, after a filesystem sync so everything it
  // names is on disk first (`synced`: the caller has just called sync() itself).
  virtual Status write_snapshot_file(const SnapshotRef& snapshot, std::string_view name,
                                     std::span<const std::uint8_t> bytes, bool synced = false) const = 0;
  // Flushes everything written so far to disk (one syncfs).
  virtual Status sync() const = 0;
};

class DatastoreWriter final : public WriterInterface {
 public:
  // Creates the datastore layout when `root` is absent or empty; otherwise it must already be a
  // datastore (missing chunk directories are re-created).
  static Result<DatastoreWriter> open_or_create(const std::string& root);

  const Datastore& datastore() const override { return store_; }
  const std::optional<FileOwner>& owner() const { return owner_; }

  Result<DatastoreLock> lock_shared() const;

  Result<bool> has_chunk(const Digest& digest) const override;
  Status write_chunk(const Digest& digest, std::span<const std::uint8_t> blob) const override;
  Status create_namespace(const Namespace& ns) const;
  Status write_group_file(const GroupRef& group, std::string_view name,
                          std::span<const std::uint8_t> bytes) const override;
  Status write_snapshot_file(const SnapshotRef& snapshot, std::string_view name,
                             std::span<const std::uint8_t> bytes, bool synced = false) const override;
  Status sync() const override;

 private:
  DatastoreWriter(Datastore store, std::optional<FileOwner> owner)
      : store_(std::move(store)), owner_(owner) {}
  Status ensure_dir(const std::string& rel) const;

  Datastore store_;
  std::optional<FileOwner> owner_;
};

// backup:backup when running as root and the user exists, else nothing (keep our own ids).
std::optional<FileOwner> pbs_file_owner();

}  // namespace pbs::datastore
