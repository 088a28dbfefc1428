#include "sim/simulation.h"

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <cassert>
#include <chrono>

#include "core/errors.h"
#include "core/phone.h"
#include "sim/timeline.h"

namespace redial::sim {

namespace {

// In a world of up to this many leads (every scenario file) the queue's consistency is checked
// after every tick and result; in a bigger one (random runs) after every restart and at the end
// only: the check walks every record, and per step it made a 10k-lead run 3-5x slower.
constexpr std::size_t kConsistencyEveryStepMaxLeads = 1000;

std::string duration_text(TimeMs ms) {
  TimeMs s = ms / 1000;
  std::string out;
  if (s >= 86400) out += std::to_string(s / 86400) + "d", s %= 86400;
  if (s >= 3600) out += std::to_string(s / 3600) + "h", s %= 3600;
  if (s >= 60) out += std::to_string(s / 60) + "m", s %= 60;
  if (s > 0 || out.empty()) out += std::to_string(s) + "s";
  return out;
}

const OutcomeSpec kNoAnswer{};

}  // namespace

Simulation::Simulation(const Scenario& scenario, SimOptions options)
    : sc_(scenario),
      opt_(std::move(options)),
      clock_(scenario.start),
      bland_(*this),
      timers_(*this),
      gate_(*this),
      checker_(scenario.policy),
      trace_(opt_.trace_out, ""),
      logger_(opt_.logger) {
  if (!logger_) {
    logger_ = std::make_shared<spdlog::logger>("redial-sim",
                                               std::make_shared<spdlog::sinks::null_sink_mt>());
    // Nobody reads these lines: with the level off the core skips building them at all.
    logger_->set_level(spdlog::level::off);
  }
  if (kTotalNames.size() != kTotalCount) throw std::logic_error("kTotalNames and Total differ");
  if (sc_.store.checkpoint_after_mutations)
    store_.set_checkpoint_after(*sc_.store.checkpoint_after_mutations);
  if (opt_.timeline) timeline_ = std::make_unique<TimelineRecorder>(sc_.time->calendar());
}

Simulation::~Simulation() = default;

// ---- trace ----

void Simulation::trace(const std::string& kind, const std::string& key, const std::string& detail,
                       TimeMs until_ms) {
  TimeMs t = now();
  if (t != trace_time_cache_) {
    trace_time_cache_ = t;
    trace_time_text_ = sc_.time->full(t);
    if (t % kSecondMs != 0) trace_time_text_ += "." + std::to_string(t % kSecondMs);
  }
  std::string line = trace_time_text_;
  line += "  ";
  line += kind;
  if (kind.size() < 14) line.append(14 - kind.size(), ' ');
  if (!key.empty()) {
    line += "  ";
    line += key;
  }
  if (!detail.empty()) {
    line += key.empty() ? "  " : ": ";
    line += detail;
  }
  trace_.line(line);
  if (timeline_) timeline_->on_trace(t, kind, key, detail, until_ms);
}

std::string Simulation::record_text(const std::string& key) const {
  const LeadRecord* r = queue_ ? queue_->find(key) : nullptr;
  if (r == nullptr) return "no record";
  std::string s =
      "attempts=" + std::to_string(r->attempts) + " status=" + std::string(status_name(r->status));
  if (r->status == LeadStatus::kPending) s += " next=" + fmt(r->next_redial_timestamp);
  if (r->status == LeadStatus::kRescheduled && r->scheduled_callback_time)
    s += " callback=" + fmt(*r->scheduled_callback_time);
  return s;
}

// ---- scheduling ----

void Simulation::at(TimeMs t, std::string label, std::function<void()> fn, bool background) {
  events_.schedule(t, std::move(fn), background, std::move(label));
}

void Simulation::at_same_process(TimeMs t, const std::string& label, std::function<void()> fn) {
  std::uint64_t epoch = epoch_;
  at(t, label, [this, epoch, label, fn = std::move(fn)] {
    if (epoch != epoch_ || !up_) {
      trace("lost", "", label + ": its process is gone");
      return;
    }
    fn();
  });
}

void Simulation::run_when_up(const std::string& label, std::function<void()> fn) {
  if (up_) {
    fn();
    return;
  }
  trace("retry", "",
        label + ": process down, sent again in " +
            std::to_string(sc_.defaults.webhook_retry_ms / 1000) + "s");
  at(now() + sc_.defaults.webhook_retry_ms, label,
     [this, label, fn = std::move(fn)] { run_when_up(label, fn); });
}

void Simulation::crash_after_event(TimeMs downtime_ms, const std::string& why) {
  if (!pending_crash_) {
    pending_crash_ = downtime_ms;
    pending_crash_why_ = why;
  }
}

// ---- the world ----

std::size_t Simulation::lead_index(const std::string& lead_id, const std::string& phone) {
  std::string key = make_lead_key(lead_id, phone);
  auto it = by_key_.find(key);
  if (it != by_key_.end()) return it->second;
  SimLead l;
  l.spec.lead_id = lead_id;
  l.spec.phone_number = phone;
  l.spec.call_ms = sc_.defaults.call_ms;
  l.spec.webhook_delay_ms = sc_.defaults.webhook_delay_ms;
  l.key = key;
  l.phone = normalize_phone(phone);
  leads_.push_back(std::move(l));
  by_key_[key] = leads_.size() - 1;
  by_lead_id_.emplace(lead_id, leads_.size() - 1);
  return leads_.size() - 1;
}

const OutcomeSpec& Simulation::outcome_of(const SimLead& l, int call) const {
  if (call >= 1 && static_cast<std::size_t>(call) <= l.spec.outcomes.size())
    return l.spec.outcomes[static_cast<std::size_t>(call - 1)];
  return kNoAnswer;
}

void Simulation::place_call(std::size_t li, int call, TimeMs t, const PlaceHow& how) {
  SimLead& l = leads_[li];
  l.calls = call;
  if (how.dial_seq) l.dial_seqs[call] = *how.dial_seq;
  ++n_[kCalls];
  const OutcomeSpec& o = outcome_of(l, call);
  const bool error_state = !how.error_state.empty();
  TimeMs end = error_state ? t : t + o.call_ms.value_or(l.spec.call_ms);
  std::string call_id = l.spec.lead_id + "-c" + std::to_string(call);
  bland_.register_call(call_id, l.spec.lead_id, call,
                       PlacedCall{how.request_body, l.key, o, t, end, how.error_state, false});
  checker_.call_started(l.phone, l.key, call_id, t, end, how.dial_seq.has_value());
  if (error_state) {  // Bland gave up on it: no conversation, no webhook
    trace("call", l.key,
          std::string(how.how) + " " + call_id + " ends at once in Bland error state " +
              how.error_state + "; no webhook");
    return;
  }
  SimLead::WebhookPlan plan;
  if (auto it = l.webhooks.find(call); it != l.webhooks.end()) plan = it->second;
  std::string detail =
      std::string(how.how) + " " + call_id + " -> " + o.outcome + ", ends " + fmt(end);
  trace("call", l.key, detail);
  Webhook w{li, call, call_id, o, false, how.dial_seq};
  at(end, "end of call " + call_id, [this, li, call_id, lost = plan.lost] {
    trace("call_end", leads_[li].key, call_id + (lost ? " (its webhook is lost)" : ""));
  });
  if (plan.lost) {
    ++n_[kWebhooksLost];
    return;
  }
  TimeMs wt = end + o.webhook_delay_ms.value_or(l.spec.webhook_delay_ms) + plan.extra_delay_ms;
  schedule_webhook(w, wt);
  Webhook copy = w;
  copy.copy = true;
  for (TimeMs off : plan.duplicate_offsets_ms) schedule_webhook(copy, wt + off);
}

std::string Simulation::connect(SimLead& lead, TimeMs t, std::uint64_t dial_seq,
                                const std::string& request_body, const std::string& error_state) {
  std::size_t li = by_key_.at(lead.key);
  int call = lead.calls + 1;
  place_call(li, call, t, PlaceHow{"redial", dial_seq, request_body, error_state});
  return lead.spec.lead_id + "-c" + std::to_string(call);
}

SimLead& Simulation::lead_by_key(const std::string& key) {
  auto it = by_key_.find(key);
  if (it != by_key_.end()) return leads_[it->second];
  const LeadRecord* r = queue_ ? queue_->find(key) : nullptr;
  assert(r != nullptr);  // the dialer only dials leads the queue has
  return leads_[lead_index(r->lead_id, r->phone_number)];
}

const SimLead* Simulation::find_lead_by_key(const std::string& key) const {
  auto it = by_key_.find(key);
  return it == by_key_.end() ? nullptr : &leads_[it->second];
}

SimLead& Simulation::dial_started(const DialRequest& r) {
  std::size_t li;
  auto it = by_key_.find(r.key);
  if (it != by_key_.end()) {
    li = it->second;
  } else {
    li = lead_index(r.lead.lead_id, r.lead.phone_number);
  }
  SimLead& l = leads_[li];
  l.dials_at.push_back(now());
  ++n_[kRedials];
  trace("dial", r.key,
        "attempt " + std::to_string(r.attempt_number) + ", dial #" + std::to_string(r.dial_seq));
  std::string outside =
      checker_.on_dial(now(), event_label_, r, queue_ ? queue_->find(r.key) : nullptr);
  if (!outside.empty()) {
    ++n_[kOutsideOverlaps];
    trace("note", r.key,
          "call " + outside +
              " made outside the queue is still in progress on this phone; the "
              "queue cannot see it");
  }
  return l;
}

void Simulation::schedule_webhook(const Webhook& w, TimeMs t) {
  at(t, "webhook " + w.call_id + (w.copy ? " (duplicate)" : ""), [this, w] { deliver(w); });
}

void Simulation::deliver(const Webhook& w_in) {
  SimLead& l = leads_[w_in.lead];
  Webhook w = w_in;
  if (!w.dial_seq && w.call > 0) {  // a copy scheduled before its call was dialed
    if (auto it = l.dial_seqs.find(w.call); it != l.dial_seqs.end()) w.dial_seq = it->second;
  }
  std::string what = w.call_id + " " + w.outcome.outcome + (w.copy ? " (duplicate)" : "");
  if (!up_) {
    trace("webhook", l.key,
          what + ": process down, not acknowledged; sent again in " +
              duration_text(sc_.defaults.webhook_retry_ms));
    schedule_webhook(w, now() + sc_.defaults.webhook_retry_ms);
    return;
  }
  const LeadRecord* before = queue_->find(l.key);
  int before_attempts = before ? before->attempts : -1;
  // Bland's post-call body for this call, taken by the runner's own webhook code.
  const bland::IntakeResult in =
      proc_->intake->take(bland_.webhook_body(w.call_id, l.spec, w.outcome));
  if (in.kind == bland::IntakeResult::kRejected) {
    ++n_[kRejected];
    trace("webhook", l.key, what + ": rejected (400): " + in.error);
    return;
  }
  if (in.kind == bland::IntakeResult::kIgnored) {
    trace("webhook", l.key, what + ": ignored (200): " + in.why);
    return;
  }
  const ApplyResult* res = &in.applied;
  static const char* kinds[] = {"created", "updated", "duplicate"};
  trace("webhook", res->key,
        what + " -> " + kinds[static_cast<int>(res->kind)] + ", " + record_text(res->key));
  checker_.on_applied(now(), event_label_, w.call_id, *res, before_attempts);
  if (leads_.size() <= kConsistencyEveryStepMaxLeads)
    checker_.queue_consistent(now(), event_label_, *queue_);
  if (w.call > 0 && !w.copy) {
    auto hook = l.restart_before_ack.find(w.call);
    if (hook != l.restart_before_ack.end()) {
      TimeMs down = hook->second.downtime_ms;
      std::string where = hook->second.where;
      l.restart_before_ack.erase(hook);
      crash(down, "between writing and acknowledging " + w.call_id + " (" + where + ")");
      trace("webhook", l.key,
            what + ": never acknowledged; sent again in " +
                duration_text(sc_.defaults.webhook_retry_ms));
      schedule_webhook(w, now() + sc_.defaults.webhook_retry_ms);
      return;
    }
  }
  try {
    queue_->sync();
  } catch (const StoreError& e) {
    trace("store", "", std::string("sync failed: ") + e.what());
    crash(0, "store sync failed before acknowledging " + w.call_id);
    schedule_webhook(w, now() + sc_.defaults.webhook_retry_ms);
    return;
  }
  ++n_[res->kind == ApplyKind::kDuplicate ? kDuplicates : kResults];
  const LeadRecord* after = queue_->find(res->key);
  if (after != nullptr) {
    checker_.on_ack(now(), event_label_, res->key, w.call_id, *res, *after, w.outcome.callback_at);
  }
  if (w.call > 0 && !w.copy) {
    auto hook = l.restart_after_ack.find(w.call);
    if (hook != l.restart_after_ack.end()) {
      TimeMs down = hook->second.downtime_ms;
      std::string where = hook->second.where;
      l.restart_after_ack.erase(hook);
      crash(down, "right after acknowledging " + w.call_id + " (" + where + ")");
    }
  }
}

// ---- the process ----

void Simulation::make_queue() {
  queue_ = std::make_unique<RedialQueue>(sc_.policy, clock_, store_, gate_, logger_);
  queue_->set_calling_rules(rules_);
  if (dnc_list_) queue_->set_dnc_list(dnc_list_);
  queue_->set_event_listener([this](const QueueEvent& e) {
    // The tick summary and the dial itself are traced by the simulator with more detail.
    if (e.kind == "tick" || e.kind == "dial") return;
    if (e.kind == "released") ++n_[kReleased];  // by the tick or by the dialer's reconcile
    trace("queue." + e.kind, e.key, e.detail, e.until_ms);
  });
  proc_ = std::make_unique<Process>();
  proc_->dialer = std::make_unique<bland::BlandDialer>(sim_dialer_config(), clock_, timers_, bland_,
                                                       proc_->counters, mapping_);
  proc_->applier = std::make_unique<bland::ResultApplier>(*queue_, proc_->counters);
  proc_->intake = std::make_unique<bland::WebhookIntake>(*queue_, *proc_->applier, mapping_,
                                                         /*webhook_events=*/false);
  proc_->dialer->attach(*queue_, *proc_->applier, [this] { dirty_ = true; });
  // A plan-limit pause that ends ticks at once, as the runner does.
  proc_->dialer->set_on_resume([this] {
    ++tick_gen_;
    schedule_tick(now());
  });
  gate_.set_target(proc_->dialer.get());
}

void Simulation::commit_if_dirty() {
  if (!dirty_ || !up_) return;
  dirty_ = false;
  try {
    queue_->sync();
  } catch (const StoreError& e) {
    trace("store", "", std::string("sync failed after a dial answer: ") + e.what());
    crash_after_event(0, "store sync failed (group commit)");
  }
}

void Simulation::schedule_tick(TimeMs t) {
  std::uint64_t gen = tick_gen_;
  at(
      t, "tick",
      [this, gen] {
        if (gen != tick_gen_ || !up_) return;
        do_tick();
        if (gen == tick_gen_ && up_) schedule_tick(now() + queue_->next_tick_in_ms());
      },
      /*background=*/true);
}

void Simulation::step_wall_clock(TimeMs step_ms, const std::string& where) {
  const TimeMs before = now();
  clock_.step_wall(step_ms);
  events_.shift(step_ms);
  stop_at_ += step_ms;
  trace("clock_step", "",
        std::string(step_ms < 0 ? "back " : "forward ") +
            duration_text(step_ms < 0 ? -step_ms : step_ms) + " (" + where + "): " + fmt(before) +
            " -> " + fmt(now()));
  if (!up_) return;  // a restart asks the new queue
  ++tick_gen_;
  schedule_tick(now() + queue_->next_tick_in_ms());
}

void Simulation::do_tick() {
  TickSummary s;
  try {
    s = queue_->tick();
  } catch (const StoreError& e) {
    trace("store", "", std::string("sync failed in tick: ") + e.what());
    crash_after_event(0, "store sync failed in tick");
    return;
  }
  if (leads_.size() <= kConsistencyEveryStepMaxLeads)
    checker_.queue_consistent(now(), event_label_, *queue_);
  n_[kSkipped] += s.skipped;
  n_[kHeld] += s.held;
  n_[kDncSkips] += s.dnc;
  if (!s.ran) {
    if (s.skipped_reason != last_tick_note_) trace("tick", "", "not run: " + s.skipped_reason);
    last_tick_note_ = s.skipped_reason;
    return;
  }
  last_tick_note_.clear();
  trace("tick", "",
        "ready=" + std::to_string(s.total_ready) + " dialed=" + std::to_string(s.calls_made) +
            " skipped=" + std::to_string(s.skipped) + " held=" + std::to_string(s.held) +
            " dnc=" + std::to_string(s.dnc) + " errors=" + std::to_string(s.errors) +
            " released=" + std::to_string(s.calls_released));
}

void Simulation::crash(TimeMs downtime_ms, const std::string& why) {
  if (!up_) return;  // already down
  trace("crash", "",
        why + (downtime_ms > 0 ? ", down for " + duration_text(downtime_ms) : std::string()));
  gate_.set_target(nullptr);
  proc_.reset();  // the dialer holds the queue
  queue_.reset();
  dirty_ = false;
  store_.crash();
  up_ = false;
  ++epoch_;
  ++tick_gen_;
  ++n_[kRestarts];
  if (downtime_ms == 0) {
    come_up(true);
  } else {
    at(now() + downtime_ms, "restart", [this] { come_up(true); });
  }
}

void Simulation::come_up(bool tick) {
  if (up_) return;
  make_queue();
  queue_->load();
  up_ = true;
  gate_.process_restarted();
  last_tick_note_.clear();
  trace("restart", "",
        "loaded " + std::to_string(queue_->size()) + " records, " +
            std::to_string(queue_->in_flight_calls().size()) + " calls in flight");
  checker_.after_reload(now(), event_label_, *queue_);
  checker_.queue_consistent(now(), event_label_, *queue_);
  if (tick) {
    ++tick_gen_;
    std::uint64_t gen = tick_gen_;
    do_tick();
    // The queue says when its next tick is, as it does to the runner (issue 21).
    if (gen == tick_gen_ && up_) schedule_tick(now() + queue_->next_tick_in_ms());
  }
}

void Simulation::flush_violations() {
  const auto& vs = checker_.violations();
  for (; violations_traced_ < vs.size(); ++violations_traced_) {
    const Violation& v = vs[violations_traced_];
    trace("VIOLATION", "", v.rule + ": " + v.what + " [during " + v.event + "]");
  }
}

bool Simulation::drained() const {
  if (events_.pending_foreground() != 0 || !up_ || pending_crash_) return false;
  if (!queue_->in_flight_calls().empty()) return false;
  StatusCounts c = queue_->counts();
  return c.pending == 0 && c.rescheduled == 0;
}

// ---- the run ----

namespace {

// The Bland-facing code logs through spdlog's default logger (as it does in the runner): during
// a run that is the run's logger, so the simulator's output stays its own.
class DefaultLoggerSwap {
 public:
  explicit DefaultLoggerSwap(std::shared_ptr<spdlog::logger> run_logger)
      : saved_(spdlog::default_logger()) {
    spdlog::set_default_logger(std::move(run_logger));
  }
  ~DefaultLoggerSwap() { spdlog::set_default_logger(saved_); }
  DefaultLoggerSwap(const DefaultLoggerSwap&) = delete;
  DefaultLoggerSwap& operator=(const DefaultLoggerSwap&) = delete;

