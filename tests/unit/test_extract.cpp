// The extract executor through the fake bucket: completion orders, repeated and zero chunks, a
// damaged chunk, regions an earlier run filled, and the pieces that pick a snapshot and an archive.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <random>
#include <thread>

#include "datastore/blob.h"
#include "datastore/index_file.h"
#include "extract/archive_pick.h"
#include "extract/chunk_content.h"
#include "extract/extract_executor.h"
#include "fake_s3.h"
#include "remote/key_layout.h"
#include "test_support.h"

using namespace pbs;
using namespace pbs::test;

namespace {

constexpr std::uint64_t kChunk = 4096;

// A disk of `n` chunks: chunk i holds pattern (i % distinct) + 1, every `zero_every`-th is zeros.
struct Disk {
  datastore::IndexFile index;
  std::vector<std::uint8_t> image;
  std::size_t distinct_nonzero = 0;
};

Disk make_disk(FakeS3& s3, std::size_t n, std::size_t distinct, std::size_t zero_every, std::uint64_t tail = kChunk) {
  Disk disk;
  std::vector<Digest> digests;
  std::set<Digest> seen;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t len = i + 1 == n ? tail : kChunk;
    std::vector<std::uint8_t> data(len, 0);
    if (zero_every == 0 || i % zero_every != zero_every - 1) {
      std::mt19937_64 rng(i % distinct + 1);
      for (auto& b : data) b = std::uint8_t(rng());
    }
    Digest d = sha256(data);
    if (std::any_of(data.begin(), data.end(), [](auto b) { return b != 0; }) && seen.insert(d).second) {
      ++disk.distinct_nonzero;
    }
    s3.objects["p/" + remote::chunk_rel_key(d)] = FakeS3::Object(datastore::encode_blob(data), 0);
    digests.push_back(d);
    disk.image.insert(disk.image.end(), data.begin(), data.end());
  }
  disk.index = datastore::make_fixed_index(disk.image.size(), kChunk, digests, 0, {});
  return disk;
}

struct Run {
  extract::ExtractSummary summary;
  std::size_t max_outstanding = 0;
};

Run extract_into(FakeS3& s3, const Disk& disk, extract::ImageOutput& out) {
  Run run;
  s3.on_submit = [&](const s3::Request&) { run.max_outstanding = std::max(run.max_outstanding, s3.outstanding() + 1); };
  extract::ExtractExecutor executor(s3, remote::Remote{"bucket", "p"}, out, run.summary, nullptr);
  executor.run({&disk.index, nullptr, false, nullptr}, nullptr);
  return run;
}

// Standard output's stand-in: a FIFO whose bytes a thread collects.
class FifoReader {
 public:
  explicit FifoReader(const std::string& path) : path_(path) {
    REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
    thread_ = std::thread([this] {
      int fd = ::open(path_.c_str(), O_RDONLY);
      std::uint8_t buf[65536];
      for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) bytes_.insert(bytes_.end(), buf, buf + n);
      ::close(fd);
    });
  }
  std::vector<std::uint8_t> finish() {
    thread_.join();
    return bytes_;
  }

 private:
  std::string path_;
  std::thread thread_;
  std::vector<std::uint8_t> bytes_;
};

}  // namespace

TEST_CASE("extract: answers in any order still reach standard output in order, within the window", "[extract]") {
  for (std::uint64_t seed : {1, 2, 3}) {
    INFO("seed " << seed);
    FakeS3 s3("bucket", 8);
    s3.shuffle = true;
    s3.reseed(seed);
    Disk disk = make_disk(s3, 200, 50, 7, 1000);
    TempDir tmp;
    std::string fifo = tmp.sub("stream");
    FifoReader reader(fifo);
    {
      auto out = must(extract::ImageOutput::open(fifo, disk.image.size(), {}));
      CHECK(out.sequential());
      auto run = extract_into(s3, disk, out);
      CHECK(run.summary.ok());
      CHECK(run.max_outstanding <= transfer::submit_depth(s3));
      // Standard output cannot be read back: a repeat is fetched again unless it is still on its way.
      CHECK(run.summary.chunks_fetched >= disk.distinct_nonzero);
      CHECK(run.summary.chunks_fetched + run.summary.chunks_repeated + run.summary.zero_chunks == 200);
      CHECK(s3.count(s3::Op::get_object) == run.summary.chunks_fetched);
    }
    CHECK(reader.finish() == disk.image);
  }
}

TEST_CASE("extract: a chunk repeated in the image is fetched once, a zero chunk never, and holes stay holes", "[extract]") {
  FakeS3 s3("bucket", 4);
  Disk disk = make_disk(s3, 120, 10, 4);
  TempDir tmp;
  std::string path = tmp.sub("disk.raw");
  {
    auto out = must(extract::ImageOutput::open(path, disk.image.size(), {}));
    auto run = extract_into(s3, disk, out);
    CHECK(run.summary.ok());
    CHECK(run.summary.zero_chunks == 30);
    CHECK(s3.count(s3::Op::get_object) == disk.distinct_nonzero);
    CHECK(run.summary.chunks_fetched + run.summary.chunks_repeated + run.summary.zero_chunks == 120);
    CHECK(run.summary.bytes_written == 90 * kChunk);
  }
  CHECK(read_bytes(path) == disk.image);
  CHECK_FALSE(file_exists(path + ".part"));
}

