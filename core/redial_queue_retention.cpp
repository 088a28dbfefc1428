// Retention: months past the retention period are retired, never while the clock disagrees
// with the records (docs/storage.md, "Retention").
#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "core/queue_internal.h"
#include "core/redial_queue.h"

namespace redial {

using namespace internal;

namespace {

// A runner whose clock is a little behind another's (PostgreSQL) is not "before the records".
constexpr TimeMs kClockBehindSlackMs = 10 * kMinuteMs;

// The last time a record matters: its update, or a callback still to come.
TimeMs record_time(const LeadRecord& r) {
  return std::max(r.updated_at, r.scheduled_callback_time.value_or(r.updated_at));
}

std::string month_list(const std::vector<MonthId>& months) {
  std::string names;
  for (MonthId m : months) names += (names.empty() ? "" : ",") + month_name(m);
  return names;
}

std::string days(TimeMs ms) { return std::to_string(ms / kDayMs); }

// Why the clock disagrees with the records (empty: it agrees). A clock before the newest update,
// or so far after it that every month would go, must not empty the queue.
std::string clock_disagreement(TimeMs now, TimeMs newest_update, int retention_days) {
  if (now + kClockBehindSlackMs < newest_update)
    return "the clock (" + std::to_string(now) + ") is before the newest record's updated_at (" +
           std::to_string(newest_update) + ")";
  if (now - newest_update > retention_days * kDayMs)
    return "the clock is " + days(now - newest_update) +
           " days after the newest record's updated_at (" + std::to_string(newest_update) +
           "), more than the retention period (" + std::to_string(retention_days) +
           " days): every month would expire";
  return {};
}

}  // namespace

RetentionReport RedialQueue::enforce_retention() {
  RetentionReport report;
  if (policy_.retention_days == 0) return report;  // 0: never delete
  const TimeMs now = clock_.now_ms();
  const TimeMs period_ms = policy_.retention_days * kDayMs;
  struct MonthInfo {
    TimeMs newest = std::numeric_limits<TimeMs>::min();
    std::size_t records = 0;
  };
  std::map<MonthId, MonthInfo> months;
  TimeMs newest_update = std::numeric_limits<TimeMs>::min();
  for (const auto& [key, slot] : records_) {
    MonthInfo& info = months[slot.month];
    info.newest = std::max(info.newest, record_time(slot.record));
    ++info.records;
    newest_update = std::max(newest_update, slot.record.updated_at);
  }
  if (!records_.empty())
    report.refused = clock_disagreement(now, newest_update, policy_.retention_days);
  if (!report.refused.empty()) {
    REDIAL_LOG(log_, err,
               "Retention refused: nothing moved or deleted {{\"reason\":\"{}\",\"now\":{},"
               "\"records\":{}}}",
               esc(report.refused), now, records_.size());
    return report;
  }
  store_.sync();
  // What was retired before the grace period goes first, so a grace of 0 keeps a month aside
  // until the next run.
  report.purged = store_.purge_retired(now - policy_.retention_grace_days * kDayMs);
  if (!report.purged.empty()) {
    std::string names;
    for (const auto& n : report.purged) names += (names.empty() ? "" : ",") + n;
    REDIAL_LOG(log_, warn,
               "Retention deleted expired month files after the grace period {{\"files\":\"{}\","
               "\"grace_days\":{}}}",
               esc(names), policy_.retention_grace_days);
  }
  const MonthId first_kept = calendar_.month_of(now - period_ms);
  const TimeMs cutoff = now - period_ms;
  std::vector<MonthId> retire;
  for (const auto& [month, info] : months) {
    if (month >= first_kept) continue;
    if (info.newest >= cutoff)
      report.kept.push_back(month);
    else
      retire.push_back(month);
  }
  if (!report.kept.empty())
    REDIAL_LOG(log_, info,
               "Retention kept months holding records updated within the period {{\"months\":"
               "\"{}\"}}",
               month_list(report.kept));
  if (retire.empty()) return report;
  retire_months(report, retire, now);
  return report;
}

void RedialQueue::retire_months(RetentionReport& report, const std::vector<MonthId>& retire,
                                TimeMs now) {
  checkpoint();  // every record of those months is in their files before the files move
  report.retired = store_.drop_months(retire, now);
  const std::set<MonthId> gone(report.retired.begin(), report.retired.end());
  for (auto it = records_.begin(); it != records_.end();) {
    if (!gone.count(it->second.month)) {
      ++it;
      continue;
    }
    erase_record(it++);
    ++report.records;
  }
  checkpoint();
  REDIAL_LOG(log_, warn,
             "Retention moved old months aside {{\"months\":\"{}\",\"records\":{},"
             "\"retention_days\":{},\"grace_days\":{}}}",
             month_list(report.retired), report.records, policy_.retention_days,
             policy_.retention_grace_days);
}

}  // namespace redial
