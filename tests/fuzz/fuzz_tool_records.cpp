// libFuzzer target: this tool's own records read back from the bucket (gc-state, the prefix's
// source record, the retention record, the encryption record, the sealed manifests) and control bytes made printable.
// A bucket is untrusted: anything may be there.
#include <string_view>

#include "records/encryption_record.h"
#include "records/gc_state.h"
#include "records/retention_record.h"
#include "records/sealed_manifests.h"
#include "records/source_record.h"
#include "report/printable.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pbs::records;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto gc = parse_gc_state(text)) {
    auto again = parse_gc_state(format_gc_state(*gc));
    if (!again || again->lease_expires != gc->lease_expires || again->host != gc->host) __builtin_trap();
  }
  if (auto source = parse_source_record(text)) {
    auto again = parse_source_record(format_source_record(*source));
    if (!again || !again->same_source(*source) || again->since != source->since) __builtin_trap();
  }
  if (auto retention = parse_retention_record(text)) {
    auto again = parse_retention_record(format_retention_record(*retention));
    if (!again || again->covered_until != retention->covered_until || again->mode != retention->mode ||
        again->days != retention->days) {
      __builtin_trap();
    }
  }
  if (auto enc = parse_encryption_record(text)) {
    auto again = parse_encryption_record(format_encryption_record(*enc));
    if (!again || again->fingerprint != enc->fingerprint || again->key_file.has_value() != enc->key_file.has_value()) {
      __builtin_trap();
    }
  }
  if (auto sealed = parse_sealed_manifests(text)) {
    auto again = parse_sealed_manifests(format_sealed_manifests(*sealed));
    if (!again || *again != *sealed) __builtin_trap();
  }
  for (char c : pbs::printable(text)) {
    if (static_cast<unsigned char>(c) < 0x20) __builtin_trap();
  }
  return 0;
}
