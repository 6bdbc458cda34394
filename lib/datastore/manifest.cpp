#include "datastore/manifest.h"

#include <set>

#include "datastore/blob.h"
#include "datastore/index_file.h"
#include "util/hex.h"

namespace pbs::datastore {

using ojson = nlohmann::ordered_json;

bool Manifest::encrypted() const {
  for (const auto& f : files) {
    if (f.crypt_mode == "encrypt") return true;
  }
  return false;
}

std::optional<std::string> Manifest::verify_state() const {
  auto it = unprotected.find("verify_state");
  if (it == unprotected.end() || !it->is_object()) return std::nullopt;
  auto st = it->find("state");
  if (st == it->end() || !st->is_string()) return std::nullopt;
  return st->get<std::string>();
}

const ManifestFile* Manifest::find(std::string_view filename) const {
  for (const auto& f : files) {
    if (f.filename == filename) return &f;
  }
  return nullptr;
}

namespace {
Error bad(std::string what) { return Error(Errc::corrupt, "manifest: " + std::move(what)); }
}  // namespace

Result<Manifest> parse_manifest_json(std::string_view text) {
  ojson doc = ojson::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return bad("not valid JSON");
  if (!doc.is_object()) return bad("not a JSON object");
  Manifest m;

  auto type = doc.find("backup-type");
  if (type == doc.end() || !type->is_string()) return bad("missing backup-type");
  auto parsed_type = parse_backup_type(type->get<std::string>());
  if (!parsed_type) return bad("backup-type '" + type->get<std::string>() + "' is not vm, ct or host");
  m.type = *parsed_type;

  auto id = doc.find("backup-id");
  if (id == doc.end() || !id->is_string() || !is_safe_id(id->get<std::string>())) {
    return bad("missing or invalid backup-id");
  }
  m.id = id->get<std::string>();

  auto time = doc.find("backup-time");
  if (time == doc.end() || !time->is_number_integer()) return bad("missing backup-time");
  m.time = time->get<std::int64_t>();

  auto files = doc.find("files");
  if (files == doc.end() || !files->is_array()) return bad("missing files list");
  std::set<std::string> seen;
  for (const auto& f : *files) {
    if (!f.is_object()) return bad("files entry is not an object");
    ManifestFile mf;
    auto name = f.find("filename");
    if (name == f.end() || !name->is_string()) return bad("files entry without filename");
    mf.filename = name->get<std::string>();
    auto kind = snapshot_file_kind(mf.filename);
    if (!kind || *kind == FileKind::protected_marker || mf.filename == kManifestName ||
        mf.filename.starts_with('.')) {
      return bad("file name '" + mf.filename + "' is not an index or blob name");
    }
    if (!seen.insert(mf.filename).second) return bad("file '" + mf.filename + "' listed twice");
    if (auto cm = f.find("crypt-mode"); cm != f.end()) {
      if (!cm->is_string()) return bad("crypt-mode of '" + mf.filename + "' is not a string");
      mf.crypt_mode = cm->get<std::string>();
      if (mf.crypt_mode != "none" && mf.crypt_mode != "encrypt" && mf.crypt_mode != "sign-only") {
        return bad("crypt-mode of '" + mf.filename + "' is '" + mf.crypt_mode + "'");
      }
    }
    auto size = f.find("size");
    if (size == f.end() || !size->is_number_unsigned()) {
      if (size == f.end() || !size->is_number_integer() || size->get<std::int64_t>() < 0) {
        return bad("size of '" + mf.filename + "' is missing or negative");
      }
    }
    mf.size = size->get<std::uint64_t>();
    auto csum = f.find("csum");
    if (csum == f.end() || !csum->is_string() ||
        !parse_digest(csum->get<std::string>(), mf.csum)) {
      return bad("csum of '" + mf.filename + "' is not 64 hex digits");
    }
    m.files.push_back(std::move(mf));
  }
  if (auto u = doc.find("unprotected"); u != doc.end() && !u->is_null()) {
    if (!u->is_object()) return bad("unprotected is not an object");
    m.unprotected = *u;
  }
  if (auto s = doc.find("signature"); s != doc.end() && !s->is_null()) {
    if (!s->is_string()) return bad("signature is not a string");
    m.signature = s->get<std::string>();
  }
  return m;
}

Result<Manifest> parse_manifest_blob(std::span<const std::uint8_t> blob) {
  auto data = decode_blob(blob, kMaxBlobSize);
  if (!data) return Error(data.error().code(), "manifest: " + data.error().message());
  return parse_manifest_json(
      std::string_view(reinterpret_cast<const char*>(data->data()), data->size()));
}

std::string manifest_to_json(const Manifest& m) {
  ojson doc = ojson::object();
  doc["backup-type"] = std::string(type_name(m.type));
  doc["backup-id"] = m.id;
  doc["backup-time"] = m.time;
  ojson files = ojson::array();
  for (const auto& f : m.files) {
    ojson e = ojson::object();
    e["filename"] = f.filename;
    e["crypt-mode"] = f.crypt_mode;
    e["size"] = f.size;
    e["csum"] = digest_hex(f.csum);
    files.push_back(std::move(e));
  }
  doc["files"] = std::move(files);
  doc["unprotected"] = m.unprotected;
  doc["signature"] = m.signature ? ojson(*m.signature) : ojson(nullptr);
  return doc.dump(2);
}

std::vector<std::uint8_t> encode_manifest_blob(const Manifest& m) {
  return encode_blob(as_bytes(manifest_to_json(m)), true);
}

Status check_manifest_file(const ManifestFile& entry, std::span<const std::uint8_t> bytes) {
  auto kind = snapshot_file_kind(entry.filename);
  std::uint64_t size = 0;
  Digest csum{};
  if (kind && is_index_kind(*kind)) {
    PBS_ASSIGN(IndexFile index, parse_index(bytes));
    if (index.kind != *kind) {
      return Error(Errc::corrupt, "file content is not the index type its name says");
    }
    size = index.size;
    csum = index.csum;
  } else {
    PBS_TRY(check_blob(bytes));
    size = bytes.size();
    csum = sha256(bytes);
  }
  if (size != entry.size) {
    return Error(Errc::checksum, "size is " + std::to_string(size) + ", manifest says " +
                                     std::to_string(entry.size));
  }
  if (csum != entry.csum) {
    return Error(Errc::checksum, "checksum is " + digest_hex(csum) + ", manifest says " +
                                     digest_hex(entry.csum));
  }
  return {};
}

}  // namespace pbs::datastore
