# outputs.cmake — end-to-end tests of the reports (SPEC §5): SARIF validated
# by the Microsoft SARIF multitool (skipped when it is not installed, except
# in CI), deterministic output, atomic -o, stable fingerprints, and text /
# github / json agreeing with each other on tests/outputs/project.
find_package(Python3 COMPONENTS Interpreter QUIET)
set(_outputs ${CMAKE_SOURCE_DIR}/tests/outputs)

add_test(NAME outputs.sarif_validates
  COMMAND sh ${_outputs}/validate_sarif.sh $<TARGET_FILE:connlint>
          ${_outputs}/project ${_outputs}/broken ${CMAKE_SOURCE_DIR}/fixtures/demo)
set_tests_properties(outputs.sarif_validates PROPERTIES SKIP_RETURN_CODE 77)

if(Python3_Interpreter_FOUND)
  foreach(_check deterministic atomic fingerprints formats)
    add_test(NAME outputs.${_check}
      COMMAND ${Python3_EXECUTABLE} ${_outputs}/check_outputs.py $<TARGET_FILE:connlint> ${_check})
  endforeach()
endif()
