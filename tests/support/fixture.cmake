# SPDX-License-Identifier: MIT OR Apache-2.0
# The podpull_registry ctest fixture: tests/support/registry-up.sh starts a private registry
# with test images before the tests that need it, registry-down.sh removes it all afterwards
# (ctest runs the cleanup even when a test or the setup failed). Its state lives in the build
# dir. Tests that need it:
#   set_tests_properties(t PROPERTIES FIXTURES_REQUIRED ${PODPULL_TEST_FIXTURE}
#                                     ENVIRONMENT "${PODPULL_TEST_ENVIRONMENT}")
# and read the registry, image names and IDs from the file $PODPULL_TEST_ENV.
find_program(PODPULL_BASH bash REQUIRED)

set(PODPULL_TEST_FIXTURE podpull_registry)
set(PODPULL_TEST_SUPPORT_DIR ${CMAKE_CURRENT_LIST_DIR})
set(PODPULL_TEST_STATE_DIR ${PROJECT_BINARY_DIR}/test-registry)
# CONTAINERS_CONF: every podman a test starts, even one the library forgot to hand the `env`
# option to, keeps its runtime state (tmp_dir, locks) in the state dir, not /run or /dev/shm.
set(PODPULL_TEST_ENVIRONMENT
    "PODPULL_TEST_ENV=${PODPULL_TEST_STATE_DIR}/env"
    "CONTAINERS_CONF=${PODPULL_TEST_STATE_DIR}/containers.conf")
# The OS images take half a minute to make; runs that pull only the small images go without.
if(NOT DEFINED PODPULL_FIXTURE_OS_IMAGE)
    set(PODPULL_FIXTURE_OS_IMAGE ON CACHE BOOL "the test fixture makes the OS images")
endif()

# The podman releases the real-pull tests run on: every one scripts/podman-peers.sh knows
# (the host's 4.3 and the chroots it makes). A run may name fewer (-DPODPULL_TEST_RELEASES=4.3,
# as scripts/test.sh does for the sanitizer builds); the fixture checks that each one runs.
if(NOT DEFINED PODPULL_TEST_RELEASES)
    execute_process(COMMAND ${PODPULL_BASH} ${PROJECT_SOURCE_DIR}/scripts/podman-peers.sh --list
                    OUTPUT_VARIABLE _podpull_releases OUTPUT_STRIP_TRAILING_WHITESPACE
                    COMMAND_ERROR_IS_FATAL ANY)
    string(REPLACE "\n" ";" _podpull_releases "${_podpull_releases}")
    set(PODPULL_TEST_RELEASES "${_podpull_releases}" CACHE STRING
        "podman releases the integration tests run on (scripts/podman-peers.sh --list)")
endif()
# The host's release: the one that also runs what involves no podman at all.
set(PODPULL_TEST_HOST_RELEASE 4.3)

# podpull_add_release_tests(NAME COMMAND... [TIMEOUT s] [FILTER catch-filter] [SCRIPT]): one
# ctest entry per release, NAME@podman-R, running COMMAND with PODPULL_TEST_RELEASE=R and the
# fixture. COMMAND is a Catch2 binary, given the filter as its last argument: test cases tagged
# [no-podman] (fakes, option checks) run on the host's release only. SCRIPT: COMMAND is no
# Catch2 binary, and gets no filter.
function(podpull_add_release_tests name)
    cmake_parse_arguments(arg "SCRIPT" "TIMEOUT;FILTER" "COMMAND" ${ARGN})
    foreach(release IN LISTS PODPULL_TEST_RELEASES)
        set(filter "${arg_FILTER}")
        if(NOT release STREQUAL PODPULL_TEST_HOST_RELEASE)
            # Catch2 ORs the parts between commas: each part gets the exclusion.
            string(REPLACE "," "~[no-podman]," filter "${filter}")
            set(filter "${filter}~[no-podman]")
        endif()
        if(arg_SCRIPT)
            add_test(NAME ${name}@podman-${release} COMMAND ${arg_COMMAND})
        else()
            add_test(NAME ${name}@podman-${release} COMMAND ${arg_COMMAND} "${filter}")
        endif()
        set_tests_properties(${name}@podman-${release} PROPERTIES
            FIXTURES_REQUIRED ${PODPULL_TEST_FIXTURE}
            ENVIRONMENT "${PODPULL_TEST_ENVIRONMENT};PODPULL_TEST_RELEASE=${release}"
            TIMEOUT ${arg_TIMEOUT})
    endforeach()
endfunction()

# The fixture's two tests are added once, by whichever directory includes this first.
get_property(_podpull_fixture_added GLOBAL PROPERTY PODPULL_TEST_FIXTURE_ADDED)
if(_podpull_fixture_added)
    return()
endif()
set_property(GLOBAL PROPERTY PODPULL_TEST_FIXTURE_ADDED TRUE)

if(PODPULL_FIXTURE_OS_IMAGE)
    set(_podpull_os_image 1)
else()
    set(_podpull_os_image 0)
endif()
string(REPLACE ";" " " _podpull_releases "${PODPULL_TEST_RELEASES}")
add_test(NAME podpull_registry_up
         COMMAND ${CMAKE_COMMAND} -E env PODPULL_FIXTURE_OS_IMAGE=${_podpull_os_image}
                 "PODPULL_FIXTURE_RELEASES=${_podpull_releases}"
                 ${PODPULL_BASH} ${PODPULL_TEST_SUPPORT_DIR}/registry-up.sh ${PODPULL_TEST_STATE_DIR})
set_tests_properties(podpull_registry_up PROPERTIES
    FIXTURES_SETUP ${PODPULL_TEST_FIXTURE}
    TIMEOUT 300
    RESOURCE_LOCK podpull_registry_state)
add_test(NAME podpull_registry_down
         COMMAND ${PODPULL_BASH} ${PODPULL_TEST_SUPPORT_DIR}/registry-down.sh ${PODPULL_TEST_STATE_DIR})
set_tests_properties(podpull_registry_down PROPERTIES
    FIXTURES_CLEANUP ${PODPULL_TEST_FIXTURE}
    TIMEOUT 120
    RESOURCE_LOCK podpull_registry_state)