 private:
  std::shared_ptr<spdlog::logger> saved_;
};

}  // namespace

RunResult Simulation::run() {
  DefaultLoggerSwap logger_swap(logger_);
  RunResult r;
  r.file = sc_.file;
  r.name = sc_.name;
  r.start = sc_.start;
  try {
    trace("scenario", "", sc_.name + " (seed " + std::to_string(sc_.seed) + ")");
    load_rules();
    setup();
    make_queue();
    queue_->load();
    up_ = true;
    schedule_tick(sc_.start);
    const BusinessCalendar& cal = sc_.time->calendar();
    stop_at_ = sc_.end ? *sc_.end : cal.start_of_day(cal.local_day(sc_.start) + 1) - 1;
    while (!events_.empty()) {
      TimeMs t = events_.next_time();
      if (t > stop_at_) break;
      if (!sc_.end && drained()) break;
      auto [when, action] = events_.pop(&event_label_);
      clock_.set(when);
      last_event_ = when;
      action();
      ++events_run_;
      commit_if_dirty();
      while (pending_crash_) {
        TimeMs down = *pending_crash_;
        pending_crash_.reset();
        crash(down, pending_crash_why_);
      }
      flush_violations();
    }
    if (!up_) come_up(false);
    collect(r);
  } catch (const std::exception& e) {
    r.error = e.what();
    r.passed = false;
  }
  return r;
}

void Simulation::collect(RunResult& r) {
  checker_.final_scan(now(), *queue_);
  checker_.queue_consistent(now(), "end of run", *queue_);
  flush_violations();
  StatusCounts c = queue_->counts();
  n_[kPending] = static_cast<long long>(c.pending);
  n_[kRescheduled] = static_cast<long long>(c.rescheduled);
  n_[kCompleted] = static_cast<long long>(c.completed);
  n_[kMaxAttempts] = static_cast<long long>(c.max_attempts);
  n_[kDnc] = static_cast<long long>(c.dnc);
  n_[kRecords] = static_cast<long long>(queue_->size());
  n_[kDialErrors] = static_cast<long long>(bland_.refused_posts() + gate_.lost_dials());
  r.totals = totals();
  r.leads = sc_.leads.size();
  r.last_event = last_event_;
  r.span_text = fmt(sc_.start) + " .. " + fmt(last_event_) + " (" +
                duration_text(last_event_ - sc_.start) + ")";
  r.events = events_run_;
  r.violations = checker_.violations();
  r.invariant_checks = checker_.checks();
  auto actual = [this](const std::string& lead_id) {
    ActualLead a;
    auto it = by_lead_id_.find(lead_id);
    if (it == by_lead_id_.end()) return a;
    const SimLead& l = leads_[it->second];
    a.dials_at = l.dials_at;
    a.calls = l.calls;
    if (const LeadRecord* rec = queue_->find(l.key)) {
      a.exists = true;
      a.record = *rec;
    }
    return a;
  };
  r.diffs = compare_expectations(sc_, actual, r.totals, r.violations.size());
  r.stop_at = stop_at_;
  for (const SimLead& l : leads_) {
    ActualLead a = actual(l.spec.lead_id);
    r.lead_results.push_back({l.spec.lead_id, a.exists, a.exists ? a.record.attempts : 0, a.calls,
                              a.exists ? std::string(status_name(a.record.status)) : "absent",
                              a.dials_at});
  }
  bool violations_ok = sc_.expect.violations ? true : r.violations.empty();
  r.passed = r.error.empty() && r.diffs.empty() && violations_ok;
  r.trace_lines = trace_.lines();
  r.trace_hash = trace_.hash();
  if (timeline_) {
    for (const SimLead& l : leads_) timeline_->describe_lead(l.key, l.phone, l.spec.state);
    // The axis ends a little after the last event (a hold past it is cut at the edge).
    TimeMs pad_ms = std::max<TimeMs>(60 * kSecondMs, (last_event_ - sc_.start) / 50);
    r.timeline = timeline_->finish(sc_.start, std::max(sc_.start, last_event_ + pad_ms), *rules_);
  }
}

std::map<std::string, long long> Simulation::totals() const {
  std::map<std::string, long long> t;
  for (std::size_t i = 0; i < kTotalNames.size(); ++i) t[kTotalNames[i]] = n_[i];
  return t;
}

RunResult run_scenario(const Scenario& scenario, SimOptions options) {
  auto t0 = std::chrono::steady_clock::now();
  RunResult r;
  {
    Simulation sim(scenario, std::move(options));
    r = sim.run();
  }
  r.wall_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace redial::sim