TEST_CASE("extract: a damaged chunk is named with its offset, and on standard output nothing after it is written",
          "[extract]") {
  FakeS3 s3("bucket", 4);
  Disk disk = make_disk(s3, 60, 60, 0);
  std::string victim = "p/" + remote::chunk_rel_key(disk.index.digests[20]);
  s3.objects[victim].body.back() ^= 1;
  TempDir tmp;
  SECTION("a file: every other chunk written, the .part kept") {
    std::string path = tmp.sub("disk.raw");
    auto out = must(extract::ImageOutput::open(path, disk.image.size(), {}));
    auto run = extract_into(s3, disk, out);
    REQUIRE(run.summary.errors.size() == 1);
    CHECK(run.summary.errors[0].object == victim);
    CHECK_THAT(run.summary.errors[0].message, Catch::Contains("at offset " + std::to_string(20 * kChunk)));
    CHECK_FALSE(run.summary.complete);
    CHECK(run.summary.chunks_fetched == 59);
    CHECK(file_exists(path + ".part"));
    CHECK_FALSE(file_exists(path));
  }
  SECTION("a stream: it stops at the damaged chunk") {
    std::string fifo = tmp.sub("stream");
    FifoReader reader(fifo);
    {
      auto out = must(extract::ImageOutput::open(fifo, disk.image.size(), {}));
      auto run = extract_into(s3, disk, out);
      CHECK(run.summary.errors.size() == 1);
      CHECK_FALSE(run.summary.complete);
    }
    auto got = reader.finish();
    CHECK(got.size() <= 20 * kChunk);
    CHECK(std::equal(got.begin(), got.end(), disk.image.begin()));
  }
}

TEST_CASE("extract: a region an earlier run filled is kept when it matches its chunk, fetched again when not",
          "[extract]") {
  FakeS3 s3("bucket", 4);
  Disk disk = make_disk(s3, 40, 40, 5);
  TempDir tmp;
  std::string path = tmp.sub("disk.raw");
  // An earlier run wrote the first half; one of its regions was torn; garbage sits in a zero region.
  auto partial = disk.image;
  std::fill(partial.begin() + 20 * kChunk, partial.end(), 0);
  partial[3 * kChunk + 100] ^= 0xff;
  partial[4 * kChunk + 5] = 0x55;  // chunk 4 is a zero chunk
  {
    UniqueFd fd = must(open_file(extract::part_name(path), O_WRONLY | O_CREAT, 0600));
    must(write_all(fd.get(), partial, path));
  }
  auto out = must(extract::ImageOutput::open(path, disk.image.size(), {}));
  CHECK(out.resuming());
  auto run = extract_into(s3, disk, out);
  CHECK(run.summary.ok());
  // Chunks 0-19 less the zero ones (4, 9, 14, 19) and the torn one (3): 15 in place.
  CHECK(run.summary.chunks_in_place == 15);
  CHECK(run.summary.chunks_fetched == 40 - 8 - 15);
  CHECK(read_bytes(path) == disk.image);
}

TEST_CASE("extract: a chunk is trusted only when its content is what its name says, at its length", "[extract]") {
  std::vector<std::uint8_t> data(1000, 7), other(1000, 8);
  auto blob = datastore::encode_blob(data);
  CHECK(extract::chunk_content(blob, sha256(data), 1000, nullptr).value() == data);
  auto swapped = extract::chunk_content(blob, sha256(other), 1000, nullptr);
  REQUIRE_FALSE(swapped);
  CHECK(swapped.error().code() == Errc::checksum);
  CHECK_FALSE(extract::chunk_content(blob, sha256(data), 999, nullptr));
  crypto::CryptKey key(crypto::CryptKey::random_key());
  CHECK(extract::zero_chunk_name(4096, &key) != extract::zero_chunk_name(4096, nullptr));
  CHECK(extract::zero_chunk_name(4096, nullptr) == sha256(std::vector<std::uint8_t>(4096, 0)));
}

TEST_CASE("extract: archives are found by PBS's names, with or without the suffix, and a miss lists them",
          "[extract]") {
  datastore::Manifest m;
  m.files = {{"drive-scsi0.img.fidx"}, {"qemu-server.conf.blob"}, {"root.pxar.didx"}, {"index.json.blob"}};
  CHECK(extract::pick_archive(m, "drive-scsi0.img").value()->filename == "drive-scsi0.img.fidx");
  CHECK(extract::pick_archive(m, "drive-scsi0").value()->filename == "drive-scsi0.img.fidx");
  CHECK(extract::pick_archive(m, "qemu-server.conf").value()->filename == "qemu-server.conf.blob");
  CHECK(extract::pick_archive(m, "root.pxar.didx").value()->filename == "root.pxar.didx");
  auto miss = extract::pick_archive(m, "drive-scsi1.img");
  REQUIRE_FALSE(miss);
  CHECK_THAT(miss.error().message(), Catch::Contains("drive-scsi0.img.fidx, qemu-server.conf.blob, root.pxar.didx"));
  CHECK_FALSE(extract::pick_archive(m, "index.json.blob"));
}
