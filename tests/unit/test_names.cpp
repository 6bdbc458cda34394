#include "datastore/names.h"
#include "test_support.h"

using namespace pbs::datastore;

TEST_CASE("backup times parse and format in PBS's canonical form", "[names]") {
  auto t = parse_backup_time("2025-07-14T14:20:02Z");
  REQUIRE(t);
  CHECK(*t == 1752502802);
  CHECK(format_backup_time(1752502802) == "2025-07-14T14:20:02Z");
  CHECK(format_backup_time(0) == "1970-01-01T00:00:00Z");
  CHECK(parse_backup_time("2024-02-29T23:59:59Z").value() == 1709251199);
  CHECK(format_backup_time(1709251199) == "2024-02-29T23:59:59Z");
  // Only the canonical form names a snapshot: no fraction, offset, leap second or lower case.
  for (const char* bad : {"2025-07-14T14:20:02", "2025-07-14 14:20:02Z", "2025-02-30T00:00:00Z",
                          "2025-07-14T24:00:00Z", "2025-7-14T14:20:02Z", "../../etc/passwd",
                          "", "2025-07-14T14:20:02Z/", "2025-07-14T14:20:02+00:00", "2023-02-29T00:00:00Z",
                          "2025-07-14T14:20:02.000Z", "2025-07-14T14:20:60Z", "2025-07-14t14:20:02z"}) {
    INFO(bad);
    auto r = parse_backup_time(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == pbs::Errc::invalid_argument);
  }
}

TEST_CASE("ids follow SAFE_ID", "[names]") {
  CHECK(is_safe_id("100"));
  CHECK(is_safe_id("host-1.example.com"));
  CHECK(is_safe_id("_a"));
  CHECK_FALSE(is_safe_id(""));
  CHECK_FALSE(is_safe_id(".hidden"));
  CHECK_FALSE(is_safe_id("-x"));
  CHECK_FALSE(is_safe_id("a/b"));
  CHECK_FALSE(is_safe_id(".."));
  CHECK_FALSE(is_safe_id("a b"));
}

TEST_CASE("namespaces: components, depth and length limits, on-disk path", "[names]") {
  auto ns = Namespace::parse("a/b/c");
  REQUIRE(ns);
  CHECK(ns->depth() == 3);
  CHECK(ns->name() == "a/b/c");
  CHECK(ns->rel_dir() == "ns/a/ns/b/ns/c");
  CHECK(Namespace::parse("")->is_root());
  CHECK(Namespace::parse("")->rel_dir().empty());
  CHECK(Namespace::parse("1/2/3/4/5/6/7"));
  CHECK_FALSE(Namespace::parse("1/2/3/4/5/6/7/8"));
  CHECK_FALSE(Namespace::parse("a//b"));
  CHECK_FALSE(Namespace::parse("a/../b"));
  CHECK_FALSE(Namespace::parse("/a"));
  CHECK_FALSE(Namespace::parse(std::string(257, 'a')));
  CHECK(ns->is_within(*Namespace::parse("a")));
  CHECK_FALSE(Namespace::parse("ab")->is_within(*Namespace::parse("a")));
}

TEST_CASE("groups and snapshots parse from their text form", "[names]") {
  Namespace root;
  auto g = parse_group(root, "vm/100");
  REQUIRE(g);
  CHECK(g->type == BackupType::vm);
  CHECK(g->rel_dir() == "vm/100");
  CHECK_FALSE(parse_group(root, "vx/100"));
  CHECK_FALSE(parse_group(root, "vm/../x"));
  CHECK_FALSE(parse_group(root, "vm"));
  auto s = parse_snapshot(*Namespace::parse("a"), "ct/200/2026-11-01T02:00:00Z");
  REQUIRE(s);
  CHECK(s->rel_dir() == "ns/a/ct/200/2026-11-01T02:00:00Z");
  CHECK(s->name() == "ct/200/2026-11-01T02:00:00Z");
  CHECK_FALSE(parse_snapshot(root, "ct/200/yesterday"));
}

TEST_CASE("snapshot file names follow PBS's listing regex", "[names]") {
  CHECK(snapshot_file_kind("drive-scsi0.img.fidx") == FileKind::fixed_index);
  CHECK(snapshot_file_kind("root.pxar.didx") == FileKind::dynamic_index);
  CHECK(snapshot_file_kind("index.json.blob") == FileKind::blob);
  CHECK(snapshot_file_kind(".protected") == FileKind::protected_marker);
  CHECK_FALSE(snapshot_file_kind("drive-scsi0.img.tmp_fidx"));
  CHECK_FALSE(snapshot_file_kind("index.json.tmp_Ab3dE9"));
  CHECK_FALSE(snapshot_file_kind("owner"));
  CHECK_FALSE(snapshot_file_kind("a/b.blob"));
  CHECK(is_chunk_file_name("bb9f8df61474d25e71fa00722318cd387396ca1736605e1248821cc0de3d3af8"));
  CHECK_FALSE(is_chunk_file_name("bb9f8df61474d25e71fa00722318cd387396ca1736605e1248821cc0de3d3af8.0.bad"));
  CHECK_FALSE(is_chunk_file_name("BB9F8DF61474D25E71FA00722318CD387396CA1736605E1248821CC0DE3D3AF8"));
}
