# cfg_golden.cmake — golden tests of the parse stage: `connlint --dump-cfg`
# on every fixtures/cfg/*.c must print exactly its .expected file.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  add_test(NAME cfg_golden
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/run_cfg_golden.py
                   $<TARGET_FILE:connlint> ${CMAKE_SOURCE_DIR}/fixtures/cfg)
else()
  message(WARNING "python3 not found: the cfg_golden test is not registered")
endif()
