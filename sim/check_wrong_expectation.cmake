# A scenario whose expectations are wrong must fail, and show every wrong field with the
# expected and the actual value side by side. Run by CTest (sim_wrong_expectation_shows_diff).
execute_process(COMMAND ${SIM} ${DIR}/wrong-expectation.json
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message(STATUS "redial-sim said:\n${out}${err}")
if(rc EQUAL 0)
  message(FATAL_ERROR "a wrong expectation passed (exit status 0)")
endif()
foreach(pattern
    "FAIL  [^\n]*wrong-expectation.json"
    "field +expected +actual"
    "leads\\.12345\\.status +pending +completed"
    "leads\\.12345\\.attempts +3 +4"
    "leads\\.12345\\.dials_at +\\[14:05, 14:10\\] +\\[14:05, 14:10, 14:15\\]"
    "totals\\.redials +2 +3")
  if(NOT out MATCHES "${pattern}")
    message(FATAL_ERROR "the failure output lacks /${pattern}/")
  endif()
endforeach()
# Fields that match are not listed.
if(out MATCHES "totals\\.calls")
  message(FATAL_ERROR "a matching field (totals.calls) was listed as a difference")
endif()
