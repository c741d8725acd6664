# tests/fixtures.cmake — one ctest test per fixture folder: every folder
# directly under fixtures/ that holds *.c files anywhere below it (except
# fixtures/cfg, the CFG dump goldens, and fixtures/config, the config and
# rule-pack samples) is run through tests/run_fixtures.py, which compares
# connlint's findings with the `// expect: RULE` comments. Plus a self-test
# of the runner against a fake connlint.
find_package(Python3 COMPONENTS Interpreter QUIET)
if(Python3_Interpreter_FOUND)
  file(GLOB _fixture_dirs LIST_DIRECTORIES true CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/fixtures/*)
  list(SORT _fixture_dirs)
  foreach(_dir ${_fixture_dirs})
    get_filename_component(_name ${_dir} NAME)
    if(NOT IS_DIRECTORY ${_dir} OR _name STREQUAL "cfg" OR _name STREQUAL "config")
      continue()
    endif()
    file(GLOB_RECURSE _c_files CONFIGURE_DEPENDS ${_dir}/*.c)
    if(_c_files)
      add_test(NAME fixture.${_name}
               COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/run_fixtures.py
                       $<TARGET_FILE:connlint> ${_dir})
    endif()
  endforeach()
  add_test(NAME fixture_runner.selftest
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/run_fixtures_selftest.py
                   ${CMAKE_SOURCE_DIR}/tests/run_fixtures.py)
endif()
