# init.cmake — `connlint --init` (tests/init_test.py): the starter config it
# writes for generated trees, and that it never replaces an existing one.
find_package(Python3 COMPONENTS Interpreter QUIET)
if(Python3_Interpreter_FOUND)
  add_test(NAME init.starter_config COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/init_test.py $<TARGET_FILE:connlint>)
endif()
