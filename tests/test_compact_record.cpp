// The record's compact members: interned outcomes and names, and the queue's call-id hashes.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "core/call_id_hashes.h"
#include "core/lead_record.h"

using namespace redial;

TEST_CASE("an outcome list reads and compares as a vector of its names") {
  OutcomeList list;
  CHECK(list.empty());
  const std::vector<std::string> names = {"VOICEMAIL",
                                          "NO_ANSWER",
                                          "VOICEMAIL",
                                          "BUSY",
                                          "HUNG_UP",
                                          "VOICEMAIL",
                                          "A NAME WITH \"QUOTES\""};
  for (const auto& n : names) list.push_back(n);  // past the inline capacity
  CHECK(list.size() == names.size());
  CHECK(list == names);
  CHECK(static_cast<std::vector<std::string>>(list) == names);
  CHECK(list.back() == names.back());
  CHECK(list[3] == "BUSY");
  CHECK(list.count("VOICEMAIL") == 3);
  CHECK(list.count("NEVER_SEEN_OUTCOME_NAME") == 0);
  CHECK(std::vector<std::string>(list.begin(), list.end()) == names);

  OutcomeList copy = list;
  CHECK(copy == list);
  OutcomeList moved = std::move(copy);
  CHECK(moved == list);
  copy = moved;
  CHECK(copy == list);
  copy = OutcomeList{"VOICEMAIL"};
  CHECK(copy == std::vector<std::string>{"VOICEMAIL"});
  CHECK_FALSE(copy == list);
  copy.clear();
  CHECK(copy.empty());
}

TEST_CASE("an optional name behaves as an optional string") {
  OptionalName n;
  CHECK_FALSE(n);
  CHECK(n == std::optional<std::string>());
  CHECK(n.value_or("null") == "null");
  n = "federal_window";
  CHECK(n);
  CHECK(*n == "federal_window");
  CHECK(n == "federal_window");
  CHECK(n == std::optional<std::string>("federal_window"));
  CHECK_FALSE(n == "state_hours:FL");
  n = std::optional<std::string>();
  CHECK_FALSE(n.has_value());
  n = std::string("");  // an empty name is not null
  CHECK(n.has_value());
  CHECK(n->empty());
  n.reset();
  CHECK_THROWS_AS(n.value(), std::bad_optional_access);
}

TEST_CASE("records with the same content compare equal and write the same bytes") {
  LeadRecord a;
  a.lead_id = "12345";
  a.phone_number = "+15551234567";
  a.outcomes = {"VOICEMAIL", "NO_ANSWER"};
  a.last_outcome = "NO_ANSWER";
  a.hold_reason = "state cap";
  LeadRecord b = a;
  CHECK(a == b);
  std::string ja, jb;
  append_record_json(ja, a);
  append_record_json(jb, b);
  CHECK(ja == jb);
  CHECK(ja.find(R"("outcomes":["VOICEMAIL","NO_ANSWER"],"last_outcome":"NO_ANSWER")") !=
        std::string::npos);
  CHECK(ja.find(R"("hold_reason":"state cap")") != std::string::npos);
  b.outcomes.push_back("BUSY");
  CHECK_FALSE(a == b);
}

TEST_CASE("call-id hashes keep the newest ones, oldest dropped first") {
  CallIdHashes h;
  CHECK_FALSE(h.contains(1));
  for (std::uint64_t i = 1; i <= 20; ++i) h.push(i, 16);
  CHECK(h.size() == 16);
  CHECK_FALSE(h.contains(4));
  CHECK(h.contains(5));
  CHECK(h.contains(20));
  CallIdHashes one;
  one.push(42, 16);
  CHECK(one.size() == 1);
  CHECK(one.contains(42));
}
