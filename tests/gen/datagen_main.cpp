// pbs-datagen: command-line front of the test datastore generator, for scripts and benchmarks.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "datagen.h"

using namespace pbs::testgen;

namespace {
int print(const pbs::Result<MutateResult>& r) {
  if (!r) {
    fmt::print(stderr, "pbs-datagen: {}\n", r.error().message());
    return 1;
  }
  fmt::print("{}\n", nlohmann::json{{"paths", r->paths}}.dump(2));
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Writes and damages test PBS datastores"};
  app.require_subcommand(1);
  std::string dir;
  std::uint64_t seed = 1;
  int code = 0;

  GenConfig cfg;
  std::string preset;
  auto* create = app.add_subcommand("create", "Write a new datastore");
  create->add_option("dir", dir)->required();
  create->add_option("--preset", preset, "tiny | small | bench (100k+ chunks)")
      ->check(CLI::IsMember({"tiny", "small", "bench"}));
  create->add_option("--seed", cfg.seed);
  create->add_option("--vms", cfg.vms);
  create->add_option("--cts", cfg.cts);
  create->add_option("--hosts", cfg.hosts);
  create->add_option("--snapshots", cfg.snapshots);
  create->add_option("--fixed-chunk-size", cfg.fixed_chunk_size);
  create->add_option("--disk-chunks", cfg.disk_chunks);
  create->add_option("--dynamic-avg-chunk", cfg.dynamic_avg_chunk);
  create->add_option("--archive-chunks", cfg.archive_chunks);
  create->add_option("--change", cfg.change, "Fraction of chunks changed per snapshot");
  create->add_flag("!--no-namespaces", cfg.namespaces);
  create->add_flag("!--no-encrypted", cfg.encrypted_group);
  create->add_flag("!--no-extras", cfg.extras);
  create->add_flag("!--no-chunk-files", cfg.chunk_files, "Indexes only: no chunk file is written");
  create->callback([&] {
    // A preset sets the defaults; options given on the command line still win.
    GenConfig c;
    if (preset == "tiny") {
      c.vms = 1, c.cts = 1, c.hosts = 1, c.snapshots = 2, c.disk_chunks = 8, c.archive_chunks = 6;
      c.fixed_chunk_size = 16384, c.dynamic_avg_chunk = 8192;
    } else if (preset == "bench") {
      c.vms = 4, c.cts = 3, c.hosts = 2, c.snapshots = 5, c.disk_chunks = 26000,
      c.fixed_chunk_size = 4096, c.archive_chunks = 4000, c.dynamic_avg_chunk = 4096;
    }
    auto given = [&](const char* name) { return create->count(name) > 0; };
    if (given("--seed")) c.seed = cfg.seed;
    if (given("--vms")) c.vms = cfg.vms;
    if (given("--cts")) c.cts = cfg.cts;
    if (given("--hosts")) c.hosts = cfg.hosts;
    if (given("--snapshots")) c.snapshots = cfg.snapshots;
    if (given("--fixed-chunk-size")) c.fixed_chunk_size = cfg.fixed_chunk_size;
    if (given("--disk-chunks")) c.disk_chunks = cfg.disk_chunks;
    if (given("--dynamic-avg-chunk")) c.dynamic_avg_chunk = cfg.dynamic_avg_chunk;
    if (given("--archive-chunks")) c.archive_chunks = cfg.archive_chunks;
    if (given("--change")) c.change = cfg.change;
    c.namespaces = cfg.namespaces;
    c.encrypted_group = cfg.encrypted_group;
    c.extras = cfg.extras;
    c.chunk_files = cfg.chunk_files;
    auto stats = generate(dir, c);
    if (!stats) {
      fmt::print(stderr, "pbs-datagen: {}\n", stats.error().message());
      code = 1;
      return;
    }
    fmt::print("{}\n", stats->to_json());
  });

  double change = 0.01;
  auto* add = app.add_subcommand("add-snapshots", "Add a snapshot to every group");
  add->add_option("dir", dir)->required();
  add->add_option("--change", change, "Fraction of chunks changed");
  add->add_option("--seed", seed);
  add->callback([&] { code = print(add_snapshots(dir, change, seed)); });

  unsigned keep = 1;
  auto* pr = app.add_subcommand("prune", "Keep only the newest N snapshots per group");
  pr->add_option("dir", dir)->required();
  pr->add_option("--keep", keep);
  pr->callback([&] { code = print(prune(dir, keep)); });

  ChunkDamage damage = ChunkDamage::flip_byte;
  auto* cc = app.add_subcommand("corrupt-chunk", "Damage one referenced chunk");
  cc->add_option("dir", dir)->required();
  cc->add_option("--damage", damage)
      ->transform(CLI::CheckedTransformer(std::map<std::string, ChunkDamage>{
          {"flip", ChunkDamage::flip_byte},
          {"digest", ChunkDamage::bad_digest},
          {"remove", ChunkDamage::remove},
          {"truncate", ChunkDamage::truncate}}));
  cc->add_option("--seed", seed);
  cc->callback([&] { code = print(corrupt_chunk(dir, damage, seed)); });

  auto* ti = app.add_subcommand("truncate-index", "Truncate one index file");
  ti->add_option("dir", dir)->required();
  ti->add_option("--seed", seed);
  ti->callback([&] { code = print(truncate_index(dir, seed)); });

  CLI11_PARSE(app, argc, argv);
  return code;
}
