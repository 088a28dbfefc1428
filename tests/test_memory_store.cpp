// MemoryStore keeps the durable state folded as each sync lands: a crash loses exactly what was
// appended after the last sync, and load() gives what a full replay of the journal would.
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>

#include "core/errors.h"
#include "core/memory_store.h"

using namespace redial;

namespace {

RecordPut put(const std::string& key, int attempts, TimeMs at,
              std::optional<std::string> call_id = std::nullopt) {
  LeadRecord r;
  r.lead_id = key;
  r.phone_number = "+1555000" + key;
  r.attempts = attempts;
  r.updated_at = at;
  r.last_call_id = std::move(call_id);
  return RecordPut{202512, key, r};
}

std::map<std::string, int> attempts_by_key(const StoreState& s) {
  std::map<std::string, int> out;
  for (const auto& r : s.records) out[r.key] = r.record.attempts;
  return out;
}

// Sees only what the checkpoint asks for: no calls in flight, the given call ids.
struct FixedSource final : RecordSource {
  std::vector<CallSeen> seen;
  void for_each_in_month(
      MonthId, const std::function<void(const std::string&, const LeadRecord&)>&) const override {}
  std::vector<InFlightCall> in_flight_calls() const override { return {}; }
  std::vector<CallSeen> recent_call_ids() const override { return seen; }
};

}  // namespace

TEST_CASE("memory store: a crash loses what was not synced and keeps what was") {
  MemoryStore store;
  CHECK(store.load().records.empty());
  store.append(put("a", 1, 10, "c1"));
  store.append(CallStarted{InFlightCall{7, "5550001", "a", "", 10}});
  store.sync();
  // Appended, never synced: a newer version of a, a new record b, and the end of the call.
  store.append(put("a", 2, 20, "c2"));
  store.append(put("b", 1, 20));
  store.append(CallEnded{"5550001", 7, "result"});
  store.crash();

  StoreState s = store.load();
  CHECK(attempts_by_key(s) == std::map<std::string, int>{{"a", 1}});
  REQUIRE(s.in_flight.size() == 1);
  CHECK(s.in_flight[0].dial_seq == 7);
  REQUIRE(s.seen.size() == 1);
  CHECK(s.seen[0].call_id == "c1");
  CHECK(store.durable_mutations() == 2);

  // The store keeps its state across loads; a later sync lands on top of it.
  store.append(put("b", 1, 30));
  store.append(CallEnded{"5550001", 7, "result"});
  store.sync();
  store.crash();  // nothing pending: nothing lost
  s = store.load();
  CHECK(attempts_by_key(s) == std::map<std::string, int>{{"a", 1}, {"b", 1}});
  CHECK(s.in_flight.empty());
  CHECK(attempts_by_key(store.load()) == attempts_by_key(s));
}

TEST_CASE("memory store: a failed sync makes nothing durable") {
  MemoryStore store;
  store.append(put("a", 1, 10));
  store.fail_next_sync();
  CHECK_THROWS_AS(store.sync(), StoreError);
  store.crash();
  CHECK(store.load().records.empty());
  CHECK(store.durable_mutations() == 0);
}

TEST_CASE("memory store: the folded state equals a replay of the synced journal") {
  std::vector<Mutation> journal = {
      put("b", 1, 10, "b1"),
      put("a", 1, 11, "a1"),
      CallStarted{InFlightCall{1, "5550001", "a", "", 12}},
      CallStarted{InFlightCall{2, "5550002", "b", "", 12}},
      CallAccepted{"5550001", 1, "a2"},
      CallAccepted{"5550002", 99, "stale"},  // another dial: ignored
      put("a", 2, 13, "a2"),
      CallEnded{"5550001", 1, "result"},
      CallSeen{"b", "b0", 5},
      put("c", 0, 14),
  };
  MemoryStore store;
  StateBuilder replay;
  for (const auto& m : journal) {
    store.append(m);
    replay.apply(m);
  }
  store.sync();
  StoreState folded = store.load();
  StoreState expected = replay.take();
  auto by_key = [](const StoredRecord& x, const StoredRecord& y) { return x.key < y.key; };
  std::sort(expected.records.begin(), expected.records.end(), by_key);
  REQUIRE(folded.records.size() == expected.records.size());
  for (std::size_t i = 0; i < folded.records.size(); ++i) {
    CHECK(folded.records[i].key == expected.records[i].key);
    CHECK(folded.records[i].month == expected.records[i].month);
    CHECK(folded.records[i].record == expected.records[i].record);
  }
  CHECK(folded.in_flight == expected.in_flight);
  REQUIRE(folded.seen.size() == expected.seen.size());
  for (std::size_t i = 0; i < folded.seen.size(); ++i) {
    CHECK(folded.seen[i].key == expected.seen[i].key);
    CHECK(folded.seen[i].call_id == expected.seen[i].call_id);
    CHECK(folded.seen[i].at == expected.seen[i].at);
  }
}

TEST_CASE("memory store: a checkpoint empties the journal and keeps the records") {
  MemoryStore store;
  store.set_checkpoint_after(2);
  store.append(put("a", 1, 10, "a1"));
  store.append(put("b", 1, 10, "b1"));
  store.sync();
  CHECK_FALSE(store.wants_checkpoint());
  store.append(put("a", 2, 20, "a2"));
  store.sync();
  CHECK(store.wants_checkpoint());
  FixedSource source;
  source.seen = {CallSeen{"a", "a2", 20}};
  store.checkpoint(source);
  CHECK(store.durable_mutations() == 0);
  CHECK(store.checkpoints() == 1);
  store.crash();
  StoreState s = store.load();
  CHECK(attempts_by_key(s) == std::map<std::string, int>{{"a", 2}, {"b", 1}});
  REQUIRE(s.seen.size() == 1);  // the queue's list replaces the journal's
  CHECK(s.seen[0].call_id == "a2");
}
