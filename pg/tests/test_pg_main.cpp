// The PostgreSQL store's tests run against the throwaway cluster tests/pg_cluster.sh started
// (REDIAL_PG_STATE names its state file). Without a server they exit 77 (CTest: skipped) with a
// loud message.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include "pg/tests/pg_test_support.h"

namespace redial::testing {
std::string g_pg_cluster_url;
}

int main(int argc, char** argv) {
  const char* state = std::getenv("REDIAL_PG_STATE");
  std::string first, rest;
  if (state != nullptr) {
    std::ifstream in(state);
    in >> first;
    std::getline(in, rest);
  }
  if (first.empty() || first == "SKIP") {
    std::cerr << std::string(78, '!') << "\n!!! PostgreSQL store tests SKIPPED: "
              << (state == nullptr ? "REDIAL_PG_STATE is not set" : rest) << "\n"
              << std::string(78, '!') << "\n";
    return 77;
  }
  redial::testing::g_pg_cluster_url = first;
  return Catch::Session().run(argc, argv);
}
