# package_deb.cmake — `cpack -G DEB` (run in the build folder) makes a
# Debian package of what `cmake --install` installs: the binary, the man
# page and the packs' JSON under share/connlint/rules. Its runtime
# dependencies are the Debian packages that own the libclang and cJSON
# libraries this build linked against (found with dpkg -S), nothing else.
# cpack (and `make install`) package what was built and build nothing
# first: the package test runs beside the others, and a rebuild there would
# replace the binary under them.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY TRUE)

function(_connlint_owning_package lib out)
  set(${out} "" PARENT_SCOPE)
  find_program(_dpkg dpkg)
  if(NOT _dpkg OR NOT lib)
    return()
  endif()
  get_filename_component(_real "${lib}" REALPATH)
  execute_process(COMMAND ${_dpkg} -S "${_real}" OUTPUT_VARIABLE _owner RESULT_VARIABLE _rc
                  ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(_rc EQUAL 0 AND _owner MATCHES "^([^:,]+)")
    set(${out} "${CMAKE_MATCH_1}" PARENT_SCOPE)
  endif()
endfunction()

find_library(_cjson_runtime NAMES cjson HINTS ${CJSON_LIBRARY_DIRS})
_connlint_owning_package("${LIBCLANG_LIBRARY}" _clang_pkg)
_connlint_owning_package("${_cjson_runtime}" _cjson_pkg)
set(_deps "")
foreach(_p ${_clang_pkg} ${_cjson_pkg})
  if(_deps)
    string(APPEND _deps ", ")
  endif()
  string(APPEND _deps "${_p}")
endforeach()

set(CPACK_PACKAGE_NAME connlint)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "connlint maintainers <connlint@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "linter for C resources acquired and not released on every path")
set(CPACK_PACKAGE_DESCRIPTION "connlint finds database connections and other resources that are acquired and not released on every path, and per-request connections opened outside request handlers. Built on libclang; library knowledge comes from JSON rule packs.")
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "${_deps}")
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR DEB)
include(CPack)
