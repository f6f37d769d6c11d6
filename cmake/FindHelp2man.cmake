# SPDX-License-Identifier: MIT OR Apache-2.0
# find_package(Help2man): help2man, which writes podpull(1) from the command's --help
# (PODPULL_BUILD_MAN). Sets Help2man_FOUND, HELP2MAN_EXECUTABLE and Help2man_VERSION.
find_program(HELP2MAN_EXECUTABLE help2man)
if(HELP2MAN_EXECUTABLE)
    execute_process(COMMAND ${HELP2MAN_EXECUTABLE} --version OUTPUT_VARIABLE _help2man_out
                    ERROR_QUIET RESULT_VARIABLE _help2man_rc)
    if(_help2man_rc EQUAL 0 AND _help2man_out MATCHES "help2man ([0-9.]+)")
        set(Help2man_VERSION ${CMAKE_MATCH_1})
    endif()
endif()
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Help2man REQUIRED_VARS HELP2MAN_EXECUTABLE
                                  VERSION_VAR Help2man_VERSION)
mark_as_advanced(HELP2MAN_EXECUTABLE)
