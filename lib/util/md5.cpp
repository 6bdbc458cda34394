#include "util/md5.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <vector>

#include "util/file_io.h"
#include "util/hex.h"

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

Result<std::string> file_md5_hex(const std::string& path) {
  PBS_ASSIGN(UniqueFd fd, open_file(path, O_RDONLY));
  Md5 md5;
  std::vector<std::uint8_t> buf(1 << 20);
  for (;;) {
    ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error(errno, "read", path);
    }
    if (n == 0) break;
    md5.update(std::span(buf).first(std::size_t(n)));
  }
  return to_hex(md5.final());
}

}  // namespace pbs
