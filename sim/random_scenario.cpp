#include "sim/random_scenario.h"

#include <cstdio>
#include <iterator>
#include <random>

namespace redial::sim {

namespace {

// Draws from one engine with arithmetic of our own, so a seed gives the same numbers with any
// standard library (std::uniform_int_distribution is implementation-defined).
class Draw {
 public:
  explicit Draw(std::uint64_t seed) : rng_(seed) {}
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : rng_() % n; }
  TimeMs between(TimeMs lo, TimeMs hi) {  // [lo, hi]
    return lo + static_cast<TimeMs>(below(static_cast<std::uint64_t>(hi - lo + 1)));
  }
  double unit() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }
  bool chance(double p) { return unit() < p; }

 private:
  std::mt19937_64 rng_;
};

struct Weighted {
  const char* outcome;
  double weight;
};

const Weighted kOutcomes[] = {
    {"VOICEMAIL", 0.33},
    {"DNC_REQUESTED", 0.01},
    {"NO_ANSWER", 0.34},
    {"BUSY", 0.07},
    {"HUNG_UP", 0.05},
    {"TRANSFERRED", 0.10},
    {"NOT_INTERESTED", 0.03},
    {"CALL_BACK_SCHEDULED", 0.03},
    {"DO_NOT_CONTACT", 0.02},
    {"FAILED", 0.015},
    {"NOT_A_REAL_OUTCOME", 0.005},  // rejected by the queue: a bad webhook
};

// Area codes in several zones (with the state they belong to): Eastern, Central, Pacific, Alaska
// and Hawaii, two that span zones (850: Central and Eastern; 208: Mountain and Pacific), and 555
// (no area code: the business zone is assumed).
struct Area {
  const char* code;
  const char* state;
};
const Area kAreas[] = {{"212", "NY"}, {"305", "FL"}, {"415", "CA"}, {"205", "AL"}, {"907", "AK"},
                       {"808", "HI"}, {"850", "FL"}, {"208", "ID"}, {"555", ""},   {"555", ""}};
// Record states that may differ from the number's: both states' rules then apply.
const char* const kStates[] = {"FL", "AL", "CA", "NY", "TX", "PA", "UT", "AK", "OK"};

// The calling-rule settings of a seed: some seeds turn state rules, caps, outcome rules and a
// state cap override on, so every rule is exercised across seeds.
void draw_calling_rules(Draw& draw, RedialPolicy& p, std::string& name) {
  if (draw.chance(0.5)) {
    p.state_rules = true;
    name += ", state rules";
  }
  if (draw.chance(0.5)) {
    p.max_calls_per_lead_24h = 3 + static_cast<int>(draw.below(3));
    p.max_calls_per_phone_24h = p.max_calls_per_lead_24h + static_cast<int>(draw.below(3));
    name += ", caps " + std::to_string(p.max_calls_per_lead_24h) + "/" +
            std::to_string(p.max_calls_per_phone_24h);
  }
  if (draw.chance(0.5)) {
    p.outcome_rules = parse_outcome_rules(
        "BUSY=5m;NOT_INTERESTED=never;NO_ANSWER=2m,10m,1h,1d;DO_NOT_CONTACT=dnc;DNC_REQUESTED=dnc",
        "random outcome_rules");
    name += ", outcome rules";
  }
  if (draw.chance(0.25)) {
    p.state_call_limit_override = "FL,2;NY,3";
    name += ", cap override";
  }
}

}  // namespace

