#include <catch2/catch.hpp>

#include "runner/hmac.h"

using namespace redial::runner;

TEST_CASE("HMAC-SHA256 matches RFC 4231 test case 2") {
  CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE(
    "signature check accepts exact, upper-case and prefixed signatures and refuses wrong ones") {
  std::string body = R"({"call_id":"c1"})";
  std::string sig = hmac_sha256_hex("s3cret", body);
  CHECK(signature_matches("s3cret", body, sig));
  std::string upper = sig;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(signature_matches("s3cret", body, upper));
  CHECK(signature_matches("s3cret", body, "sha256=" + sig));
  CHECK_FALSE(signature_matches("other", body, sig));
  CHECK_FALSE(signature_matches("s3cret", body + " ", sig));
  CHECK_FALSE(signature_matches("s3cret", body, sig.substr(0, 63)));
  CHECK_FALSE(signature_matches("s3cret", body, ""));
}
