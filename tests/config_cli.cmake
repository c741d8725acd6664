# tests/config_cli.cmake — the binary's command line and configuration
# handling end to end (tests/config_cli_test.py): usage errors exit 2 with
# one message, a broken config names FILE:LINE:COL and the key, the packs,
# rules and help are listed.
find_package(Python3 COMPONENTS Interpreter QUIET)
if(Python3_Interpreter_FOUND)
  foreach(case unknown_key config_found_upwards list_packs list_rules explain unknown_option
               bad_values help_version missing_path unknown_pack bad_pack_file
               verbose_coverage)
    add_test(NAME config_cli.${case}
             COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/config_cli_test.py
                     $<TARGET_FILE:connlint> ${CMAKE_SOURCE_DIR} ${case})
  endforeach()
endif()
