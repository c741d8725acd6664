# outputs.cmake — end-to-end tests of the reports (SPEC §5): SARIF validated
# by the Microsoft SARIF multitool (skipped when it is not installed, except
# in CI), deterministic output, atomic -o, stable fingerprints, and text /
# github / json agreeing with each other on tests/outputs/project.
find_package(Python3 COMPONENTS Interpreter QUIET)
set(_outputs ${CMAKE_SOURCE_DIR}/tests/outputs)

# Every fixture folder that holds C files (not the golden CFG and config
# ones) is validated too; the first two folders also give baseline states.
file(GLOB _fixture_dirs LIST_DIRECTORIES true ${CMAKE_SOURCE_DIR}/fixtures/*)
list(SORT _fixture_dirs)
set(_sarif_dirs ${_outputs}/project)
foreach(_d ${_fixture_dirs})
  get_filename_component(_name ${_d} NAME)
  file(GLOB_RECURSE _c_files ${_d}/*.c)
  if(IS_DIRECTORY ${_d} AND _c_files AND NOT _name STREQUAL "cfg" AND NOT _name STREQUAL "config")
    list(APPEND _sarif_dirs ${_d})
  endif()
endforeach()
list(APPEND _sarif_dirs ${_outputs}/broken)
add_test(NAME outputs.sarif_validates
  COMMAND sh ${_outputs}/validate_sarif.sh $<TARGET_FILE:connlint> ${_sarif_dirs})
set_tests_properties(outputs.sarif_validates PROPERTIES SKIP_RETURN_CODE 77)

if(Python3_Interpreter_FOUND)
  foreach(_check deterministic atomic fingerprints formats)
    add_test(NAME outputs.${_check}
      COMMAND ${Python3_EXECUTABLE} ${_outputs}/check_outputs.py $<TARGET_FILE:connlint> ${_check})
  endforeach()
endif()

# codeclimate (GitLab Code Quality) and checkstyle: validated against
# tests/outputs/gitlab-codequality.schema.json and checkstyle.xsd, and
# compared with the JSON report, on the same folders as SARIF.
if(Python3_Interpreter_FOUND)
  add_test(NAME outputs.ci_formats_validate
    COMMAND ${Python3_EXECUTABLE} ${_outputs}/validate_ci_formats.py $<TARGET_FILE:connlint> ${_sarif_dirs})
  set_tests_properties(outputs.ci_formats_validate PROPERTIES SKIP_RETURN_CODE 77)
endif()
