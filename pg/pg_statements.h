#pragma once
// The statements PgStore runs, prepared once per connection (pg_statements.cpp has their SQL
// and says why each is shaped as it is; docs/scaling.md).
#include <pqxx/pqxx>

namespace redial::pg {

// Statement names, for pqxx::transaction_base::exec_prepared.
inline constexpr const char* kPut = "redial_put";                 // upsert a lead row
inline constexpr const char* kPutMany = "redial_put_many";        // upsert many, from arrays
inline constexpr const char* kPutClaimed = "redial_put_claimed";  // update unless changed
inline constexpr const char* kTryLockLead = "redial_try_lock";    // lock or create, no wait
inline constexpr const char* kWaitKey = "redial_wait_key";        // the key's creation lock
inline constexpr const char* kLockLead = "redial_lock";           // lock or create, waiting
inline constexpr const char* kDropStub = "redial_drop_stub";      // a placeholder not written
inline constexpr const char* kDeleteLead = "redial_delete_lead";  // an operator's deletion
inline constexpr const char* kRecordCallId = "redial_call_id";    // call id + end its lease
inline constexpr const char* kCallStarted = "redial_call_started";
inline constexpr const char* kCallAccepted = "redial_call_accepted";
inline constexpr const char* kCallEnded = "redial_call_ended";
inline constexpr const char* kRenewLeases = "redial_renew";
inline constexpr const char* kLiveDials = "redial_live_dials";
inline constexpr const char* kDueLeads = "redial_due";
inline constexpr const char* kTakeLease = "redial_take_lease";
inline constexpr const char* kReleaseLease = "redial_release";
inline constexpr const char* kChangedSince = "redial_changed";
inline constexpr const char* kSnapshotXmin = "redial_xmin";

// The status of a placeholder row: a lead being created by an open transaction (never committed).
inline constexpr const char* kStubStatus = "stub";

// Declares every statement on the connection (the schema must be migrated first).
void prepare_statements(pqxx::connection& conn);

}  // namespace redial::pg
