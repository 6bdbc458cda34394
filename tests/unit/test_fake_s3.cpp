// The in-memory bucket itself (fake_s3.h): versions, delete markers, listings, Object Lock
// retention, DeleteObjects' per-key answers and the engine's size limit, each answered as
// radosgw 16 (or AWS, where the flavor says) answers it. The other tests stand on these.
#include <algorithm>

#include "fake_s3.h"
#include "s3/http_date.h"
#include "s3/xml.h"
#include "test_support.h"
#include "util/calendar.h"

using namespace pbs;
using namespace pbs::test;

namespace {

s3::Bytes shared_bytes(std::string_view text) { return std::make_shared<const std::vector<std::uint8_t>>(text.begin(), text.end()); }
std::vector<std::uint8_t> raw(std::string_view text) { return {text.begin(), text.end()}; }
std::string text_of(const FakeS3::Object& o) { return {o.body.begin(), o.body.end()}; }

s3::Response put(FakeS3& s3, const std::string& key, std::string_view text, const s3::PutOptions& o = {}) {
  return must(s3.execute(s3::put_object("bucket", key, shared_bytes(text), o)));
}

Result<s3::Response> get(FakeS3& s3, const std::string& key, const std::string& version = "") {
  return s3.execute(s3::on_version(s3::get_object("bucket", key), version));
}

Result<s3::Response> head(FakeS3& s3, const std::string& key, const std::string& version = "") {
  return s3.execute(s3::on_version(s3::head_object("bucket", key), version));
}

s3::Response remove(FakeS3& s3, const std::string& key, const std::string& version = "") {
  return must(s3.execute(s3::on_version(s3::delete_object("bucket", key), version)));
}

s3::ListOptions options(std::string prefix, std::string delimiter = "", unsigned max_keys = 0, bool versions = false) {
  s3::ListOptions o;
  o.prefix = std::move(prefix);
  o.delimiter = std::move(delimiter);
  o.max_keys = max_keys;
  o.versions = versions;
  return o;
}

s3::ListOptions resumed(s3::ListOptions o, std::string token, std::string start_after, std::string key_marker = "") {
  o.continuation_token = std::move(token);
  o.start_after = std::move(start_after);
  o.key_marker = std::move(key_marker);
  return o;
}

s3::ListPage list(FakeS3& s3, s3::ListOptions o) {
  auto r = must(s3.execute(s3::list_objects("bucket", o)));
  return must(o.versions ? s3::parse_versions_page(r.body_text()) : s3::parse_list_page(r.body_text()));
}

std::vector<std::string> keys_of(const std::vector<s3::ObjectInfo>& objects) {
  std::vector<std::string> out;
  for (const auto& o : objects) out.push_back(o.key);
  return out;
}
std::vector<std::string> keys_of(const s3::ListPage& page) { return keys_of(page.objects); }

// Every page of a listing, following its markers, as the object store does.
std::vector<s3::ObjectInfo> list_all(FakeS3& s3, s3::ListOptions o, std::vector<std::string>* prefixes = nullptr,
                                     std::size_t* pages = nullptr) {
  std::vector<s3::ObjectInfo> out;
  for (int i = 0; i < 1000; ++i) {
    auto page = list(s3, o);
    if (pages) ++*pages;
    out.insert(out.end(), page.objects.begin(), page.objects.end());
    if (prefixes) prefixes->insert(prefixes->end(), page.common_prefixes.begin(), page.common_prefixes.end());
    if (!page.truncated) return out;
    o.continuation_token = page.next_token;
    o.key_marker = page.next_key_marker;
    o.version_id_marker = page.next_version_id_marker;
  }
  FAIL("the listing never ends");
  return out;
}

s3::Retention until(FakeS3& s3, const std::string& mode, std::int64_t days) {
  return {mode, s3.now_epoch() + days * 86400};
}

}  // namespace

