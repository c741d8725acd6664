# precommit.cmake — the pre-commit hook (.pre-commit-hooks.yaml, SPEC §7)
# end to end in a throw-away git repository: a leaking file is refused, a
# clean one is committed. Skipped without git or pre-commit, except in CI.
add_test(NAME precommit.hook
  COMMAND sh ${CMAKE_SOURCE_DIR}/tests/precommit/run_precommit.sh
          $<TARGET_FILE:connlint> ${CMAKE_SOURCE_DIR})
set_tests_properties(precommit.hook PROPERTIES SKIP_RETURN_CODE 77)
