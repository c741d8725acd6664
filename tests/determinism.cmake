# determinism.cmake — results independent of -j and of file order, on the
# fixtures whose findings depend on summaries across files.
find_package(Python3 COMPONENTS Interpreter QUIET)
if(Python3_Interpreter_FOUND)
  add_test(NAME determinism.order_and_jobs
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/determinism/check_order.py
            $<TARGET_FILE:connlint> ${CMAKE_SOURCE_DIR}/fixtures/interproc
            ${CMAKE_SOURCE_DIR}/fixtures/demo ${CMAKE_SOURCE_DIR}/fixtures/leak)
endif()
