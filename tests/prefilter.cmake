# prefilter.cmake — the textual pre-filter changes no finding: every fixture
# folder (and a one-file subset run of each project folder) gives the same
# reports with and without it (tests/prefilter_test.py).
find_package(Python3 COMPONENTS Interpreter QUIET)
if(Python3_Interpreter_FOUND)
  add_test(NAME prefilter.same_results
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/prefilter_test.py $<TARGET_FILE:connlint>
           WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  set_tests_properties(prefilter.same_results PROPERTIES TIMEOUT 1800)
endif()