TEST_CASE("fake S3: a PUT in a versioned bucket stores a new version and answers its id and the quoted MD5 ETag",
          "[fake]") {
  FakeS3 s3;
  s3.versioning = "Enabled";
  auto first = put(s3, "k", "one");
  auto second = put(s3, "k", "two");
  REQUIRE(first.header("x-amz-version-id"));
  REQUIRE(second.header("x-amz-version-id"));
  CHECK(first.header("x-amz-version-id") != second.header("x-amz-version-id"));
  CHECK(first.header("x-amz-version-id")->size() == 32);
  CHECK(second.header("etag") == "\"b8a9f715dbb64fd5c56e7783c6820a61\"");  // md5("two")
  CHECK(second.header("date"));
  auto v = s3.versions("k");
  REQUIRE(v.size() == 2);
  CHECK(text_of(v[0]) == "two");
  CHECK(text_of(v[1]) == "one");
  CHECK(text_of(s3.objects.at("k")) == "two");
  auto plain = FakeS3();
  CHECK_FALSE(put(plain, "k", "one").header("x-amz-version-id"));
}

TEST_CASE("fake S3: a DELETE without a version id adds a delete marker and answers 204 with x-amz-delete-marker",
          "[fake]") {
  FakeS3 s3;
  s3.versioning = "Enabled";
  put(s3, "k", "one");
  auto r = remove(s3, "k");
  CHECK(r.status == 204);
  CHECK(r.header("x-amz-delete-marker") == "true");
  REQUIRE(r.header("x-amz-version-id"));
  auto v = s3.versions("k");
  REQUIRE(v.size() == 2);
  CHECK(v[0].delete_marker);
  CHECK(v[0].version_id == *r.header("x-amz-version-id"));
  CHECK(text_of(v[1]) == "one");
  CHECK(s3.objects.count("k") == 0);
  CHECK(s3.versioned_keys() == std::vector<std::string>{"k"});
}

TEST_CASE("fake S3: GET and HEAD of a key hidden by a delete marker answer 404 NoSuchKey with x-amz-delete-marker",
          "[fake]") {
  FakeS3 s3;
  s3.versioning = "Enabled";
  put(s3, "k", "one");
  std::string marker = *remove(s3, "k").header("x-amz-version-id");
  auto g = get(s3, "k");
  REQUIRE(g);
  CHECK(g->status == 404);
  CHECK(s3::parse_error_body(g->body_text())->code == "NoSuchKey");
  CHECK(g->header("x-amz-delete-marker") == "true");
  CHECK(g->header("x-amz-version-id") == marker);
  auto h = head(s3, "k");
  REQUIRE(h);
  CHECK(h->status == 404);
  CHECK(h->body.empty());  // a HEAD answer has no body
  CHECK(h->header("x-amz-delete-marker") == "true");
}

TEST_CASE("fake S3: GET by version id returns that version, and of a delete marker answers 405 MethodNotAllowed",
          "[fake]") {
  FakeS3 s3;
  s3.versioning = "Enabled";
  std::string v1 = *put(s3, "k", "one").header("x-amz-version-id");
  put(s3, "k", "two");
  std::string marker = *remove(s3, "k").header("x-amz-version-id");
  auto old = get(s3, "k", v1);
  REQUIRE(old);
  CHECK(old->status == 200);
  CHECK(old->body_text() == "one");
  CHECK(old->header("x-amz-version-id") == v1);
  CHECK(head(s3, "k", v1)->header("content-length") == "3");
  auto m = get(s3, "k", marker);
  REQUIRE_FALSE(m);  // 405 is no answer GetObject accepts
  CHECK(m.error().message().find("HTTP 405 MethodNotAllowed") != std::string::npos);
  auto gone = get(s3, "k", "no-such-version");
  REQUIRE(gone);
  CHECK(gone->status == 404);
  CHECK(s3::parse_error_body(gone->body_text())->code == "NoSuchVersion");
}

