// Every S3 operation against radosgw over HTTP.
#include <fcntl.h>
#include <sys/resource.h>

#include <algorithm>
#include <random>

#include "s3/request.h"
#include "s3_support.h"
#include "test_support.h"
#include "util/file_io.h"
#include "util/sha256.h"

using namespace pbs;
using namespace pbs::test;
using transfer::ObjectStore;
using transfer::Sink;

namespace {
s3::Bytes bytes_of(const std::string& s) {
  return std::make_shared<const std::vector<std::uint8_t>>(s.begin(), s.end());
}
std::string text_of(const s3::Response& r) { return std::string(r.body_text()); }
}  // namespace

TEST_CASE("bucket: create, head, and a missing bucket explained", "[s3]") {
  auto engine = make_engine();
  std::string bucket = unique_bucket("bkt");
  ObjectStore store(*engine, bucket);
  REQUIRE(store.create_bucket());
  CHECK(store.head_bucket());
  ObjectStore missing(*engine, unique_bucket("missing"));
  auto st = missing.head_bucket();
  REQUIRE_FALSE(st);
  CHECK(st.error().code() == Errc::no_such_bucket);
  CHECK_THAT(st.error().message(), Catch::Contains(missing.bucket()));
  CHECK_THAT(st.error().message(), Catch::Contains("does not exist"));
  auto get = engine->execute(s3::get_object(missing.bucket(), "k"));
  REQUIRE_FALSE(get);
  CHECK(get.error().code() == Errc::no_such_bucket);
  CHECK(engine->counters().total_retries() == 0);
}

TEST_CASE("objects: put, head, get, range, delete, with keys that need encoding", "[s3]") {
  auto engine = make_engine();
  std::string bucket = unique_bucket("obj");
  create_bucket(*engine, bucket);
  const std::vector<std::string> keys = {
      "store1/.cnt/vm/100/2026-11-01T02:00:00Z/index.json.blob",
      "with space/and+plus/tilde~/percent%20/x",
      "unicode/\xc3\xa4\xc3\xb6\xc3\xbc/\xe1\x88\xb4/\xf0\x9f\x92\xbe",
      "specials/!$&'()*,;=@[]",
      "double//slash/./dot/../x",
  };
  for (const auto& key : keys) {
    INFO(key);
    std::string body = "content of " + key;
    auto put = engine->execute(s3::put_object(bucket, key, bytes_of(body)));
    REQUIRE(put);
    CHECK(put->status == 200);
    auto head = engine->execute(s3::head_object(bucket, key));
    REQUIRE(head);
    CHECK(head->status == 200);
    CHECK(head->header("content-length") == std::to_string(body.size()));
    auto get = engine->execute(s3::get_object(bucket, key));
    REQUIRE(get);
    CHECK(text_of(*get) == body);
  }
  ObjectStore store(*engine, bucket);
  auto listed = store.list_all({});
  REQUIRE(listed);
  std::vector<std::string> names;
  for (const auto& o : *listed) names.push_back(o.key);
  auto expected = keys;
  std::sort(expected.begin(), expected.end());
  CHECK(names == expected);

  SECTION("range") {
    auto r = engine->execute(s3::get_object(bucket, keys[0], s3::Range{3, 9}));
    REQUIRE(r);
    CHECK(r->status == 206);
    CHECK(text_of(*r) == std::string("content of ").substr(3, 7));
    auto tail = engine->execute(s3::get_object(bucket, keys[0], s3::Range{11, std::nullopt}));
    REQUIRE(tail);
    CHECK(text_of(*tail) == keys[0]);
  }
  SECTION("missing object: 404 is an answer, not an error") {
    auto head = engine->execute(s3::head_object(bucket, "nope"));
    REQUIRE(head);
    CHECK(head->status == 404);
    auto get = engine->execute(s3::get_object(bucket, "nope"));
    REQUIRE(get);
    CHECK(get->status == 404);
    CHECK(*store.exists(keys[1]));
    CHECK_FALSE(*store.exists("nope"));
  }
  SECTION("If-None-Match: * refuses to overwrite with 412") {
    s3::PutOptions once;
    once.if_none_match = true;
    auto again = engine->execute(s3::put_object(bucket, keys[0], bytes_of("other"), once));
    REQUIRE(again);
    CHECK(again->status == 412);
    CHECK(text_of(*engine->execute(s3::get_object(bucket, keys[0]))) == "content of " + keys[0]);
    auto fresh = engine->execute(s3::put_object(bucket, "new-key", bytes_of("x"), once));
    REQUIRE(fresh);
    CHECK(fresh->status == 200);
  }
  SECTION("Content-MD5, storage class and content type are accepted") {
    s3::PutOptions o;
    o.content_md5 = true;
    o.storage_class = "STANDARD";
    auto put = engine->execute(s3::put_object(bucket, "md5", bytes_of("checked"), o));
    REQUIRE(put);
    CHECK(put->status == 200);
  }
  SECTION("delete") {
    REQUIRE(engine->execute(s3::delete_object(bucket, keys[2])));
    CHECK_FALSE(*store.exists(keys[2]));
  }
}

