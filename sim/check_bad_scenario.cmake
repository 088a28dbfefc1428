# A malformed scenario is refused with a message naming the file and the field.
execute_process(COMMAND ${SIM} ${DIR}/bad-field.json
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message(STATUS "redial-sim said:\n${out}${err}")
if(rc EQUAL 0)
  message(FATAL_ERROR "a malformed scenario was accepted")
endif()
if(NOT out MATCHES "bad-field\\.json: leads\\[0\\]\\.first_call_at: .*\"25:00\"")
  message(FATAL_ERROR "the error does not name the file and the field leads[0].first_call_at")
endif()
