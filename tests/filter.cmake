# tests/filter.cmake — end-to-end tests of suppressions, baselines, levels
# and handler designation through the connlint binary (tests/filter/e2e.py).
find_package(Python3 COMPONENTS Interpreter QUIET)
if(Python3_Interpreter_FOUND)
  foreach(case wrapper unused warnings sarif_suppressions baseline broken_baseline levels handlers_cli)
    add_test(NAME filter.${case}
             COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/filter/e2e.py
                     $<TARGET_FILE:connlint> ${case})
  endforeach()
endif()
