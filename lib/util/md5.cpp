#include "util/md5.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace pbs {

namespace {
const EVP_MD* md5_md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "MD5", nullptr);
  return md;
}
}  // namespace

struct Md5::Ctx {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Ctx() { EVP_MD_CTX_free(ctx); }
};

Md5::Md5() : ctx_(std::make_unique<Ctx>()) {
  if (!ctx_->ctx || !md5_md() || EVP_DigestInit_ex(ctx_->ctx, md5_md(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL: cannot initialise MD5");
  }
}
Md5::~Md5() = default;
Md5::Md5(Md5&&) noexcept = default;
Md5& Md5::operator=(Md5&&) noexcept = default;

void Md5::update(std::span<const std::uint8_t> data) {
  EVP_DigestUpdate(ctx_->ctx, data.data(), data.size());
}

std::array<std::uint8_t, 16> Md5::final() {
  std::array<std::uint8_t, 16> out{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_->ctx, out.data(), &len);
  EVP_DigestInit_ex(ctx_->ctx, md5_md(), nullptr);
  return out;
}

std::string base64_encode(std::span<const std::uint8_t> data) {
  std::string out(4 * ((data.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(),
                          static_cast<int>(data.size()));
  out.resize(std::size_t(n));
  return out;
}

}  // namespace pbs