TEST_CASE("listing: pagination, prefix, delimiter, start-after", "[s3]") {
  auto engine = make_engine(8);
  std::string bucket = unique_bucket("list");
  create_bucket(*engine, bucket);
  std::vector<std::string> keys;
  for (int d = 0; d < 5; ++d) {
    for (int i = 0; i < 11; ++i) {
      keys.push_back("p/" + std::to_string(d) + "/k" + std::to_string(100 + i));
    }
  }
  keys.push_back("q/other");
  int done = 0;
  for (const auto& k : keys) {
    engine->submit(s3::put_object(bucket, k, bytes_of(k)), [&](Result<s3::Response> r) {
      REQUIRE(r);
      ++done;
    });
  }
  engine->run();
  REQUIRE(done == int(keys.size()));
  ObjectStore store(*engine, bucket);
  std::sort(keys.begin(), keys.end());

  int pages = 0;
  std::vector<std::string> seen;
  std::optional<Status> finished;
  s3::ListOptions small;
  small.max_keys = 7;
  store.list(small,
             [&](s3::ListPage&& page) {
               ++pages;
               CHECK(page.objects.size() <= 7);
               for (auto& o : page.objects) {
                 CHECK(o.size == o.key.size());
                 CHECK(o.last_modified > 1700000000);
                 CHECK_FALSE(o.etag.empty());
                 seen.push_back(o.key);
               }
               return true;
             },
             [&](Status st) { finished = st; });
  engine->run();
  REQUIRE(finished);
  CHECK(finished->ok());
  CHECK(seen == keys);
  CHECK(pages == int((keys.size() + 6) / 7));

  s3::ListOptions prefix;
  prefix.prefix = "p/3/";
  CHECK(store.list_all(prefix)->size() == 11);

  s3::ListOptions delim;
  delim.prefix = "p/";
  delim.delimiter = "/";
  std::vector<std::string> prefixes;
  store.list(delim,
             [&](s3::ListPage&& page) {
               for (auto& p : page.common_prefixes) prefixes.push_back(p);
               CHECK(page.objects.empty());
               return true;
             },
             [&](Status) {});
  engine->run();
  CHECK(prefixes == std::vector<std::string>{"p/0/", "p/1/", "p/2/", "p/3/", "p/4/"});

  s3::ListOptions after;
  after.start_after = "p/4/k105";
  auto rest = store.list_all(after);
  REQUIRE(rest);
  REQUIRE(rest->size() == 6);
  CHECK(rest->front().key == "p/4/k106");
  CHECK(rest->back().key == "q/other");

  SECTION("stopping early sends no further page") {
    auto before = engine->counters().requests_of("ListObjectsV2");
    store.list(small, [&](s3::ListPage&&) { return false; }, [&](Status) {});
    engine->run();
    CHECK(engine->counters().requests_of("ListObjectsV2") == before + 1);
  }
}

