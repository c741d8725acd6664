# tests/hostile.cmake — issue 13 end to end (tests/hostile_test.py): what a
# hostile tree or a careless command line can do to a run. Each case
# generates its own small inputs in a temporary folder.
find_package(Python3 COMPONENTS Interpreter QUIET)
if(Python3_Interpreter_FOUND)
  foreach(case special_files outputs_over_inputs stdout_failures deep_nesting depth_truncation
               many_exits include_device worker_crash parse_timeout macro_include_device)
    add_test(NAME hostile.${case}
             COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/hostile_test.py
                     $<TARGET_FILE:connlint> ${CMAKE_SOURCE_DIR} ${case})
    set_tests_properties(hostile.${case} PROPERTIES TIMEOUT 600)
    if(CONNLINT_SANITIZE)
      set_tests_properties(hostile.${case} PROPERTIES ENVIRONMENT CONNLINT_SANITIZED=1)
    endif()
  endforeach()
endif()
