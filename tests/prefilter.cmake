# prefilter.cmake — the textual pre-filter changes no result: every fixture
# folder gives the same reports and exit status with and without it.
find_package(Python3 COMPONENTS Interpreter QUIET)
if(Python3_Interpreter_FOUND)
  add_test(NAME prefilter.same_results
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/prefilter_test.py $<TARGET_FILE:connlint>
           WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
endif()