TEST_CASE("DeleteObjects across several batches, keys XML-escaped", "[s3]") {
  auto engine = make_engine(8);
  std::string bucket = unique_bucket("del");
  create_bucket(*engine, bucket);
  std::vector<std::string> keys;
  for (int i = 0; i < 2300; ++i) keys.push_back("d/<&>\"'/" + std::to_string(i));
  for (const auto& k : keys) engine->submit(s3::put_object(bucket, k, bytes_of("x")), [](auto r) { REQUIRE(r); });
  engine->run();
  ObjectStore store(*engine, bucket);
  REQUIRE(store.list_all({})->size() == keys.size());
  auto before = engine->counters().requests_of("DeleteObjects");
  auto summary = store.delete_all(keys);
  REQUIRE(summary);
  CHECK(summary->requests == 3);
  CHECK(engine->counters().requests_of("DeleteObjects") - before == 3);
  CHECK(summary->deleted == keys.size());
  CHECK(summary->failures.empty());
  CHECK(store.list_all({})->empty());
}

TEST_CASE("a 64+ MiB object streams from and to a file with bounded memory", "[s3][large]") {
  TempDir tmp;
  std::string src = tmp.sub("big.bin"), dst = tmp.sub("back.bin");
  const std::uint64_t size = (80ull << 20) + 12345;
  {
    auto fd = open_file(src, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    REQUIRE(fd);
    std::vector<std::uint8_t> buf(1 << 20);
    std::mt19937_64 rng(42);
    for (std::uint64_t done = 0; done < size; done += buf.size()) {
      for (auto& b : buf) b = std::uint8_t(rng());
      auto n = std::min<std::uint64_t>(buf.size(), size - done);
      REQUIRE(write_all(fd->get(), std::span(buf).first(n), src));
    }
  }
  auto engine = make_engine(2);
  std::string bucket = unique_bucket("big");
  create_bucket(*engine, bucket);
  rusage before{};
  getrusage(RUSAGE_SELF, &before);
  auto put = engine->execute(s3::put_object_file(bucket, "big.bin", {src, 0, size}));
  REQUIRE(put);
  CHECK(put->status == 200);
  auto get = engine->execute(s3::get_object(bucket, "big.bin"), Sink::to_file(dst));
  REQUIRE(get);
  CHECK(get->status == 200);
  CHECK(get->body.empty());
  rusage after{};
  getrusage(RUSAGE_SELF, &after);
  // Peak RSS (KiB) may not grow by anything near the object's size.
  CHECK(after.ru_maxrss - before.ru_maxrss < 24 * 1024);
  CHECK(engine->counters().bytes_up >= size);
  CHECK(engine->counters().bytes_down >= size);
  auto a = read_file(src, size + 1);
  auto b = read_file(dst, size + 1);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(sha256(*a) == sha256(*b));
  REQUIRE(engine->execute(s3::delete_object(bucket, "big.bin")));
}

TEST_CASE("wrong secret: one request, no retries, a message that says what to fix", "[s3]") {
  auto config = engine_config(4);
  config.credentials.secret_key = "wrong-secret-key-000000000000000000000000";
  auto engine = make_engine(config);
  auto r = engine->execute(s3::head_bucket("whatever-bucket"));
  REQUIRE_FALSE(r);
  auto list = engine->execute(s3::list_objects("whatever-bucket", {}));
  REQUIRE_FALSE(list);
  CHECK(list.error().code() == Errc::auth);
  CHECK_THAT(list.error().message(), Catch::Contains("SignatureDoesNotMatch"));
  CHECK_THAT(list.error().message(), Catch::Contains("AWS_SECRET_ACCESS_KEY"));
  CHECK_THAT(list.error().message(), !Catch::Contains("wrong-secret"));
  CHECK(engine->counters().total_requests() == 2);
  CHECK(engine->counters().total_retries() == 0);
}

TEST_CASE("unreachable endpoint fails in seconds with a clear message", "[s3]") {
  auto config = engine_config(2, "http://127.0.0.1:9");  // discard port: nothing listens
  auto engine = make_engine(config);
  auto t0 = std::chrono::steady_clock::now();
  auto r = engine->execute(s3::head_bucket("b-unreachable"));
  double secs = seconds_since(t0);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == Errc::network);
  CHECK_THAT(r.error().message(), Catch::Contains("127.0.0.1:9"));
  // The attempts are named once, not by the transport error and again by the retry loop.
  const std::string& message = r.error().message();
  auto first = message.find("attempts)");
  REQUIRE(first != std::string::npos);
  CHECK(message.find("attempts)", first + 1) == std::string::npos);
  CHECK(secs < 5);
  CHECK(engine->counters().total_requests() == config.health.max_connect_attempts);
}