TEST_CASE("fake S3: DELETE by version id removes that version or marker, and the newest left is current", "[fake]") {
  FakeS3 s3;
  s3.versioning = "Enabled";
  std::string v1 = *put(s3, "k", "one").header("x-amz-version-id");
  std::string v2 = *put(s3, "k", "two").header("x-amz-version-id");
  std::string marker = *remove(s3, "k").header("x-amz-version-id");
  auto r = remove(s3, "k", marker);
  CHECK(r.status == 204);
  CHECK(r.header("x-amz-delete-marker") == "true");  // what was deleted was a marker
  CHECK(r.header("x-amz-version-id") == marker);
  CHECK(get(s3, "k")->body_text() == "two");
  auto plain = remove(s3, "k", v2);
  CHECK_FALSE(plain.header("x-amz-delete-marker"));
  CHECK(get(s3, "k")->body_text() == "one");
  CHECK(s3.objects.at("k").version_id == v1);
  remove(s3, "k", v1);
  CHECK(s3.versioned_keys().empty());
  CHECK(remove(s3, "k", "never-was").status == 204);  // S3 counts a missing version as deleted
}

TEST_CASE("fake S3: If-None-Match is ignored in a versioned bucket on radosgw, 412 in a plain bucket and on AWS",
          "[fake]") {
  s3::PutOptions once;
  once.if_none_match = true;
  FakeS3 plain;
  put(plain, "k", "one");
  CHECK(put(plain, "k", "two", once).status == 412);
  CHECK(text_of(plain.objects.at("k")) == "one");

  FakeS3 rgw;
  rgw.versioning = "Enabled";
  put(rgw, "k", "one");
  CHECK(put(rgw, "k", "two", once).status == 200);
  CHECK(rgw.versions("k").size() == 2);

  FakeS3 aws;
  aws.versioning = "Enabled";
  aws.flavor = FakeS3::Flavor::aws;
  put(aws, "k", "one");
  CHECK(put(aws, "k", "two", once).status == 412);
  remove(aws, "k");
  CHECK(put(aws, "k", "three", once).status == 200);  // a delete marker is no object
  CHECK(aws.versions("k").size() == 3);
}

TEST_CASE("fake S3: ListObjectsV2 lists only current versions that are not delete markers", "[fake]") {
  FakeS3 s3;
  s3.versioning = "Enabled";
  put(s3, "a", "1");
  put(s3, "a", "22");
  put(s3, "b", "1");
  remove(s3, "b");
  put(s3, "c", "333");
  auto page = list(s3, {});
  CHECK(keys_of(page) == std::vector<std::string>{"a", "c"});
  CHECK(page.objects[0].size == 2);
  CHECK(page.objects[0].etag == "b6d767d2f8ed5d21a44b0e5886680cb9");  // md5("22")
  CHECK(page.objects[0].last_modified == s3.now_epoch());
  CHECK_FALSE(page.truncated);
}

TEST_CASE("fake S3: ListObjectVersions gives versions and markers newest first within a key, keys in order",
          "[fake]") {
  FakeS3 s3;
  s3.versioning = "Enabled";
  s3.put_version("b", raw("b1"), 100);
  s3.put_version("a", raw("a1"), 100);
  s3.add_delete_marker("a", 200);
  s3.put_version("a", raw("a2"), 300);
  auto v = list(s3, options("", "", 0, true)).objects;
  REQUIRE(v.size() == 4);
  CHECK(v[0].key == "a");
  CHECK(v[0].size == 2);
  CHECK(v[0].latest);
  CHECK(v[0].last_modified == 300);
  CHECK(v[1].delete_marker);
  CHECK_FALSE(v[1].latest);
  CHECK(v[2].last_modified == 100);
  CHECK(v[2].etag == "8a8bb7cd343aa2ad99b7d762030857a2");  // md5("a1")
  CHECK(v[3].key == "b");
  CHECK(v[3].latest);
  for (const auto& o : v) CHECK(o.version_id.size() == 32);
}

