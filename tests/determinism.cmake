# determinism.cmake — results independent of -j and of file order, on the
# fixtures whose findings depend on summaries across files.
find_package(Python3 COMPONENTS Interpreter QUIET)
if(Python3_Interpreter_FOUND)
  add_test(NAME determinism.order_and_jobs
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/determinism/check_order.py
            $<TARGET_FILE:connlint> ${CMAKE_SOURCE_DIR}/fixtures/interproc
            ${CMAKE_SOURCE_DIR}/fixtures/demo ${CMAKE_SOURCE_DIR}/fixtures/leak)
endif()

# -j runs the summaries and the checks on threads: the text, JSON and SARIF
# reports with -j 2 and -j 4 must equal those with -j 1, without the cache
# and with a cold and a warm one, on the folders with files that lend each
# other summaries (fixtures/parallel: a header function every file sees,
# a cycle of calls across files).
if(Python3_Interpreter_FOUND)
  add_test(NAME determinism.jobs
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/determinism/check_jobs.py
            $<TARGET_FILE:connlint> ${CMAKE_SOURCE_DIR}/fixtures/parallel
            ${CMAKE_SOURCE_DIR}/fixtures/demo ${CMAKE_SOURCE_DIR}/fixtures/interproc
            ${CMAKE_SOURCE_DIR}/fixtures/realworld ${CMAKE_SOURCE_DIR}/fixtures/leak
            ${CMAKE_SOURCE_DIR}/fixtures/values ${CMAKE_SOURCE_DIR}/fixtures/ownership
            ${CMAKE_SOURCE_DIR}/fixtures/prefilter)
  set_tests_properties(determinism.jobs PROPERTIES TIMEOUT 600)
endif()
