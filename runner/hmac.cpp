#include "runner/hmac.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "runner/settings.h"

namespace redial::runner {

namespace {
std::string hex(const unsigned char* p, std::size_t n) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out += kHex[p[i] >> 4];
    out += kHex[p[i] & 15];
  }
  return out;
}
}  // namespace

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &len);
  return hex(mac, len);
}

bool constant_time_equals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool signature_matches(std::string_view secret, std::string_view body, std::string_view header) {
  if (header.substr(0, 7) == "sha256=") header.remove_prefix(7);
  std::string expected = hmac_sha256_hex(secret, body);
  std::string given(header);
  for (auto& c : given) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return constant_time_equals(given, expected);
}

std::string random_token_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1)
    throw std::runtime_error("cannot get random bytes for the webhook token (OpenSSL RAND_bytes)");
  return hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

void resolve_webhook_token(Settings& s) {
  if (!s.webhook_secret.empty() || !s.webhook_token.empty()) return;
  std::filesystem::path path = std::filesystem::path(s.data_dir) / "webhook.token";
  std::ifstream in(path);
  if (in) {
    std::string token;
    std::getline(in, token);
    if (!valid_webhook_token(token))
      throw std::runtime_error(path.string() +
                               ": not a valid webhook token (16-128 of A-Z a-z 0-9 - _); fix or "
                               "delete it (a new one breaks the URLs of calls in flight)");
    s.webhook_token = token;
    return;
  }
  std::error_code ec;
  std::filesystem::create_directories(s.data_dir, ec);
  std::string token = random_token_hex(32);
  // O_EXCL: never overwrite a token another process wrote meanwhile; 0600: it is a credential.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error(path.string() + ": cannot create: " + std::strerror(errno));
  std::string line = token + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
            (!s.fsync || ::fsync(fd) == 0);
  ::close(fd);
  if (!ok) throw std::runtime_error(path.string() + ": cannot write: " + std::strerror(errno));
  s.webhook_token = token;
}

}  // namespace redial::runner