TEST_CASE("fake S3: ListObjectVersions pages by key and version id markers, a key's versions across pages", "[fake]") {
  FakeS3 s3;
  s3.versioning = "Enabled";
  for (int i = 0; i < 5; ++i) s3.put_version("a", raw("a" + std::to_string(i)), 100 + i);
  s3.add_delete_marker("b", 100);
  for (int i = 0; i < 3; ++i) s3.put_version("c", raw("c" + std::to_string(i)), 100 + i);
  auto first = list(s3, options("", "", 3, true));
  CHECK(first.truncated);
  CHECK(first.next_key_marker == "a");
  CHECK(first.next_version_id_marker == first.objects.back().version_id);
  std::size_t pages = 0;
  auto all = list_all(s3, options("", "", 3, true), nullptr, &pages);
  CHECK(pages == 3);
  REQUIRE(all.size() == 9);
  std::vector<std::int64_t> a_times;
  for (const auto& o : all) {
    if (o.key == "a") a_times.push_back(o.last_modified);
  }
  CHECK(a_times == std::vector<std::int64_t>{104, 103, 102, 101, 100});
  CHECK(all[5].key == "b");
  CHECK(all[5].delete_marker);
  CHECK(all[8].key == "c");
  CHECK(all[8].last_modified == 100);
  auto after_a = list(s3, resumed(options("", "", 0, true), "", "", "a"));
  CHECK(after_a.objects.front().key == "b");  // a key marker alone skips all of that key
}

TEST_CASE("fake S3: a delimiter rolls keys up into CommonPrefixes in both listings, and pages resume past them",
          "[fake]") {
  FakeS3 s3;
  s3.versioning = "Enabled";
  for (std::string k : {"d/x/1", "d/x/2", "d/y/1", "d/z", "d/zz/1", "e"}) put(s3, k, "v");
  remove(s3, "d/y/1");
  std::vector<std::string> prefixes;
  auto objects = list_all(s3, options("d/", "/", 1), &prefixes);
  CHECK(keys_of(objects) == std::vector<std::string>{"d/z"});
  CHECK(prefixes == std::vector<std::string>{"d/x/", "d/zz/"});  // d/y/ holds only a marker
  prefixes.clear();
  auto versions = list_all(s3, options("d/", "/", 1, true), &prefixes);
  CHECK(keys_of(versions) == std::vector<std::string>{"d/z"});
  CHECK(prefixes == std::vector<std::string>{"d/x/", "d/y/", "d/zz/"});
}

TEST_CASE("fake S3: max-keys is capped at 1000, and start-after and continuation tokens resume the listing", "[fake]") {
  FakeS3 s3;
  for (int i = 0; i < 1205; ++i) {
    char key[16];
    std::snprintf(key, sizeof key, "k%05d", i);
    s3.put(key, raw("x"));
  }
  auto page = list(s3, options("", "", 5000));
  CHECK(page.objects.size() == 1000);
  CHECK(page.truncated);
  auto rest = list(s3, resumed(options("", "", 5000), page.next_token, ""));
  CHECK(rest.objects.size() == 205);
  CHECK(rest.objects.front().key == "k01000");
  CHECK_FALSE(rest.truncated);
  auto after = list(s3, resumed(options(""), "", "k01200"));
  CHECK(keys_of(after) == std::vector<std::string>{"k01201", "k01202", "k01203", "k01204"});
  std::size_t pages = 0;
  CHECK(list_all(s3, options("k0", "", 400), nullptr, &pages).size() == 1205);
  CHECK(pages == 4);
}

TEST_CASE("fake S3: a retention given on PUT is kept and shown by HEAD and GetObjectRetention", "[fake][lock]") {
  FakeS3 s3;
  s3.object_lock = true;
  s3::PutOptions o;
  o.retention = until(s3, "GOVERNANCE", 3);
  put(s3, "k", "one", o);
  CHECK(s3.objects.at("k").retention->until == o.retention->until);
  auto h = must(head(s3, "k"));
  CHECK(h.header("x-amz-object-lock-mode") == "GOVERNANCE");
  CHECK(must(pbs::parse_rfc3339(*h.header("x-amz-object-lock-retain-until-date"))) == o.retention->until);
  auto r = must(s3.execute(s3::get_object_retention("bucket", "k")));
  auto held = must(s3::parse_object_retention(r.body_text()));
  CHECK(held.mode == "GOVERNANCE");
  CHECK(held.until == o.retention->until);
  put(s3, "plain", "x");
  auto none = s3.execute(s3::get_object_retention("bucket", "plain"));
  REQUIRE_FALSE(none);
  CHECK(none.error().message().find("NoSuchObjectLockConfiguration") != std::string::npos);
}

