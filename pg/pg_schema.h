#pragma once
// The PostgreSQL schema's migrations (pg_schema.cpp; docs/scaling.md).
#include <pqxx/pqxx>

namespace redial {

// Applies every migration not yet applied, each in its own transaction under an advisory lock
// (several runners may start at once). Returns the schema version. Throws pqxx errors.
int migrate_pg_schema(pqxx::connection& conn);

}  // namespace redial
