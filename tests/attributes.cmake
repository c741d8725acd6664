# attributes.cmake — packs derived from allocator attributes
# (tests/attributes_test.py): the flag and the config key, --list-packs,
# a one-file run against the whole tree, and the cache's keys.
find_package(Python3 COMPONENTS Interpreter QUIET)
if(Python3_Interpreter_FOUND)
  add_test(NAME attributes.derived_packs COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/attributes_test.py $<TARGET_FILE:connlint>)
endif()