TEST_CASE("fake S3: PutObjectRetention lengthens, and refuses shortening and COMPLIANCE to GOVERNANCE with AccessDenied",
          "[fake][lock]") {
  FakeS3 s3;
  s3.object_lock = true;
  std::string v1 = s3.put_version("k", raw("one"), {}, until(s3, "COMPLIANCE", 5));
  s3.put_version("k", raw("two"));
  CHECK(must(s3.execute(s3::put_object_retention("bucket", "k", until(s3, "GOVERNANCE", 2)))).status == 200);
  auto shorter = s3.execute(s3::put_object_retention("bucket", "k", until(s3, "GOVERNANCE", 1)));
  REQUIRE_FALSE(shorter);
  CHECK(shorter.error().code() == Errc::access_denied);
  auto weaker = s3.execute(s3::put_object_retention("bucket", "k", until(s3, "GOVERNANCE", 9), v1));
  REQUIRE_FALSE(weaker);
  CHECK(weaker.error().code() == Errc::access_denied);
  CHECK(must(s3.execute(s3::put_object_retention("bucket", "k", until(s3, "COMPLIANCE", 9), v1))).status == 200);
  auto v = s3.versions("k");
  CHECK(v[0].retention->until == s3.now_epoch() + 2 * 86400);
  CHECK(v[1].retention->until == s3.now_epoch() + 9 * 86400);
  auto bypass = s3::put_object_retention("bucket", "k", until(s3, "GOVERNANCE", 1));
  bypass.headers.emplace_back("x-amz-bypass-governance-retention", "true");
  CHECK(must(s3.execute(bypass)).status == 200);  // GOVERNANCE gives way to the bypass
  auto past = s3.execute(s3::put_object_retention("bucket", "k", until(s3, "GOVERNANCE", -1)));
  REQUIRE_FALSE(past);
  CHECK(past.error().message().find("400 InvalidArgument") != std::string::npos);
}

TEST_CASE("fake S3: PutObjectRetention on a hidden key, a marker or a missing key answers 404 on radosgw, 405 on AWS",
          "[fake][lock]") {
  for (auto flavor : {FakeS3::Flavor::radosgw, FakeS3::Flavor::aws}) {
    FakeS3 s3;
    s3.object_lock = true;
    s3.flavor = flavor;
    s3.put_version("k", raw("one"));
    std::string marker = s3.add_delete_marker("k");
    bool aws = flavor == FakeS3::Flavor::aws;
    auto accepting = [&](const std::string& key, const std::string& version) {
      auto r = s3::put_object_retention("bucket", key, until(s3, "GOVERNANCE", 3), version);
      r.accepted_statuses = {404, 405};
      return must(s3.execute(r)).status;
    };
    INFO((aws ? "aws" : "radosgw"));
    CHECK(accepting("k", "") == (aws ? 405 : 404));
    CHECK(accepting("k", marker) == (aws ? 405 : 404));
    CHECK(accepting("missing", "") == 404);
  }
}

TEST_CASE("fake S3: a version under retention cannot be deleted by id, and a DELETE without id only adds a marker",
          "[fake][lock]") {
  FakeS3 s3;
  s3.object_lock = true;
  std::string v1 = s3.put_version("k", raw("one"), {}, until(s3, "COMPLIANCE", 3));
  auto refused = s3.execute(s3::on_version(s3::delete_object("bucket", "k"), v1));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code() == Errc::access_denied);
  auto hidden = remove(s3, "k");
  CHECK(hidden.header("x-amz-delete-marker") == "true");
  CHECK(s3.versions("k").size() == 2);
  s3.advance(3 * 86400 + 1);  // the retention ran out
  CHECK(remove(s3, "k", v1).status == 204);
  CHECK(s3.versions("k").size() == 1);
}

