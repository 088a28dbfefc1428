#pragma once
// A fresh database per test on the test cluster, and queue policies for shared-store tests.
#include <pqxx/pqxx>
#include <string>

#include "core/redial_policy.h"

namespace redial::testing {

extern std::string g_pg_cluster_url;

// Drops and creates the database; returns its URL.
inline std::string fresh_pg_database(const std::string& name) {
  pqxx::connection c(g_pg_cluster_url);
  pqxx::nontransaction n(c);
  n.exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  n.exec("CREATE DATABASE " + name);
  return g_pg_cluster_url.substr(0, g_pg_cluster_url.rfind('/') + 1) + name;
}

inline long pg_count(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::read_transaction r(c);
  return r.exec(sql)[0][0].as<long>();
}

// Dial at any hour, no gaps: the tests are about claims, not calling rules.
inline RedialPolicy any_hour_policy() {
  RedialPolicy p;
  p.business_open_s = 0;
  p.business_close_s = 24 * 3600;
  p.federal_window = false;
  p.min_call_gap_ms = 0;
  p.ready_window_days = 0;
  return p;
}

}  // namespace redial::testing