Scenario make_random_scenario(const RandomOptions& o) {
  if (o.leads < 0) throw ScenarioError("--leads: must not be negative");
  if (o.days < 1) throw ScenarioError("--days: must be at least 1");
  int y = 0;
  unsigned mo = 0, d = 0;
  if (std::sscanf(o.start_date.c_str(), "%4d-%2u-%2u", &y, &mo, &d) != 3)
    throw ScenarioError("--start: expected YYYY-MM-DD");

  Scenario sc;
  sc.file = "random:" + std::to_string(o.seed);
  sc.name = "random seed " + std::to_string(o.seed) + ", " + std::to_string(o.leads) + " leads, " +
            std::to_string(o.days) + " days" + (o.faults ? ", faults" : "");
  sc.seed = o.seed;
  sc.defaults.webhook_dial_seq = o.webhook_dial_seq;
  // Fold the journal now and then, as the month store does, so restarts also load snapshots.
  sc.store.checkpoint_after_mutations = 20000;
  BusinessCalendar cal(sc.policy.time_zone, sc.policy.business_open_s, sc.policy.business_close_s,
                       sc.policy.business_weekdays);
  sc.time.emplace(cal, y, mo, d);
  const LocalDay day0 = cal.local_day(cal.local_to_epoch(y, mo, d, 12 * 3600));
  sc.start = cal.start_of_day(day0) + 8 * kHourMs;  // DST days are never 08:00-ambiguous
  sc.end = cal.start_of_day(day0 + o.days) - 1;

  Draw draw(o.seed);
  draw_calling_rules(draw, sc.policy, sc.name);
  auto open_on = [&](int day, int s) { return cal.start_of_day(day0 + day) + s * kSecondMs; };
  const int open_s = sc.policy.business_open_s, close_s = sc.policy.business_close_s;

  sc.leads.reserve(static_cast<std::size_t>(o.leads));
  for (int i = 0; i < o.leads; ++i) {
    LeadSpec l;
    l.lead_id = "L" + std::to_string(i);
    // 1 lead in 100 shares the previous lead's phone: the queue must never call it twice at once.
    int phone_n = (i > 0 && draw.chance(0.01)) ? i - 1 : i;
    const Area& area = kAreas[static_cast<std::size_t>(phone_n) % std::size(kAreas)];
    char phone[32];
    std::snprintf(phone, sizeof phone, "+1%s%07d", area.code, phone_n % 10000000);
    l.phone_number = phone;
    double st = draw.unit();
    if (st < 0.25) {
      l.state = area.state;
    } else if (st < 0.4) {
      l.state = kStates[draw.below(std::size(kStates))];
    }
    // A few numbers are on the do-not-call file, written in another format.
    if (draw.chance(0.005)) {
      std::snprintf(phone, sizeof phone, "(%s) %03d-%04d", area.code, phone_n % 10000000 / 10000,
                    phone_n % 10000);
      sc.dnc.push_back(phone);
    }
    int day = i % o.days;
    // Local wall times on a DST day are still fine: start_of_day + seconds is an instant.
    l.first_call_at = open_on(
        day, open_s + static_cast<int>(draw.below(static_cast<std::uint64_t>(close_s - open_s))));
    l.call_ms = draw.between(5, 300) * kSecondMs;
    l.webhook_delay_ms = draw.between(1, 10) * kSecondMs;
    for (int c = 0; c < 10; ++c) {
      double x = draw.unit(), acc = 0;
      OutcomeSpec os;
      for (const auto& w : kOutcomes) {
        acc += w.weight;
        if (x < acc) {
          os.outcome = w.outcome;
          break;
        }
      }
      if (os.outcome == "CALL_BACK_SCHEDULED") {
        // Later the same day or the next morning; sometimes already past when the result comes.
        int cb_day = day + static_cast<int>(draw.below(2));
        os.callback_at = open_on(
            cb_day,
            open_s + static_cast<int>(draw.below(static_cast<std::uint64_t>(close_s - open_s))));
      }
      l.outcomes.push_back(os);
    }
    sc.leads.push_back(std::move(l));
  }
  if (o.faults) {
    std::size_t n = 0;
    auto add = [&](EventSpec e) {
      e.where = "random[" + std::to_string(n++) + "]";
      sc.events.push_back(std::move(e));
    };
    for (const LeadSpec& l : sc.leads) {
      for (int call = 1; call <= 10; ++call) {
        EventSpec e;
        e.lead_id = l.lead_id;
        e.call = call;
        if (draw.chance(0.005)) {
          e.type = EventType::kLoseWebhook;
          add(e);
        } else if (draw.chance(0.03)) {
          e.type = EventType::kDelayWebhook;
          e.delay_ms = draw.between(300, 2700) * kSecondMs;  // past the next tick, often past
          add(e);                                            // the call timeout (out of order)
        }
        if (draw.chance(0.03)) {
          e.type = EventType::kDuplicateWebhook;
          e.delay_ms = draw.between(0, 600) * kSecondMs;
          add(e);
        }
        if (call > 1 && draw.chance(0.02)) {
          e.type = EventType::kDialError;
          static const int statuses[] = {429, 429, 429, 500, 502, 503};
          e.http_status = statuses[draw.below(6)];
          e.retry_after_ms.reset();
          if (e.http_status == 429) e.retry_after_ms = 10 * kSecondMs;
          e.times = 1 + static_cast<int>(draw.below(2));
          add(e);
        }
        if (call > 1 && draw.chance(0.003)) {
          e.type = EventType::kDialTimeout;
          e.times = 1;
          add(e);
        }
        if (call > 1 && draw.chance(0.01)) {
          e.type = EventType::kSlowDialResponse;
          e.delay_ms = draw.between(5, 400) * kSecondMs;  // often after the webhook
          add(e);
        }
        if (draw.chance(0.0005)) {
          e.type = EventType::kRestart;
          e.point = draw.chance(0.5) ? RestartPoint::kBeforeAck : RestartPoint::kAfterAck;
          e.downtime_ms = draw.between(0, 90) * kSecondMs;
          add(e);
        }
        if (call > 1 && draw.chance(0.0003)) {
          e.type = EventType::kRestart;
          e.point = RestartPoint::kInDial;
          e.downtime_ms = 0;
          add(e);
        }
      }
    }
    for (int day = 0; day < o.days; ++day) {
      for (int k = 0; k < 3; ++k) {  // crashes at any moment of the business day
        EventSpec e;
        e.type = EventType::kRestart;
        e.at = open_on(day, open_s + static_cast<int>(
                                         draw.below(static_cast<std::uint64_t>(close_s - open_s))));
        e.downtime_ms = draw.between(0, 180) * kSecondMs;
        add(e);
      }
      EventSpec f;
      f.type = EventType::kSyncFailure;
      f.at = open_on(
          day, open_s + static_cast<int>(draw.below(static_cast<std::uint64_t>(close_s - open_s))));
      add(f);
    }
  }
  return sc;
}

}  // namespace redial::sim
