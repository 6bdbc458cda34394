// libFuzzer target: the XML S3 answers with (ListObjectsV2 and ListObjectVersions pages, DeleteObjects
// results, versioning and Object Lock configurations, errors).
#include <string_view>

#include "s3/xml.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view xml(reinterpret_cast<const char*>(data), size);
  auto page = pbs::s3::parse_list_page(xml);
  if (page) {
    for (const auto& o : page->objects) {
      if (o.key.empty()) __builtin_trap();  // the parser promises keys
    }
    if (page->truncated && page->next_token.empty()) __builtin_trap();
  }
  if (auto versions = pbs::s3::parse_versions_page(xml)) {
    for (const auto& o : versions->objects) {
      if (o.key.empty() || o.version_id.empty()) __builtin_trap();  // promised for every entry
    }
    if (versions->truncated && versions->next_key_marker.empty()) __builtin_trap();
  }
  (void)pbs::s3::parse_versioning_status(xml);
  (void)pbs::s3::parse_lock_configuration(xml);
  (void)pbs::s3::parse_object_retention(xml);
  (void)pbs::s3::parse_delete_result(xml);
  (void)pbs::s3::parse_error_body(xml);
  return 0;
}