TEST_CASE("fake S3: DeleteObjects answers AccessDenied per locked version with its id, and Deleted entries when not quiet",
          "[fake][lock]") {
  FakeS3 s3;
  s3.object_lock = true;
  std::string locked = s3.put_version("a", raw("a"), {}, until(s3, "GOVERNANCE", 3));
  std::string free = s3.put_version("b", raw("b"));
  auto r = must(s3.execute(s3::delete_objects("bucket", {"a", "b", "c"}, {locked, free, ""})));
  std::string xml(r.body_text());
  CHECK(xml.find("<Deleted>") == std::string::npos);  // Quiet: only the failures
  auto result = must(s3::parse_delete_result(r.body_text()));
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].key == "a");
  CHECK(result.errors[0].version_id == locked);
  CHECK(result.errors[0].code == "AccessDenied");
  CHECK(result.errors[0].message == "Access Denied");
  CHECK(s3.versions("a").size() == 1);
  CHECK(s3.versions("b").empty());
  CHECK(s3.versions("c").front().delete_marker);  // no version id: a marker

  std::string body = s3::delete_objects_xml({"d"});
  body.replace(body.find("<Quiet>true</Quiet>"), 19, "");
  auto loud = s3::delete_objects("bucket", {"d"});
  loud.body = shared_bytes(body);
  auto answer = must(s3.execute(loud));
  CHECK(answer.body_text().find("<Deleted><Key>d</Key><DeleteMarker>true</DeleteMarker><DeleteMarkerVersionId>") !=
        std::string::npos);
  CHECK(must(s3::parse_delete_result(answer.body_text())).deleted == std::vector<std::string>{"d"});
}

TEST_CASE("fake S3: DeleteObjects with more than 1000 keys is refused with 400 MalformedXML", "[fake]") {
  FakeS3 s3;
  std::vector<std::string> keys;
  for (int i = 0; i < 1001; ++i) {
    keys.push_back("k" + std::to_string(i));
    s3.put(keys.back(), raw("x"));
  }
  auto r = s3.execute(s3::delete_objects("bucket", keys));
  REQUIRE_FALSE(r);
  CHECK(r.error().message().find("HTTP 400 MalformedXML") != std::string::npos);
  CHECK(s3.objects.size() == 1001);
  keys.pop_back();
  CHECK(must(s3::parse_delete_result(must(s3.execute(s3::delete_objects("bucket", keys))).body_text())).errors.empty());
  CHECK(s3.objects.size() == 1);
}

TEST_CASE("fake S3: a scripted per-key failure comes back as an Error element and leaves its key", "[fake]") {
  FakeS3 s3;
  for (std::string k : {"keep/1", "go/1", "keep/2"}) s3.put(k, raw("x"));
  FakeS3::DeleteFault f;
  f.match = [](const std::string& key, const std::string&) { return key.starts_with("keep/"); };
  s3.delete_fault(f);
  auto r = must(s3.execute(s3::delete_objects("bucket", {"keep/1", "go/1", "keep/2"})));
  auto result = must(s3::parse_delete_result(r.body_text()));
  REQUIRE(result.errors.size() == 2);
  CHECK(result.errors[0].key == "keep/1");
  CHECK(result.errors[0].code == "InternalError");
  CHECK(result.errors[1].key == "keep/2");
  CHECK(s3.keys() == std::vector<std::string>{"keep/1", "keep/2"});
  s3.clear_faults();
  must(s3.execute(s3::delete_objects("bucket", {"keep/1"})));
  CHECK(s3.keys() == std::vector<std::string>{"keep/2"});
}

TEST_CASE("fake S3: a GET larger than the sink's memory limit fails as the engine fails it", "[fake]") {
  FakeS3 s3;
  s3.put("big", std::vector<std::uint8_t>(4097, 7));
  auto r = s3.execute(s3::get_object("bucket", "big"), transfer::Sink::in_memory(4096));
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == Errc::remote);
  CHECK(r.error().message() == "GetObject s3://bucket/big: response larger than 4096 bytes");
  CHECK(s3.counters().failures == 1);
  CHECK(must(s3.execute(s3::get_object("bucket", "big"), transfer::Sink::in_memory(4097))).body.size() == 4097);
  TempDir tmp;
  auto to_file = must(s3.execute(s3::get_object("bucket", "big"), transfer::Sink::to_file(tmp.sub("f"))));
  CHECK(to_file.body.empty());  // the body went to the file
  CHECK(read_bytes(tmp.sub("f")).size() == 4097);
}

