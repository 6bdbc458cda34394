#include "extract/extract_job.h"

#include <chrono>
#include <unordered_set>

#include "crypto/encrypted_blob.h"
#include "datastore/blob.h"
#include "datastore/index_file.h"
#include "datastore/manifest.h"
#include "extract/archive_pick.h"
#include "extract/chunk_content.h"
#include "extract/extract_executor.h"
#include "extract/snapshot_files.h"
#include "remote/chunk_listing.h"
#include "remote/key_layout.h"
#include "remote/listing.h"
#include "transfer/object_store.h"

namespace pbs::extract {

namespace {

using datastore::Manifest;
using datastore::ManifestFile;

// An encrypted archive needs the key that made it: refused before anything is written.
Status check_key(const Manifest& manifest, const ManifestFile& entry, const crypto::CryptKey* key) {
  if (entry.crypt_mode != "encrypt") return {};
  if (!key) {
    return Error(Errc::config, entry.filename + " is encrypted: give its key with --passphrase-file FILE or --keyfile "
                                                "FILE (or PASSPHRASE_FILE / KEYFILE in the STORAGE entry)");
  }
  auto fp = manifest.unprotected.find("key-fingerprint");
  if (fp == manifest.unprotected.end() || !fp->is_string()) return {};
  auto expected = crypto::parse_fingerprint(fp->get<std::string>());
  if (expected && *expected != key->fingerprint()) {
    return Error(Errc::config, entry.filename + " was encrypted with key " + crypto::short_fingerprint(*expected) +
                                   ", the key given is " + crypto::short_fingerprint(key->fingerprint()));
  }
  return {};
}

Status extract_blob(const ManifestFile& entry, std::span<const std::uint8_t> stored, const crypto::CryptKey* key,
                    const ExtractOptions& options, ExtractSummary& summary) {
  auto data = entry.crypt_mode == "encrypt" ? crypto::decode_any_blob(*key, stored) : datastore::decode_blob(stored);
  if (!data) return std::move(data).error().context(entry.filename + ": cannot be decoded");
  summary.size = data->size();
  if (options.dry_run) return {};
  PBS_ASSIGN(ImageOutput out, ImageOutput::open(options.output, data->size(), options.output_options));
  PBS_TRY(out.write_at(0, *data));
  PBS_TRY(out.finish());
  summary.bytes_written = data->size();
  summary.complete = true;
  return {};
}

// --dry-run: what a run would fetch, counted from the index alone.
void count_only(const datastore::IndexFile& index, ExtractSummary& summary, const crypto::CryptKey* naming) {
  std::optional<Digest> zero;
  if (index.kind == datastore::FileKind::fixed_index) zero = zero_chunk_name(index.chunk_size, naming);
  std::unordered_set<Digest, datastore::DigestHash> seen;
  for (const auto& d : index.digests) {
    if (zero && d == *zero) {
      ++summary.zero_chunks;
    } else if (!seen.insert(d).second) {
      ++summary.chunks_repeated;
    }
  }
  summary.notices.push_back("dry run: " + std::to_string(seen.size()) + " chunks would be fetched; nothing was");
}

// The distinct chunks of `index` that are not the all-zero chunk (never fetched), as objects.
std::vector<thaw::ArchivedObject> chunk_objects(const datastore::IndexFile& index, const remote::Remote& remote,
                                                const crypto::CryptKey* naming, const remote::ChunkListing* versions) {
  std::optional<Digest> zero;
  if (index.kind == datastore::FileKind::fixed_index) zero = zero_chunk_name(index.chunk_size, naming);
  std::unordered_set<Digest, datastore::DigestHash> seen;
  std::vector<thaw::ArchivedObject> out;
  for (const auto& d : index.digests) {
    if ((zero && d == *zero) || !seen.insert(d).second) continue;
    std::string version;
    if (versions) {
      if (auto slot = versions->find(d)) version = versions->version(*slot);
    }
    out.push_back({remote.key(remote::chunk_rel_key(d)), 0, version});
  }
  return out;
}

std::string incomplete_notice(const ImageOutput& out) {
  switch (out.kind()) {
    case ImageOutput::Kind::file:
      return out.final_name() + " is not complete: what was written is kept in " + out.where() +
             "; rerun the same command to finish it (what it holds is checked, not fetched again)";
    case ImageOutput::Kind::device:
      return out.where() + " holds an incomplete image: rerun the same command to finish it";
    case ImageOutput::Kind::stream:
      break;
  }
  return "the stream written to " + out.where() + " is incomplete: do not use it";
}

}  // namespace

Result<ExtractSummary> run_extract(transfer::RequestInterface& requests, const remote::Remote& remote,
                                   const ExtractOptions& options) {
  auto t0 = std::chrono::steady_clock::now();
  ExtractSummary summary;
  auto finish = [&](ExtractSummary& s) -> Result<ExtractSummary> {
    s.counters = requests.counters();
    s.duration = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return std::move(s);
  };
  summary.target = remote.url();
  summary.dry_run = options.dry_run;
  summary.output = options.output;
  {
    transfer::ObjectStore store(requests, remote.bucket);
    PBS_TRY(store.head_bucket());
  }
  PBS_ASSIGN(auto snap, open_snapshot(requests, remote, options.ns, options.snapshot));
  summary.snapshot = snap->name();
  const Manifest& manifest = snap->manifest;
  PBS_ASSIGN(const ManifestFile* entry, pick_archive(manifest, options.archive));
  summary.archive = entry->filename;
  summary.encrypted = entry->crypt_mode == "encrypt";
  std::shared_ptr<const crypto::CryptKey> opened = options.key;
  if (summary.encrypted && !opened && options.open_key) {
    PBS_ASSIGN(opened, options.open_key());
  }
  const crypto::CryptKey* key = opened.get();
  PBS_TRY(check_key(manifest, *entry, key));
  auto kind = datastore::snapshot_file_kind(entry->filename);
  PBS_ASSIGN(auto stored, fetch_checked(requests, remote, *snap, *entry));
  if (kind == datastore::FileKind::blob) {
    summary.format = "blob";
    PBS_TRY(extract_blob(*entry, stored, key, options, summary));
  } else {
    auto index = datastore::parse_index(stored);
    if (!index) return std::move(index).error().context(entry->filename + ": damaged remotely");
    std::vector<std::uint8_t>().swap(stored);
    summary.format = index->kind == datastore::FileKind::fixed_index ? "fixed index" : "dynamic index";
    summary.size = index->size;
    summary.chunks = index->chunk_count();
    remote::ChunkListing versions;
    if (remote.as_of) {
      PBS_ASSIGN(versions, remote::ChunkListing::list(requests, remote, {true, false}));
    }
    if (options.thaw.look_first) {
      // Every chunk it needs is looked at (HEAD): an archived one is asked for, and waited for.
      summary.thaw.emplace();
      auto objects = chunk_objects(*index, remote, summary.encrypted ? key : nullptr, remote.as_of ? &versions : nullptr);
      PBS_TRY(thaw::make_readable(requests, remote, std::move(objects), options.thaw, options.dry_run,
                                  options.interrupted, *summary.thaw, summary.errors));
      if (summary.thaw->waiting > 0 && !options.dry_run) {
        summary.asked_only = options.thaw.request_only;
        summary.notices.push_back("nothing written: " + std::to_string(summary.thaw->waiting) +
                                  " chunks are not readable yet; run the same command again once they are");
        return finish(summary);
      }
    }
    if (options.dry_run) {
      count_only(*index, summary, summary.encrypted ? key : nullptr);
    } else {
      PBS_ASSIGN(ImageOutput out, ImageOutput::open(options.output, index->size, options.output_options));
      summary.resumed = out.resuming();
      ExtractExecutor executor(requests, remote, out, summary, options.interrupted);
      executor.run({&*index, key, summary.encrypted, remote.as_of ? &versions : nullptr}, options.on_progress);
      if (!summary.complete) summary.notices.push_back(incomplete_notice(out));
    }
  }
  return finish(summary);
}

}  // namespace pbs::extract
