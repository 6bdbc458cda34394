#pragma once
// What the gc, verify, retention and point-in-time tests set up in the in-memory bucket besides a
// synced datastore (executor_rig.h): chunk objects no snapshot references, the files of one
// remote snapshot, a clock that does not cross a second during a run.

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "executor_rig.h"

namespace pbs::test {

// The key (relative to the prefix) of a chunk no snapshot references, the n-th of its kind.
std::string stray_chunk_rel(unsigned n);
// Puts it into the bucket (as a version with that time in a versioned bucket) and returns its key.
std::string put_stray_chunk(ExecutorRig& rig, unsigned n, std::int64_t modified);

// Every chunk key (relative) in the bucket now.
std::set<std::string> remote_chunk_keys(const ExecutorRig& rig);
// The keys (relative) of the files of the snapshot whose manifest is `manifest_rel`.
std::vector<std::string> snapshot_files(const ExecutorRig& rig, const std::string& manifest_rel);
// A manifest whose snapshot alone references some chunks, and those chunks (relative keys).
std::pair<std::string, std::set<std::string>> snapshot_with_own_chunks(ExecutorRig& rig);

// Moves the virtual clock to the middle of a second, so that the few requests of a run stay
// inside it and "now" is one exact second.
void mid_second(FakeS3& s3);

std::string text_of(const std::vector<std::uint8_t>& bytes);

}  // namespace pbs::test
