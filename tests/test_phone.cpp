#include <catch2/catch.hpp>

#include "core/errors.h"
#include "core/phone.h"

using namespace redial;

TEST_CASE("phone numbers in every common US spelling give the seed's key") {
  for (const char* raw : {"+15551234567", "(555) 123-4567", "1-555-123-4567", "555.123.4567",
                          "5551234567", "+1 (555) 123-4567", "15551234567"}) {
    INFO(raw);
    CHECK(make_lead_key("12345", raw) == "12345_5551234567");
  }
}

TEST_CASE("international numbers keep their country code") {
  CHECK(normalize_phone("+44 20 7946 0958") == "442079460958");
  CHECK(dialable_phone("442079460958") == "+442079460958");
  CHECK(dialable_phone("5551234567") == "+15551234567");
}

TEST_CASE("an unparseable phone is a clear error naming the field") {
  for (const char* raw :
       {"", "555-1234", "abc", "+1555123456789012", "555123456x", "25551234567", "++15551234567"}) {
    INFO(raw);
    try {
      normalize_phone(raw);
      FAIL("accepted " << raw);
    } catch (const InputError& e) {
      CHECK(e.field() == "phone_number");
      CHECK(std::string(e.what()).find("phone_number") == 0);
    }
  }
}

TEST_CASE("a lead key needs a lead id") {
  CHECK_THROWS_AS(make_lead_key("", "+15551234567"), InputError);
  try {
    make_lead_key("", "+15551234567");
  } catch (const InputError& e) {
    CHECK(e.field() == "lead_id");
  }
}
