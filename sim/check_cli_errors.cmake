# Bad command lines are refused with exit code 2 and one message naming what was wrong; nothing
# is written where it could not be. SIM: redial-sim; SCEN: a scenario file; WORK: a scratch dir.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
file(WRITE ${WORK}/three.conf "max-attempts = 3\n")
file(WRITE ${WORK}/typo.conf "max-attempt = 3\n")
file(WRITE ${WORK}/bad.conf "max-attempts = three\n")

function(expect_refused what pattern)
  execute_process(COMMAND ${SIM} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE err)
  message(STATUS "${what}: exit ${rc}: ${err}")
  if(NOT rc EQUAL 2)
    message(FATAL_ERROR "${what}: exit ${rc}, expected 2\n${out}${err}")
  endif()
  if(NOT err MATCHES "${pattern}")
    message(FATAL_ERROR "${what}: the message does not match '${pattern}':\n${err}")
  endif()
endfunction()

expect_refused("--report-lanes 0" "--report-lanes: must be at least 1"
               --report-lanes 0 --report ${WORK}/r.html ${SCEN})
expect_refused("unwritable --report" "${WORK}/no/such/dir/r\\.html"
               --report ${WORK}/no/such/dir/r.html ${SCEN})
expect_refused("--compare with one file" "compare"
               --compare ${WORK}/three.conf)
expect_refused("--config and --compare" "--config and --compare: give one of them"
               --config ${WORK}/three.conf --compare ${WORK}/three.conf ${WORK}/three.conf ${SCEN})
expect_refused("a misspelt setting" "typo\\.conf.*max-attempt"
               --config ${WORK}/typo.conf ${SCEN})
expect_refused("a bad value" "bad\\.conf.*max-attempts"
               --config ${WORK}/bad.conf ${SCEN})
if(EXISTS ${WORK}/r.html)
  message(FATAL_ERROR "a refused command line wrote its report")
endif()

# A missing data directory is a failed run (exit 1) whose line names the directory.
execute_process(COMMAND ${SIM} --from-data ${WORK}/no-data RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE err)
message(STATUS "--from-data missing: exit ${rc}: ${out}")
if(NOT rc EQUAL 1 OR NOT out MATCHES "${WORK}/no-data: no such data directory")
  message(FATAL_ERROR "--from-data of a missing directory: exit ${rc}\n${out}${err}")
endif()

# --compare A B runs the scenario twice and prints both columns.
execute_process(COMMAND ${SIM} --compare ${WORK}/three.conf ${WORK}/three.conf ${SCEN}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "compare .*dials outside business hours \\(must be 0\\) +0 +0")
  message(FATAL_ERROR "--compare A B: exit ${rc}\n${out}${err}")
endif()