TEST_CASE("fake S3: a suspended bucket writes null versions that replace each other and keeps the older ones",
          "[fake]") {
  FakeS3 s3;
  s3.versioning = "Enabled";
  std::string v1 = *put(s3, "k", "one").header("x-amz-version-id");
  s3.versioning = "Suspended";
  CHECK(put(s3, "k", "two").header("x-amz-version-id") == "null");
  put(s3, "k", "three");
  auto v = s3.versions("k");
  REQUIRE(v.size() == 2);
  CHECK(text_of(v[0]) == "three");
  CHECK(v[1].version_id == v1);
  CHECK(remove(s3, "k").header("x-amz-version-id") == "null");  // the marker replaces the null version
  v = s3.versions("k");
  REQUIRE(v.size() == 2);
  CHECK(v[0].delete_marker);
  auto r = must(s3.execute(s3::get_bucket_versioning("bucket")));
  CHECK(must(s3::parse_versioning_status(r.body_text())) == "Suspended");
}

TEST_CASE("fake S3: versions put by hand go in by Last-Modified, and erasing the current one uncovers the one before",
          "[fake]") {
  FakeS3 s3;
  s3.versioning = "Enabled";
  s3.put_version("k", raw("new"), 300);
  s3.put_version("k", raw("old"), 100);
  s3.add_delete_marker("k", 200);
  auto v = s3.versions("k");
  REQUIRE(v.size() == 3);
  CHECK(text_of(v[0]) == "new");
  CHECK(v[1].delete_marker);
  CHECK(text_of(v[2]) == "old");
  s3.objects.erase("k");  // as a DELETE of the current version's id
  CHECK(get(s3, "k")->status == 404);  // the marker is current now
  s3.objects["j"] = FakeS3::Object(raw("by hand"), 50);
  auto h = must(head(s3, "j"));
  CHECK(h.header("x-amz-version-id") == "null");
  CHECK(h.header("last-modified") == s3::format_http_date(50));
}

TEST_CASE("fake S3: a copy onto itself in a versioned bucket is a new version with the source's bytes", "[fake]") {
  FakeS3 s3;
  s3.versioning = "Enabled";
  std::string v1 = *put(s3, "k", "one").header("x-amz-version-id");
  s3.advance(60);
  auto r = must(s3.execute(s3::touch_object("bucket", "k")));
  CHECK(r.header("x-amz-copy-source-version-id") == v1);
  CHECK(r.body_text().find("<ETag>&quot;f97c5d29941bfb1b2fdab0874906ab82&quot;</ETag>") != std::string::npos);
  auto v = s3.versions("k");
  REQUIRE(v.size() == 2);
  CHECK(v[0].version_id == *r.header("x-amz-version-id"));
  CHECK(text_of(v[0]) == "one");
  CHECK(v[0].modified == v[1].modified + 60);
  remove(s3, "k");
  auto hidden = s3.execute(s3::touch_object("bucket", "k"));
  REQUIRE_FALSE(hidden);
  CHECK(hidden.error().code() == Errc::no_such_key);
}

TEST_CASE("fake S3: AWS refuses lock parameters and DeleteObjects without Content-MD5, radosgw takes them", "[fake][lock]") {
  for (auto flavor : {FakeS3::Flavor::radosgw, FakeS3::Flavor::aws}) {
    FakeS3 s3;
    s3.object_lock = true;
    s3.flavor = flavor;
    bool aws = flavor == FakeS3::Flavor::aws;
    INFO((aws ? "aws" : "radosgw"));
    s3::PutOptions o;
    o.retention = until(s3, "GOVERNANCE", 3);
    auto bare = s3::put_object("bucket", "k", shared_bytes("x"), o);
    bare.content_md5 = false;
    CHECK(bool(s3.execute(bare)) != aws);
    auto del = s3::delete_objects("bucket", {"k"});
    del.content_md5 = false;
    CHECK(bool(s3.execute(del)) != aws);
    CHECK(s3.execute(s3::put_object("bucket", "k2", shared_bytes("x"), o)));  // with Content-MD5: taken by both
  }
}

