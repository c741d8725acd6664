# package.cmake — the Debian package: scripts/check_deb.sh runs `cpack -G
# DEB` in the build folder and checks the package's contents in a clean
# folder (dpkg-deb -x): binary, man page, packs, runtime dependencies.
find_program(_bash bash)
if(_bash)
  add_test(NAME package.deb COMMAND ${_bash} ${CMAKE_SOURCE_DIR}/scripts/check_deb.sh ${CMAKE_BINARY_DIR})
  set_tests_properties(package.deb PROPERTIES SKIP_RETURN_CODE 77)
endif()
