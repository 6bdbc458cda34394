#pragma once
// What the encrypted view (encrypted_view.h) makes of each local snapshot: encrypted here (plain
// or sign-only snapshots), kept as stored (the backup client encrypted it), or left out (partly
// encrypted, as PBS leaves such snapshots out); whether it is made again in this run; and which
// remote copy's indexes name its chunks.

#include <optional>
#include <string>
#include <vector>

#include "crypto/crypt_key.h"
#include "datastore/datastore.h"
#include "datastore/local_scan.h"
#include "datastore/manifest.h"

namespace pbs::encryption {

enum class Treatment { encrypt, as_stored, partial };
Treatment treatment(const datastore::Manifest& m);

struct ViewEntry {
  const datastore::LocalSnapshot* local = nullptr;
  Treatment how = Treatment::encrypt;
  // The remote snapshot, complete, signed with the key and made from this local manifest (after
  // the view is built: the manifest the view's snapshot has).
  std::optional<datastore::Manifest> remote;
  std::vector<std::uint8_t> remote_blob;
  bool build = false;                 // its files are made in this run
  const ViewEntry* source = nullptr;  // the remote snapshot whose indexes name its chunks
};
// Per group of the scan, its snapshots' entries, oldest first.
using ViewGroups = std::vector<std::vector<ViewEntry>>;

// The entries of a scan; a warning for each snapshot left out.
ViewGroups make_entries(const datastore::LocalScan& scan, std::vector<std::string>& warnings);

// A snapshot is made again unless its remote copy came from it and is what it would be made now
// (its manifest unchanged), or always in a full run. Its chunks are named by the closest older
// remote copy of its group (the one it shares most with), else the newest.
void choose_work(const datastore::Datastore& store, const crypto::CryptKey& key, bool full, ViewGroups& groups);

}  // namespace pbs::encryption
