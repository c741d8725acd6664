# cache.cmake — the cache, project-consistent subset runs, --shard with
# `connlint merge` and --emit-summary, end to end (tests/cache/
# run_cache_tests.py): one ctest test per part so that a failure names it.
find_package(Python3 COMPONENTS Interpreter QUIET)
if(Python3_Interpreter_FOUND)
  foreach(_part subset helpers corrupt concurrent shard summary summaries)
    add_test(NAME cache.${_part}
             COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/cache/run_cache_tests.py
                     $<TARGET_FILE:connlint> ${CMAKE_SOURCE_DIR} ${_part})
    # cache.subset runs every fixture folder cold and warm: about 11 minutes
    # under the sanitizers on a loaded 2-core machine
    set_tests_properties(cache.${_part} PROPERTIES TIMEOUT 3000)
  endforeach()
endif()