TEST_CASE("fake S3: lock headers on a bucket without Object Lock, and a retention in the past, are refused", "[fake][lock]") {
  FakeS3 plain;
  s3::PutOptions o;
  o.retention = until(plain, "GOVERNANCE", 3);
  auto r = plain.execute(s3::put_object("bucket", "k", shared_bytes("x"), o));
  REQUIRE_FALSE(r);
  CHECK(r.error().message().find("400 InvalidRequest") != std::string::npos);
  CHECK(plain.objects.empty());
  FakeS3 locked;
  locked.object_lock = true;
  o.retention = until(locked, "GOVERNANCE", -1);
  CHECK_FALSE(locked.execute(s3::put_object("bucket", "k", shared_bytes("x"), o)));
  CHECK(locked.versioned_keys().empty());
  auto lock = must(locked.execute(s3::get_object_lock_configuration("bucket")));
  CHECK(must(s3::parse_lock_configuration(lock.body_text())).enabled);
  CHECK(must(plain.execute(s3::get_object_lock_configuration("bucket"))).status == 404);
}

TEST_CASE("fake S3: GetBucketVersioning says Enabled, Suspended or nothing, and a lock bucket is Enabled", "[fake]") {
  auto state = [](FakeS3& s3) {
    return must(s3::parse_versioning_status(must(s3.execute(s3::get_bucket_versioning("bucket"))).body_text()));
  };
  FakeS3 s3;
  CHECK(state(s3).empty());
  s3.versioning = "Enabled";
  CHECK(state(s3) == "Enabled");
  s3.versioning = "Suspended";
  CHECK(state(s3) == "Suspended");
  FakeS3 locked;
  locked.object_lock = true;
  CHECK(state(locked) == "Enabled");
}

TEST_CASE("fake S3: counters and answered() count every request, refused ones included", "[fake]") {
  FakeS3 s3;
  s3.versioning = "Enabled";
  put(s3, "k", "one");
  (void)get(s3, "k", "no-such");
  (void)s3.execute(s3::get_object_retention("bucket", "k"));  // no lock: refused with an error
  const auto& c = s3.counters();
  CHECK(c.requests.at("PutObject") == 1);
  CHECK(c.requests.at("GetObject") == 1);
  CHECK(c.requests.at("GetObjectRetention") == 1);
  CHECK(c.completed == 2);
  CHECK(c.failures == 1);
  CHECK(c.bytes_up == 3);
  REQUIRE(s3.answered().size() == 3);
  CHECK(s3.answered()[1].status == 404);
  CHECK(s3.answered()[2].status == 0);
  CHECK(s3.count(s3::Op::put_object, "k") == 1);
}

TEST_CASE("fake S3: listings URL-encode keys and common prefixes, and the parsers decode them back", "[fake]") {
  FakeS3 s3;
  s3.versioning = "Enabled";
  const std::string odd = "dir a/f\xc3\xbc&<x>+%.txt";
  put(s3, odd, "v");
  put(s3, "dir a/sub b/y", "v");
  auto page = list(s3, options("dir a/", "/"));
  CHECK(keys_of(page) == std::vector<std::string>{odd});
  CHECK(page.common_prefixes == std::vector<std::string>{"dir a/sub b/"});
  auto raw_xml = must(s3.execute(s3::list_objects("bucket", options("dir a/", "/"))));
  CHECK(raw_xml.body_text().find("<Prefix>dir%20a/</Prefix>") != std::string::npos);
  auto versions = list(s3, options("dir a/", "", 0, true));
  CHECK(keys_of(versions) == std::vector<std::string>{odd, "dir a/sub b/y"});
  CHECK(must(get(s3, odd)).header("content-length") == "1");
}
