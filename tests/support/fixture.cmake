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

# The fixture's two tests are added once, by whichever directory includes this first.
get_property(_podpull_fixture_added GLOBAL PROPERTY PODPULL_TEST_FIXTURE_ADDED)
if(_podpull_fixture_added)
    return()
endif()
set_property(GLOBAL PROPERTY PODPULL_TEST_FIXTURE_ADDED TRUE)

add_test(NAME podpull_registry_up
         COMMAND ${PODPULL_BASH} ${PODPULL_TEST_SUPPORT_DIR}/registry-up.sh ${PODPULL_TEST_STATE_DIR})
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
