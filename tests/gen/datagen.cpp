#include "datagen.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "datastore/blob.h"
#include "datastore/datastore.h"
#include "datastore/datastore_writer.h"
#include "datastore/digest_set.h"
#include "datastore/index_file.h"
#include "datastore/manifest.h"
#include "util/crc32.h"
#include "util/endian.h"
#include "util/file_io.h"
#include "util/hex.h"

namespace pbs::testgen {

using namespace pbs::datastore;

namespace {

constexpr std::int64_t kDay = 86400;

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::uint64_t mix(std::uint64_t a, std::uint64_t b) {
  std::uint64_t s = a * 0x9e3779b97f4a7c15ull ^ b;
  return splitmix64(s);
}

// xoshiro256**: fast, deterministic bytes for chunk contents.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) {
    for (auto& w : s_) w = splitmix64(seed);
  }
  std::uint64_t next() {
    std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  std::uint64_t below(std::uint64_t n) { return n ? next() % n : 0; }
  double unit() { return double(next() >> 11) / double(1ull << 53); }
  void fill(std::span<std::uint8_t> out) {
    std::size_t i = 0;
    for (; i + 8 <= out.size(); i += 8) {
      std::uint64_t v = next();
      std::memcpy(out.data() + i, &v, 8);
    }
    std::uint64_t v = next();
    for (; i < out.size(); ++i, v >>= 8) out[i] = std::uint8_t(v);
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

// Chunk contents from a seed: 0 is the all-zero chunk; otherwise about 60% compressible text-like
// data (zstd keeps the compressed form) and 40% random data (the blob stays uncompressed).
std::vector<std::uint8_t> chunk_data(std::uint64_t seed, std::size_t len) {
  std::vector<std::uint8_t> out(len, 0);
  if (seed == 0) return out;
  Rng rng(seed);
  if (seed % 5 < 3) {
    static const char* kWords[] = {"proxmox ", "backup ", "server ", "chunk ", "datastore ",
                                   "vm ", "disk ", "zfs ", "ceph ", "\n", "snapshot ", "index "};
    std::size_t i = 0;
    while (i < len) {
      const char* w = kWords[rng.below(12)];
      for (const char* p = w; *p && i < len; ++p) out[i++] = std::uint8_t(*p);
      if (rng.below(8) == 0 && i < len) out[i++] = std::uint8_t(rng.next());
    }
  } else {
    rng.fill(out);
  }
  return out;
}

std::array<std::uint8_t, 16> make_uuid(Rng& rng) {
  std::array<std::uint8_t, 16> u{};
  rng.fill(u);
  u[6] = (u[6] & 0x0f) | 0x40;
  u[8] = (u[8] & 0x3f) | 0x80;
  return u;
}

// A chunk slot of an archive or disk: what it holds (seed) and how long it is.
struct Slot {
  std::uint64_t seed;
  std::uint64_t len;
};

struct SnapshotFile {
  std::string name;
  std::vector<std::uint8_t> bytes;
  std::string crypt_mode = "none";
};

class Writer {
 public:
  Writer(DatastoreWriter w, std::uint64_t seed) : w_(std::move(w)), rng_(seed) {}

  const DatastoreWriter& store() const { return w_; }
  Rng& rng() { return rng_; }

  void without_chunk_files() { chunk_files_ = false; }

  Result<Digest> put_chunk(std::uint64_t seed, std::uint64_t len, bool encrypted) {
    std::vector<std::uint8_t> blob;
    Digest digest;
    if (!chunk_files_) {
      std::uint64_t id[2] = {seed, len};
      digest = sha256(std::span(reinterpret_cast<const std::uint8_t*>(id), sizeof id));
      sizes_.emplace(digest, len);
      return digest;
    }
    if (encrypted) {
      // Sealed bytes cannot be produced without a key; random "ciphertext" in a valid
      // encrypted-blob frame is what a reader sees of a real one.
      std::vector<std::uint8_t> ct = chunk_data(seed | 1, len);
      Rng r(seed ^ 0xe5);
      blob.resize(kEncryptedBlobHeaderSize + ct.size());
      std::memcpy(blob.data(), kEncrCompressedBlobMagic.data(), 8);
      r.fill(std::span(blob).subspan(12, 32));
      std::memcpy(blob.data() + kEncryptedBlobHeaderSize, ct.data(), ct.size());
      store_le32(blob.data() + 8, crc32(std::span(blob).subspan(kEncryptedBlobHeaderSize)));
      Sha256 h;
      h.update(ct);
      h.update("id_key");
      digest = h.final();
    } else {
      auto data = chunk_data(seed, len);
      digest = sha256(data);
      if (sizes_.count(digest)) return digest;  // skip the encoding too
      blob = encode_blob(data, true);
    }
    if (sizes_.count(digest)) return digest;
    PBS_TRY(w_.write_chunk(digest, blob));
    sizes_[digest] = blob.size();
    return digest;
  }

  Result<IndexFile> fixed_index(const std::vector<Slot>& slots, std::uint64_t size,
                                std::uint64_t chunk_size, std::int64_t ctime, bool encrypted) {
    std::vector<Digest> digests;
    for (const auto& s : slots) {
      PBS_ASSIGN(Digest d, put_chunk(s.seed, s.len, encrypted));
      digests.push_back(d);
    }
    return make_fixed_index(size, chunk_size, std::move(digests), ctime, make_uuid(rng_));
  }

  Result<IndexFile> dynamic_index(const std::vector<Slot>& slots, std::int64_t ctime) {
    std::vector<Digest> digests;
    std::vector<std::uint64_t> ends;
    std::uint64_t end = 0;
    for (const auto& s : slots) {
      PBS_ASSIGN(Digest d, put_chunk(s.seed, s.len, false));
      digests.push_back(d);
      end += s.len;
      ends.push_back(end);
    }
    return make_dynamic_index(std::move(ends), std::move(digests), ctime, make_uuid(rng_));
  }

  // Writes the files, then (when finished) .protected, client.log.blob and the manifest last.
  Status write_snapshot(const SnapshotRef& ref, std::vector<SnapshotFile>& files,
                        nlohmann::ordered_json unprotected, bool finished, bool is_protected,
                        GenStats* stats) {
    Manifest m;
    m.type = ref.group.type;
    m.id = ref.group.id;
    m.time = ref.time;
    m.unprotected = std::move(unprotected);
    std::vector<Digest> referenced;
    for (auto& f : files) {
      PBS_TRY(w_.write_snapshot_file(ref, f.name, f.bytes));
      ManifestFile mf;
      mf.filename = f.name;
      mf.crypt_mode = f.crypt_mode;
      auto kind = snapshot_file_kind(f.name);
      if (kind && is_index_kind(*kind)) {
        PBS_ASSIGN(IndexFile index, parse_index(f.bytes));
        mf.size = index.size;
        mf.csum = index.csum;
        if (stats && finished) {
          stats->logical_bytes += index.size;
          stats->chunk_refs += index.chunk_count();
        }
        referenced.insert(referenced.end(), index.digests.begin(), index.digests.end());
      } else {
        mf.size = f.bytes.size();
        mf.csum = sha256(f.bytes);
      }
      m.files.push_back(std::move(mf));
    }
    if (!finished) return {};
    if (is_protected) PBS_TRY(w_.write_snapshot_file(ref, kProtectedName, {}));
    std::string log;
    for (int i = 0; i < 40; ++i) {
      log += "INFO: " + ref.name() + ": upload line " + std::to_string(i) + "\n";
    }
    PBS_TRY(w_.write_snapshot_file(ref, "client.log.blob", encode_blob(as_bytes(log), true)));
    PBS_TRY(w_.write_snapshot_file(ref, kManifestName, encode_manifest_blob(m)));
    for (const auto& d : referenced) {
      if (referenced_.emplace(d, true).second && stats) {
        stats->unique_chunks += 1;
        stats->unique_chunk_bytes += sizes_.at(d);
      }
    }
    if (stats) stats->snapshots += 1;
    return {};
  }

 private:
  DatastoreWriter w_;
  Rng rng_;
  bool chunk_files_ = true;
  std::unordered_map<Digest, std::uint64_t, DigestHash> sizes_;
  std::unordered_map<Digest, bool, DigestHash> referenced_;
};

std::vector<std::uint8_t> text_blob(const std::string& text) {
  return encode_blob(as_bytes(text), true);
}

// An encrypted blob frame around random bytes, as a client with a key would upload.
std::vector<std::uint8_t> encrypted_blob(std::uint64_t seed, std::size_t len) {
  std::vector<std::uint8_t> blob(kEncryptedBlobHeaderSize + len);
  Rng r(seed);
  r.fill(blob);
  std::memcpy(blob.data(), kEncryptedBlobMagic.data(), 8);
  store_le32(blob.data() + 8, crc32(std::span(blob).subspan(kEncryptedBlobHeaderSize)));
  return blob;
}

void change_slots(std::vector<Slot>& slots, double change, Rng& rng) {
  if (slots.empty() || change <= 0) return;
  auto n = std::max<std::size_t>(1, std::size_t(std::llround(change * double(slots.size()))));
  for (std::size_t i = 0; i < n; ++i) {
    auto& s = slots[rng.below(slots.size())];
    s.seed = rng.next() | 2;  // never 0 (the zero chunk)
  }
}

nlohmann::ordered_json unprotected_for(const IndexFile* any, std::size_t snap_index, Rng& rng) {
  nlohmann::ordered_json u = nlohmann::ordered_json::object();
  u["chunk_upload_stats"] = {{"count", any ? any->chunk_count() : 0},
                             {"size", any ? any->size : 0},
                             {"compressed_size", any ? any->size / 2 : 0},
                             {"duplicates", 0}};
  if (snap_index % 2 == 0) {
    u["verify_state"] = {{"state", "ok"},
                         {"upid", "UPID:pbs:00001234:00005678:00000000:" +
                                      to_hex(std::array<std::uint8_t, 4>{
                                          std::uint8_t(rng.next()), 1, 2, 3}) +
                                      ":verificationjob:store1:root@pam:"}};
  }
  return u;
}

Status write_strays(const std::string& root, Writer& w, Rng& rng) {
  AtomicWriteOptions plain{0644, false, std::nullopt};
  PBS_TRY(write_file_atomic(join_path(root, ".gc-status"),
                            as_bytes(R"({"upid":null,"index-file-count":0,"disk-chunks":0})"),
                            plain));
  PBS_TRY(make_dir(join_path(root, "lost+found"), 0700));
  PBS_TRY(make_dir(join_path(root, ".tmp_move"), 0755));
  PBS_TRY(write_file_atomic(join_path(root, "README"), as_bytes("not part of PBS\n"), plain));
  // A chunk PBS renamed as bad, a temp file of an interrupted insert, and a 0-byte cache marker.
  PBS_ASSIGN(Digest a, w.put_chunk(rng.next() | 2, 1000, false));
  auto chunk = w.store().datastore().chunk_path(a);
  PBS_ASSIGN(auto bytes, read_file(chunk));
  PBS_TRY(write_file_atomic(chunk + ".0.bad", bytes, plain));
  PBS_TRY(write_file_atomic(chunk + ".tmp_Xa9b2c", bytes, plain));
  Digest marker{};
  Rng(rng.next()).fill(marker);
  PBS_TRY(write_file_atomic(w.store().datastore().chunk_path(marker), {}, plain));
  return {};
}

}  // namespace

std::string GenStats::to_json() const {
  nlohmann::ordered_json j;
  j["namespaces"] = namespaces;
  j["groups"] = groups;
  j["snapshots"] = snapshots;
  j["unfinished-snapshots"] = unfinished_snapshots;
  j["unique-chunks"] = unique_chunks;
  j["unique-chunk-bytes"] = unique_chunk_bytes;
  j["logical-bytes"] = logical_bytes;
  j["chunk-refs"] = chunk_refs;
  return j.dump(2);
}

Result<GenStats> generate(const std::string& root, const GenConfig& cfg) {
  PBS_ASSIGN(DatastoreWriter dw, DatastoreWriter::open_or_create(root));
  Writer w(std::move(dw), cfg.seed);
  if (!cfg.chunk_files) w.without_chunk_files();
  Rng rng(mix(cfg.seed, 1));
  GenStats stats;

  std::vector<Namespace> homes{Namespace{}};
  if (cfg.namespaces) {
    homes.push_back(*Namespace::parse("prod"));
    homes.push_back(*Namespace::parse("prod/db"));
    PBS_TRY(w.store().create_namespace(*Namespace::parse("empty")));
    PBS_TRY(w.store().create_namespace(homes[1]));
    PBS_TRY(w.store().create_namespace(homes[2]));
    stats.namespaces = 4;
  } else {
    stats.namespaces = 1;
  }

  struct GroupPlan {
    GroupRef ref;
    bool encrypted = false;
  };
  std::vector<GroupPlan> plans;
  unsigned n = 0;
  auto add = [&](BackupType type, unsigned count, unsigned first_id) {
    for (unsigned i = 0; i < count; ++i, ++n) {
      plans.push_back({GroupRef{homes[n % homes.size()], type, std::to_string(first_id + i)}});
    }
  };
  add(BackupType::vm, cfg.vms, 100);
  add(BackupType::ct, cfg.cts, 200);
  for (unsigned i = 0; i < cfg.hosts; ++i, ++n) {
    plans.push_back({GroupRef{homes[n % homes.size()], BackupType::host,
                              "host-" + std::to_string(i + 1) + ".example.com"}});
  }
  if (cfg.encrypted_group) {
    plans.push_back({GroupRef{homes.back(), BackupType::vm, "900"}, true});
  }
  stats.groups = plans.size();

  const std::uint64_t cs = cfg.fixed_chunk_size;
  const std::uint64_t disk_size = cfg.disk_chunks ? (cfg.disk_chunks - 1) * cs + cs / 2 + 1 : 0;
  auto zero_n = std::size_t(double(cfg.disk_chunks) * cfg.zero_fraction);
  auto shared_n = std::size_t(double(cfg.disk_chunks) * cfg.shared_fraction);

  for (std::size_t gi = 0; gi < plans.size(); ++gi) {
    const auto& plan = plans[gi];
    const GroupRef& g = plan.ref;
    std::string owner = gi % 3 == 2 ? "sync@pbs!offsite\n" : "root@pam\n";
    PBS_TRY(w.store().write_group_file(g, kOwnerName, as_bytes(owner)));
    if (gi == 0) PBS_TRY(w.store().write_group_file(g, kNotesName, as_bytes("Main file server")));

    Rng grng(mix(cfg.seed, 100 + gi));
    std::vector<Slot> disk, meta, payload, catalog;
    if (g.type == BackupType::vm) {
      for (std::size_t i = 0; i < cfg.disk_chunks; ++i) {
        std::uint64_t len = std::min(cs, disk_size - i * cs);
        std::uint64_t seed = grng.next() | 2;
        if (!plan.encrypted && i < shared_n) seed = mix(cfg.seed, 7000 + i) | 2;
        if (!plan.encrypted && i >= cfg.disk_chunks - zero_n) seed = 0;
        disk.push_back({seed, len});
      }
    } else {
      std::uint64_t avg = cfg.dynamic_avg_chunk;
      for (unsigned i = 0; i < cfg.archive_chunks; ++i) {
        payload.push_back({grng.next() | 2, avg / 4 + grng.below(avg * 7 / 4)});
      }
      meta = {{grng.next() | 2, avg / 2 + grng.below(avg)}, {grng.next() | 2, avg / 3}};
      catalog = {{grng.next() | 2, avg / 4 + grng.below(avg / 4)}};
    }

    bool unfinished_extra = cfg.extras && g.type == BackupType::ct && gi == cfg.vms;
    unsigned total = cfg.snapshots + (unfinished_extra ? 1 : 0);
    for (unsigned si = 0; si < total; ++si) {
      SnapshotRef ref{g, cfg.base_time + std::int64_t(si) * kDay + std::int64_t(gi) * 600};
      if (si > 0) {
        change_slots(disk, cfg.change, grng);
        change_slots(payload, cfg.change, grng);
        change_slots(meta, 0.5, grng);
        change_slots(catalog, 1.0, grng);
      }
      std::vector<SnapshotFile> files;
      std::optional<IndexFile> first_index;
      auto add_index = [&](const std::string& name, Result<IndexFile> index,
                           const std::string& crypt) -> Status {
        if (!index) return std::move(index).error();
        PBS_ASSIGN(auto bytes, encode_index(*index));
        if (!first_index) first_index = *index;
        files.push_back({name, std::move(bytes), crypt});
        return {};
      };
      std::string conf = "boot: order=scsi0\ncores: " + std::to_string(2 + gi % 4) +
                         "\nmemory: 4096\nname: guest" + std::to_string(gi) + "\n#snapshot " +
                         std::to_string(si) + "\n";
      if (g.type == BackupType::vm && cfg.disk_chunks > 0) {
        std::string crypt = plan.encrypted ? "encrypt" : "none";
        PBS_TRY(add_index("drive-scsi0.img.fidx",
                          w.fixed_index(disk, disk_size, cs, ref.time, plan.encrypted), crypt));
        if (plan.encrypted) {
          files.push_back({"qemu-server.conf.blob", encrypted_blob(grng.next(), 300), crypt});
        } else {
          files.push_back({"qemu-server.conf.blob", text_blob(conf), "none"});
          if (gi % 2 == 0) files.push_back({"fw.conf.blob", text_blob("[OPTIONS]\nenable: 1\n"), "none"});
        }
      } else if (g.type == BackupType::ct && !payload.empty()) {
        PBS_TRY(add_index("catalog.pcat1.didx", w.dynamic_index(catalog, ref.time), "none"));
        PBS_TRY(add_index("root.mpxar.didx", w.dynamic_index(meta, ref.time), "none"));
        PBS_TRY(add_index("root.ppxar.didx", w.dynamic_index(payload, ref.time), "none"));
        files.push_back({"pct.conf.blob", text_blob(conf), "none"});
      } else if (!payload.empty()) {
        PBS_TRY(add_index("catalog.pcat1.didx", w.dynamic_index(catalog, ref.time), "none"));
        PBS_TRY(add_index("root.pxar.didx", w.dynamic_index(payload, ref.time), "none"));
        PBS_TRY(add_index("etc.pxar.didx", w.dynamic_index(meta, ref.time), "none"));
      }
      std::sort(files.begin(), files.end(),
                [](const SnapshotFile& a, const SnapshotFile& b) { return a.name < b.name; });
      bool finished = si < cfg.snapshots;
      auto unprotected = unprotected_for(first_index ? &*first_index : nullptr, si, grng);
      if (plan.encrypted) unprotected["key-fingerprint"] = "aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99";
      if (gi == 1 && si == 0) unprotected["notes"] = "before upgrade";
      bool is_protected = cfg.extras && gi == 0 && si == 0;
      PBS_TRY(w.write_snapshot(ref, files, std::move(unprotected), finished, is_protected, &stats));
      if (!finished) stats.unfinished_snapshots += 1;
      if (cfg.extras && finished && gi == 0 && si == 0) {
        // Leftovers of interrupted PBS writes inside a finished snapshot.
        std::string dir = w.store().datastore().path(ref.rel_dir());
        AtomicWriteOptions plain{0644, false, std::nullopt};
        PBS_TRY(write_file_atomic(dir + "/drive-scsi0.img.tmp_fidx", as_bytes("partial"), plain));
        PBS_TRY(write_file_atomic(dir + "/index.json.tmp_Ab3dE9", as_bytes("{"), plain));
      }
    }
  }
  if (cfg.extras) PBS_TRY(write_strays(root, w, rng));
  PBS_TRY(w.store().sync());
  return stats;
}

namespace {

struct IndexRef {
  SnapshotRef snapshot;
  std::string name;
  std::string crypt_mode;
};

// Index files of every finished snapshot, in walk order.
Result<std::vector<IndexRef>> finished_indexes(const Datastore& store) {
  std::vector<IndexRef> out;
  WalkVisitor v;
  v.on_group = [&](const GroupRef&, std::vector<SnapshotInfo>&& snaps) -> Status {
    for (const auto& s : snaps) {
      if (!s.finished) continue;
      PBS_ASSIGN(Manifest m, store.read_manifest(s.ref));
      for (const auto& f : m.files) {
        auto kind = snapshot_file_kind(f.filename);
        if (kind && is_index_kind(*kind)) out.push_back({s.ref, f.filename, f.crypt_mode});
      }
    }
    return {};
  };
  PBS_TRY(store.walk({}, {}, v));
  return out;
}

}  // namespace

Result<MutateResult> add_snapshots(const std::string& root, double change, std::uint64_t seed) {
  PBS_ASSIGN(DatastoreWriter dw, DatastoreWriter::open_or_create(root));
  Datastore store = dw.datastore();
  Writer w(std::move(dw), seed);
  Rng rng(mix(seed, 3));
  MutateResult result;
  WalkVisitor v;
  v.on_group = [&](const GroupRef& g, std::vector<SnapshotInfo>&& snaps) -> Status {
    const SnapshotInfo* newest_finished = nullptr;
    for (const auto& s : snaps) {
      if (s.finished) newest_finished = &s;
    }
    if (!newest_finished) return {};
    PBS_ASSIGN(Manifest m, store.read_manifest(newest_finished->ref));
    SnapshotRef ref{g, snaps.back().ref.time + kDay};
    std::vector<SnapshotFile> files;
    std::vector<std::uint8_t> bytes;
    for (const auto& f : m.files) {
      PBS_TRY(store.read_snapshot_file(newest_finished->ref, f.filename, bytes));
      auto kind = snapshot_file_kind(f.filename);
      if (kind && is_index_kind(*kind)) {
        PBS_ASSIGN(IndexFile index, parse_index(bytes));
        bool encrypted = f.crypt_mode == "encrypt";
        auto count = std::max<std::size_t>(
            1, std::size_t(std::llround(change * double(index.chunk_count()))));
        for (std::size_t i = 0; i < count && change > 0; ++i) {
          std::size_t at = rng.below(index.chunk_count());
          PBS_ASSIGN(index.digests[at], w.put_chunk(rng.next() | 2, index.chunk_length(at), encrypted));
        }
        index.ctime = ref.time;
        PBS_ASSIGN(bytes, encode_index(index));
      }
      files.push_back({f.filename, bytes, f.crypt_mode});
    }
    auto unprotected = nlohmann::ordered_json::object();
    PBS_TRY(w.write_snapshot(ref, files, std::move(unprotected), true, false, nullptr));
    result.paths.push_back(ref.rel_dir());
    return {};
  };
  PBS_TRY(store.walk({}, {}, v));
  PBS_TRY(w.store().sync());
  return result;
}

Result<MutateResult> prune(const std::string& root, unsigned keep) {
  PBS_ASSIGN(Datastore store, Datastore::open(root));
  MutateResult result;
  WalkVisitor v;
  v.on_group = [&](const GroupRef&, std::vector<SnapshotInfo>&& snaps) -> Status {
    std::vector<const SnapshotInfo*> finished;
    for (const auto& s : snaps) {
      if (s.finished) finished.push_back(&s);
    }
    for (std::size_t i = 0; i + keep < finished.size(); ++i) {
      if (finished[i]->is_protected) continue;
      std::error_code ec;
      std::filesystem::remove_all(store.path(finished[i]->ref.rel_dir()), ec);
      if (ec) return Error(Errc::io, finished[i]->ref.rel_dir() + ": " + ec.message());
      result.paths.push_back(finished[i]->ref.rel_dir());
    }
    return {};
  };
  PBS_TRY(store.walk({}, {}, v));
  return result;
}

Result<MutateResult> corrupt_chunk(const std::string& root, ChunkDamage damage,
                                   std::uint64_t seed) {
  PBS_ASSIGN(Datastore store, Datastore::open(root));
  PBS_ASSIGN(auto indexes, finished_indexes(store));
  std::vector<Digest> candidates;
  for (const auto& ix : indexes) {
    if (ix.crypt_mode == "encrypt" && damage == ChunkDamage::bad_digest) continue;
    PBS_ASSIGN(IndexFile index, store.read_index(ix.snapshot, ix.name));
    candidates.insert(candidates.end(), index.digests.begin(), index.digests.end());
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  if (candidates.empty()) return Error(Errc::not_found, root + ": no chunk to corrupt");
  const Digest& d = candidates[seed % candidates.size()];
  std::string path = store.chunk_path(d);
  PBS_ASSIGN(auto bytes, read_file(path));
  AtomicWriteOptions plain{0644, false, std::nullopt};
  switch (damage) {
    case ChunkDamage::flip_byte:
      bytes.back() ^= 0x5a;
      PBS_TRY(write_file_atomic(path, bytes, plain));
      break;
    case ChunkDamage::bad_digest: {
      PBS_ASSIGN(auto data, decode_blob(bytes));
      data[data.size() / 2] ^= 0x01;
      PBS_TRY(write_file_atomic(path, encode_blob(data, true), plain));
      break;
    }
    case ChunkDamage::remove:
      if (::unlink(path.c_str()) != 0) return errno_error(errno, "unlink", path);
      break;
    case ChunkDamage::truncate:
      if (::truncate(path.c_str(), 6) != 0) return errno_error(errno, "truncate", path);
      break;
  }
  return MutateResult{{chunk_rel_path(d)}};
}

Result<MutateResult> truncate_index(const std::string& root, std::uint64_t seed) {
  PBS_ASSIGN(Datastore store, Datastore::open(root));
  PBS_ASSIGN(auto indexes, finished_indexes(store));
  if (indexes.empty()) return Error(Errc::not_found, root + ": no index to truncate");
  const auto& ix = indexes[seed % indexes.size()];
  std::string rel = ix.snapshot.rel_dir() + "/" + ix.name;
  PBS_ASSIGN(auto st, stat_path(store.path(rel)));
  if (!st) return Error(Errc::not_found, rel + ": vanished");
  if (::truncate(store.path(rel).c_str(), off_t(st->size / 2)) != 0) {
    return errno_error(errno, "truncate", rel);
  }
  return MutateResult{{rel}};
}

}  // namespace pbs::testgen
