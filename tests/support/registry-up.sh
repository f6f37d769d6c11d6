#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# registry-up.sh STATE_DIR
#
# The integration tests' fixture: a private CNCF distribution registry on 127.0.0.1 at a free
# port, filled with test images built by podman in a private, throw-away storage. Everything
# lives under STATE_DIR; registry-down.sh STATE_DIR removes it all again.
#
# On success STATE_DIR/env holds shell assignments the tests read:
#   PODPULL_TEST_REGISTRY       127.0.0.1:PORT
#   PODPULL_TEST_IMAGE          127.0.0.1:PORT/podpull/test:v1 (3 random layers, ~8, ~4, ~1 MB)
#   PODPULL_TEST_IMAGE_ID       its full 64-hex image ID as podman reports it
#   PODPULL_TEST_OCI_ARCHIVE    STATE_DIR/test-oci.tar, the same image as an oci-archive
#   PODPULL_TEST_OCI_ARCHIVE_ID the ID podman reports after pulling that archive
#   PODPULL_TEST_BIG_IMAGE      127.0.0.1:PORT/podpull/big:v1 (one 64 MB random layer)
#   PODPULL_TEST_DERIVED_IMAGE  127.0.0.1:PORT/podpull/derived:v1: the test image's three layers
#                               and one more of 32 MB; pulled after the test image, it gives a
#                               body with skipped layers and byte counts (what a real pull body
#                               looks like on each release is recorded from it)
#   PODPULL_TEST_DERIVED_IMAGE_ID  its image ID
#   PODPULL_TEST_DISTINCT_IMAGES   four repository paths (podpull/distinct-N:v1), each an image
#                               of two random layers of its own (8+2N MiB and 1 MiB), for the
#                               concurrency tests; PODPULL_TEST_DISTINCT_IMAGE_IDS their IDs
#   PODPULL_TEST_DEMO_IMAGE     with PODPULL_FIXTURE_DEMO_IMAGE=1 only: podpull/demo:v1 through
#                               the slowed relay (layers of 160, 96, 64 and 32 MB)
#   PODPULL_TEST_BIG_IMAGE_ID   its image ID
#   PODPULL_TEST_SLOW_REGISTRY  127.0.0.1:PORT2, the same registry behind throttle-proxy.py
#                               (PODPULL_TEST_SLOW_RATE bytes/s per connection)
#   PODPULL_TEST_SLOW_IMAGE, PODPULL_TEST_SLOW_BIG_IMAGE  the two images through it
#   PODPULL_TEST_PODMAN         the podman binary used
#   PODPULL_TEST_PYTHON3        a python3 interpreter (absolute path) for test helper scripts
#   PODPULL_TEST_CONTAINERS_CONF a containers.conf that keeps podman's state under STATE_DIR
#   PODPULL_TEST_AUTH_REGISTRY  127.0.0.1:PORT3, a second registry that serves HTTPS only (a
#                               server certificate for IP 127.0.0.1 from a test CA made here)
#                               and wants a user name and password (htpasswd, bcrypt)
#   PODPULL_TEST_AUTH_IMAGE     127.0.0.1:PORT3/podpull/test:v1, the test image pushed there
#   PODPULL_TEST_AUTH_IMAGE_ID  its image ID (the same as PODPULL_TEST_IMAGE_ID)
#   PODPULL_TEST_AUTH_USER, PODPULL_TEST_AUTH_PASSWORD  its one account; the password is
#                               random, made at every setup, and is on no command line
#   PODPULL_TEST_CA_DIR         a directory holding ca.crt, the test CA (for --cert-dir, or to
#                               copy into a certs.d/127.0.0.1:PORT3/ directory)
#   PODPULL_TEST_RELEASES       the podman releases the suite runs on: "4.3 5.4 5.8 6.1", or
#                               those PODPULL_FIXTURE_RELEASES names
#   PODPULL_TEST_PODMAN_<R>     each release's podman (4_3 is /usr/bin/podman; the others the
#                               launchers of scripts/podman-peers.sh), and
#   PODPULL_TEST_PODMAN_VERSION_<R> the version it reports ("5.4.2")
#   PODPULL_TEST_PODMAN_EXE_<R> the podman executable as /proc/PID/exe of a running podman names
#                               it (for a chroot release, the binary inside its root file system)
#   PODPULL_TEST_PODMAN_ARGV0_<R> the argv[0] such a podman runs with (the launcher execs
#                               /usr/bin/podman inside the chroot)
#   PODPULL_TEST_OS_IMAGE       127.0.0.1:PORT/podpull/os:v1: a real Debian root file system
#                               (the 5.8 peer's chroot) in 48 gzip layers, smallest first, one
#                               of them ~35 MB, many of a few MB, some tiny (make-os-image.py)
#   PODPULL_TEST_OS_SIBLING_IMAGE  podpull/os-sibling:v1: shares every other layer with it
#   PODPULL_TEST_OS_MANIFEST, PODPULL_TEST_OS_SIBLING_MANIFEST  what make-os-image.py wrote
#                               of each (image ID, config and layer digests and sizes), JSON
#   PODPULL_TEST_SLOW_OS_IMAGE, PODPULL_TEST_SLOW_OS_SIBLING_IMAGE  both through the relay
#   PODPULL_TEST_MULTI_IMAGE    127.0.0.1:PORT/podpull/multi:v1, an OCI index: linux/amd64 is
#                               the test image, linux/arm64/v8 a small made-up image
#   PODPULL_TEST_MULTI_MANIFEST what make-multi-arch.py wrote of each entry, JSON by arch
#   With PODPULL_FIXTURE_OS_IMAGE=0 the OS images are not made (the sanitizer builds' runs,
#   which pull only the small images); their keys are then empty.
#
# Every key, certificate and password lives in STATE_DIR/tls (mode 0700), and the env file
# is 0600; none of them is written anywhere else, and nothing at all is written to /etc.
#
# podman is always run with --root/--runroot under STATE_DIR (the runroot goes to /tmp when
# STATE_DIR is too long for podman: see pm below), --storage-driver vfs, and
# CONTAINERS_CONF pointing at a generated containers.conf whose tmp_dir, lock files and
# image-copy tmp dir are under STATE_DIR too, so the system's storage, /run/libpod and
# /dev/shm are never touched. On failure the logs go to stderr and everything is torn down.
set -euo pipefail

if [ $# -ne 1 ] || [ -z "$1" ]; then
    echo "usage: $0 STATE_DIR" >&2
    exit 2
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
state=$(realpath -m -- "$1")
marker=.podpull-test-state

case "$state" in
/ | /tmp | /root | /home | /usr | /var | /etc | /run | /work)
    echo "registry-up.sh: refusing to use $state as a state dir" >&2
    exit 2
    ;;
esac
for bad in '"' "'" '\' ' ' $'\t' $'\n' '$' '`'; do
    if [[ "$state" == *"$bad"* ]]; then
        echo "registry-up.sh: the state dir path must not contain quotes, blanks, \$, \` or \\: $state" >&2
        exit 2
    fi
done

for tool in docker-registry podman curl python3 head realpath setsid openssl htpasswd base64 skopeo; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "registry-up.sh: '$tool' is not installed (run scripts/install-deps.sh)" >&2
        exit 1
    fi
done

# A state dir left by an earlier run (killed test, ^C): tear it down first.
if [ -e "$state" ]; then
    if [ -f "$state/$marker" ]; then
        echo "registry-up.sh: removing a stale state dir $state"
        bash "$here/registry-down.sh" "$state"
    elif [ -n "$(ls -A "$state" 2>/dev/null)" ]; then
        echo "registry-up.sh: $state exists, is not empty and is not a podpull test state dir" >&2
        exit 1
    fi
fi

mkdir -p "$state"
touch "$state/$marker"
mkdir -p "$state/registry" "$state/tmp" "$state/podman-tmp" "$state/ctx-test" "$state/ctx-big" \
    "$state/ctx-derived"

ok=0
on_exit() {
    local rc=$?
    if [ "$ok" -ne 1 ]; then
        echo "registry-up.sh: FAILED (exit $rc); logs follow" >&2
        for log in "$state"/*.log; do
            [ -f "$log" ] || continue
            echo "----- $log" >&2
            tail -n 60 "$log" >&2
        done
        bash "$here/registry-down.sh" "$state" >&2 || true
        [ "$rc" -ne 0 ] || rc=1
    fi
    exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

now_ms() { date +%s%3N; }
t_start=$(now_ms)
step_start=$t_start
step() { # step NAME: print how long the step that just finished took
    local t
    t=$(now_ms)
    printf 'registry-up.sh: %-28s %6d ms\n' "$1" $((t - step_start))
    step_start=$t
}

# --- podman, kept entirely inside STATE_DIR ----------------------------------------------
longest_runroot_name=/run-storage-oci # the longest "/run-$name" that pm is given
cat >"$state/containers.conf" <<EOF
# Generated by registry-up.sh: keeps podman's runtime state out of /run/libpod and /dev/shm.
[engine]
tmp_dir = "$state/podman-tmp"
lock_type = "file"
events_logger = "none"
image_copy_tmp_dir = "$state/tmp"
EOF
export CONTAINERS_CONF="$state/containers.conf"
export TMPDIR="$state/tmp"

podman_bin=$(command -v podman)
python_bin=$(python3 -c 'import sys; print(sys.executable)')

# podman refuses a --runroot longer than 50 characters (pkg/domain/infra/runtime_libpod.go in
# 4.3.1). The build storages' runroots (lock and state files only) go in STATE_DIR when its
# path is short enough, else in a private directory under /tmp that STATE_DIR/runroots names
# and registry-down.sh removes with everything else.
runroots="$state"
if [ $((${#state} + ${#longest_runroot_name})) -gt 50 ]; then
    runroots=$(mktemp -d /tmp/podpull-rr.XXXXXX)
    echo "$runroots" >"$state/runroots"
fi

pm() { # pm STORAGE_NAME ARGS...: podman on a private vfs storage under STATE_DIR
    local name=$1
    shift
    podman --root "$state/$name" --runroot "$runroots/run-$name" --storage-driver vfs "$@"
}

# --- the registry ------------------------------------------------------------------------
free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# start_registry NAME WRITE_CONFIG PROBE: runs docker-registry on a free port of 127.0.0.1 and
# waits until it answers. `WRITE_CONFIG PORT` writes STATE_DIR/NAME-config.yml for that port,
# and `PROBE PORT` succeeds once the registry there is ready. The registry logs to
# STATE_DIR/NAME.log and its pid goes to STATE_DIR/NAME.pid (registry-down.sh stops it). When
# another process takes the port meanwhile, tries another. Sets started_port and started_pid.
start_registry() {
    local name=$1 write_config=$2 probe=$3 attempt candidate ready
    started_port=""
    started_pid=""
    for attempt in 1 2 3 4 5; do
        candidate=$(free_port)
        "$write_config" "$candidate"
        # Own session, no terminal and no inherited pipes: it must outlive this script (the
        # tests run after it) and must not hold ctest's output pipe open.
        setsid docker-registry serve "$state/$name-config.yml" \
            </dev/null >>"$state/$name.log" 2>&1 &
        started_pid=$!
        echo "$started_pid" >"$state/$name.pid"

        # Readiness: the registry answers GET /v2/ once it listens. Bounded: 20 s.
        ready=0
        for _ in $(seq 1 200); do
            if ! kill -0 "$started_pid" 2>/dev/null; then
                break
            fi
            if "$probe" "$candidate"; then
                ready=1
                break
            fi
            sleep 0.1
        done
        if [ "$ready" -eq 1 ]; then
            started_port=$candidate
            return 0
        fi
        if kill -0 "$started_pid" 2>/dev/null; then
            echo "registry-up.sh: the $name on port $candidate did not answer within 20 s" >&2
            exit 1
        fi
        wait "$started_pid" 2>/dev/null || true
        rm -f "$state/$name.pid"
        if grep -q 'address already in use' "$state/$name.log"; then
            echo "registry-up.sh: port $candidate was taken meanwhile; trying another (attempt $attempt)"
            continue
        fi
        echo "registry-up.sh: docker-registry ($name) exited during start-up" >&2
        exit 1
    done
    echo "registry-up.sh: no free port for the $name after 5 attempts" >&2
    exit 1
}

# registry_config NAME PORT: what both registries' STATE_DIR/NAME-config.yml start with: their
# storage in STATE_DIR/NAME, on 127.0.0.1:PORT.
registry_config() {
    cat >"$state/$1-config.yml" <<EOF
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $state/$1
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$2
  secret: podpull-test-$2-$RANDOM$RANDOM
EOF
}

write_registry_config() { # PORT: the plain-HTTP registry, open to all
    registry_config registry "$1"
}

probe_registry() { # PORT
    curl -fsS --max-time 1 -o /dev/null -D "$state/v2-headers" \
        "http://127.0.0.1:$1/v2/" 2>/dev/null &&
        grep -qi '^Docker-Distribution-Api-Version: registry/2.0' "$state/v2-headers"
}

start_registry registry write_registry_config probe_registry
port=$started_port
pid=$started_pid
registry="127.0.0.1:$port"
step "registry ready ($registry)"

# --- a slowed path to the same registry ----------------------------------------------------
# 16 MiB/s per connection: the 64 MB blob of the big image takes about 4 s through it, so a
# test can cancel a pull that is surely still running.
slow_rate=$((16 * 1024 * 1024))
rm -f "$state/proxy.port"
setsid python3 "$here/throttle-proxy.py" "$state/proxy.port" "$registry" "$slow_rate" \
    </dev/null >>"$state/proxy.log" 2>&1 &
echo "$!" >"$state/proxy.pid"
for _ in $(seq 1 100); do
    [ -s "$state/proxy.port" ] && break
    kill -0 "$(cat "$state/proxy.pid")" 2>/dev/null || break
    sleep 0.1
done
if [ ! -s "$state/proxy.port" ]; then
    echo "registry-up.sh: throttle-proxy.py did not start" >&2
    exit 1
fi
slow_registry="127.0.0.1:$(cat "$state/proxy.port")"
curl -fsS --max-time 5 -o /dev/null "http://$slow_registry/v2/"
step "proxy ready ($slow_registry)"

# --- the test images ---------------------------------------------------------------------
image="$registry/podpull/test:v1"
big_image="$registry/podpull/big:v1"

# Three distinct random layers, biggest first, so each blob is unique and takes a while.
head -c 8M /dev/urandom >"$state/ctx-test/layer1.bin"
head -c 4M /dev/urandom >"$state/ctx-test/layer2.bin"
head -c 1M /dev/urandom >"$state/ctx-test/layer3.bin"
cat >"$state/ctx-test/Containerfile" <<'EOF'
FROM scratch
COPY layer1.bin /data/layer1.bin
COPY layer2.bin /data/layer2.bin
COPY layer3.bin /data/layer3.bin
EOF
head -c 64M /dev/urandom >"$state/ctx-big/big.bin"
cat >"$state/ctx-big/Containerfile" <<'EOF'
FROM scratch
COPY big.bin /data/big.bin
EOF
step "random data"

# build_and_push IMAGE CONTEXT_DIR: builds CONTEXT_DIR/Containerfile into the build storage
# as IMAGE, pushes it to the registry and prints its ID.
build_and_push() {
    pm storage build --pull=never --format oci -t "$1" -f "$2/Containerfile" "$2" \
        >>"$state/build.log" 2>&1
    pm storage push --tls-verify=false "$1" >>"$state/push.log" 2>&1
    pm storage inspect --format '{{.Id}}' "$1"
}

image_id=$(build_and_push "$image" "$state/ctx-test")
step "build and push test image"
pm storage save --format oci-archive -o "$state/test-oci.tar" "$image" >>"$state/save.log" 2>&1
step "save oci-archive"

# What a pull of the archive gives (into a second private storage: a fresh pull, like the tests').
oci_id=$(pm storage-oci pull -q "oci-archive:$state/test-oci.tar" 2>>"$state/pull-oci.log")
oci_id=${oci_id##*$'\n'}
step "pull oci-archive"

big_id=$(build_and_push "$big_image" "$state/ctx-big")
step "build and push big image"

# The test image and one more layer: 32 MB take about 2 s through the relay, long enough for
# a byte count on every route that reports them.
derived_image="$registry/podpull/derived:v1"
head -c 32M /dev/urandom >"$state/ctx-derived/extra.bin"
printf 'FROM %s\nCOPY extra.bin /data/extra.bin\n' "$image" >"$state/ctx-derived/Containerfile"
derived_id=$(build_and_push "$derived_image" "$state/ctx-derived")
step "build and push derived image"

# Four images of two random layers each, none shared: several pulls at once, each with blobs of
# its own (tests/integration/test_concurrency.cpp). Built here, with the host's podman, once
# for every release the suite runs on.
distinct_images=""
distinct_ids=""
for n in 0 1 2 3; do
    ctx="$state/ctx-distinct-$n"
    mkdir -p "$ctx"
    head -c "$((8 + 2 * n))M" /dev/urandom >"$ctx/a.bin"
    head -c 1M /dev/urandom >"$ctx/b.bin"
    printf 'FROM scratch\nCOPY a.bin /a.bin\nCOPY b.bin /b.bin\n' >"$ctx/Containerfile"
    path="podpull/distinct-$n:v1"
    distinct_images+="${distinct_images:+ }$path"
    distinct_ids+="${distinct_ids:+ }$(build_and_push "$registry/$path" "$ctx")"
    rm -rf "$ctx"
done
step "build and push distinct images"

# --- the demo image (scripts/demo.sh only): several layers, a few hundred MB ------------------
# Through the 16 MiB/s relay its biggest layer takes about ten seconds, long enough to watch.
demo_image="$registry/podpull/demo:v1"
demo_id=""
if [ "${PODPULL_FIXTURE_DEMO_IMAGE:-0}" = "1" ]; then
    mkdir -p "$state/ctx-demo"
    printf 'FROM scratch\n' >"$state/ctx-demo/Containerfile"
    for size in 160 96 64 32; do
        head -c "${size}M" /dev/urandom >"$state/ctx-demo/layer-$size.bin"
        printf 'COPY layer-%s.bin /data/layer-%s.bin\n' "$size" "$size" >>"$state/ctx-demo/Containerfile"
    done
    demo_id=$(build_and_push "$demo_image" "$state/ctx-demo")
    rm -rf "$state/ctx-demo"
    step "build and push demo image"
fi

# --- a private registry: TLS from a test CA, and a password --------------------------------
# Everything secret stays in STATE_DIR/tls (0700). The password is random per setup and never
# on a command line: htpasswd reads it from stdin, podman push from an auth file, curl from a
# config file.
tls="$state/tls"
mkdir -p "$tls/ca" "$state/auth-registry"
chmod 0700 "$tls"
cat >"$tls/openssl.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = podpull test
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
(
    umask 077
    openssl req -x509 -config "$tls/openssl.cnf" -extensions v3_ca -subj "/CN=podpull test CA" \
        -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 7 \
        -keyout "$tls/ca.key" -out "$tls/ca/ca.crt"
    openssl req -new -config "$tls/openssl.cnf" -subj "/CN=127.0.0.1" \
        -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$tls/server.key" -out "$tls/server.csr"
    openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca/ca.crt" -CAkey "$tls/ca.key" \
        -set_serial "0x$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" -days 7 \
        -extfile "$tls/openssl.cnf" -extensions v3_server -out "$tls/server.crt"
) >>"$state/tls.log" 2>&1
chmod 0644 "$tls/ca/ca.crt" "$tls/server.crt"
openssl verify -CAfile "$tls/ca/ca.crt" "$tls/server.crt" >>"$state/tls.log" 2>&1

auth_user=podpull
auth_password=$(python3 -c 'import secrets; print("pp" + secrets.token_urlsafe(24))')
printf '%s\n' "$auth_password" | htpasswd -niB "$auth_user" >"$tls/htpasswd" 2>>"$state/tls.log"
chmod 0600 "$tls/htpasswd"
step "test CA, certificate, password"

write_auth_registry_config() { # PORT: HTTPS only, htpasswd
    registry_config auth-registry "$1"
    cat >>"$state/auth-registry-config.yml" <<EOF
  tls:
    certificate: $tls/server.crt
    key: $tls/server.key
auth:
  htpasswd:
    realm: podpull-test
    path: $tls/htpasswd
EOF
}

probe_auth_registry() { # PORT: HTTPS with the test CA, and 401 without credentials
    local code
    code=$(curl -sS --max-time 1 --cacert "$tls/ca/ca.crt" -o /dev/null \
        -D "$state/auth-v2-headers" -w '%{http_code}' "https://127.0.0.1:$1/v2/" 2>/dev/null) &&
        [ "$code" = 401 ] &&
        grep -qi '^Docker-Distribution-Api-Version: registry/2.0' "$state/auth-v2-headers"
}

start_registry auth-registry write_auth_registry_config probe_auth_registry
auth_registry="127.0.0.1:$started_port"
auth_pid=$started_pid
auth_image="$auth_registry/podpull/test:v1"
step "auth registry ready ($auth_registry)"

# Credentials for the fixture's own push and checks, in files only.
(
    umask 077
    printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$auth_registry" \
        "$(printf '%s:%s' "$auth_user" "$auth_password" | base64 -w0)" >"$tls/push-auth.json"
    printf 'user = "%s:%s"\n' "$auth_user" "$auth_password" >"$tls/curl-auth.cfg"
)
pm storage push --cert-dir "$tls/ca" --authfile "$tls/push-auth.json" \
    "$image" "docker://$auth_image" >>"$state/push.log" 2>&1
step "push test image (TLS, auth)"

# It serves the image to the right password only, and the image keeps its ID there: the
# manifest's config digest is the ID podman gave the image.
manifest_accept=(-H 'Accept: application/vnd.oci.image.manifest.v1+json'
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json')
anonymous=$(curl -sS --max-time 10 --cacert "$tls/ca/ca.crt" -o /dev/null -w '%{http_code}' \
    "${manifest_accept[@]}" "https://$auth_registry/v2/podpull/test/manifests/v1")
if [ "$anonymous" != 401 ]; then
    echo "registry-up.sh: the auth registry answered $anonymous, not 401, without credentials" >&2
    exit 1
fi
auth_image_id=$(curl -fsS --max-time 10 --cacert "$tls/ca/ca.crt" -K "$tls/curl-auth.cfg" \
    "${manifest_accept[@]}" "https://$auth_registry/v2/podpull/test/manifests/v1" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["config"]["digest"].split(":", 1)[1])')
if [ "$auth_image_id" != "$image_id" ]; then
    echo "registry-up.sh: the auth registry's image has config $auth_image_id, not $image_id" >&2
    exit 1
fi

# shellcheck disable=SC2086 # the distinct IDs are words on purpose
for id in "$image_id" "$oci_id" "$big_id" "$derived_id" $distinct_ids "$auth_image_id" \
    ${os_id:+"$os_id" "$os_sibling_id"}; do
    if ! [[ "$id" =~ ^[0-9a-f]{64}$ ]]; then
        echo "registry-up.sh: podman reported an image ID that is not 64 hex digits: '$id'" >&2
        exit 1
    fi
done

# The registry really serves both tags.
for repo_tag in podpull/test/manifests/v1 podpull/big/manifests/v1 podpull/derived/manifests/v1; do
    curl -fsS --max-time 10 -o /dev/null \
        -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
        -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
        "http://$registry/v2/$repo_tag"
done

# --- a manifest list --------------------------------------------------------------
# podpull/multi:v1, an OCI index: linux/amd64 is the test image, linux/arm64/v8 a small image
# made here (make-multi-arch.py). multi.json describes each entry's blobs.
multi_image="$registry/podpull/multi:v1"
python3 "$here/make-multi-arch.py" layout "$state/multi-arm64" >>"$state/multi.log" 2>&1
skopeo copy --quiet --dest-tls-verify=false "oci:$state/multi-arm64:arm64" \
    "docker://$registry/podpull/multi:arm64" >>"$state/multi.log" 2>&1
skopeo copy --quiet --src-tls-verify=false --dest-tls-verify=false "docker://$image" \
    "docker://$registry/podpull/multi:amd64" >>"$state/multi.log" 2>&1
python3 "$here/make-multi-arch.py" index "$registry" podpull/multi "$state/multi.json" \
    >>"$state/multi.log" 2>&1
rm -rf "$state/multi-arm64"
step "push manifest list"

# --- every podman release the suite runs on ----------------------------------------------
# scripts/podman-peers.sh made their chroots (scripts/test.sh runs it first); here each must
# run and report its release, or the fixture fails: a release is never skipped.
releases=${PODPULL_FIXTURE_RELEASES:-$(bash "$here/../../scripts/podman-peers.sh" --list | tr '\n' ' ')}
releases=${releases% }
peer_env=""
for release in $releases; do
    launcher=$(bash "$here/../../scripts/podman-peers.sh" --path "$release" 2>>"$state/peers.log") || {
        echo "registry-up.sh: podman $release is not available (run scripts/podman-peers.sh):" >&2
        cat "$state/peers.log" >&2
        exit 1
    }
    version=$("$launcher" --version 2>>"$state/peers.log")
    version=${version#podman version }
    # What a running podman of this release looks like from outside: the host's podman is
    # itself; a chroot release's launcher ends in `chroot ROOTFS /usr/bin/podman`
    # (scripts/podman-peers.sh), so /proc/PID/exe names the binary in ROOTFS.
    if [ "$release" = 4.3 ]; then
        exe=$(realpath "$launcher")
        argv0=$launcher
    else
        exe=$(realpath "$(bash "$here/../../scripts/podman-peers.sh" --rootfs "$release")/usr/bin/podman")
        argv0=/usr/bin/podman
    fi
    key=${release//./_}
    peer_env+="PODPULL_TEST_PODMAN_$key='$launcher'"$'\n'
    peer_env+="PODPULL_TEST_PODMAN_VERSION_$key='$version'"$'\n'
    peer_env+="PODPULL_TEST_PODMAN_EXE_$key='$exe'"$'\n'
    peer_env+="PODPULL_TEST_PODMAN_ARGV0_$key='$argv0'"$'\n'
done
step "podman releases ($releases)"

# --- the OS image and its sibling -----------------------------------------------------------
os_image=""
os_sibling_image=""
os_id=""
os_sibling_id=""
if [ "${PODPULL_FIXTURE_OS_IMAGE:-1}" = "1" ]; then
    # The 5.8 peer's chroot is a real Debian root file system; it is there whatever releases
    # this run tests, because the OS image must be the same for all of them.
    rootfs=$(bash "$here/../../scripts/podman-peers.sh" --rootfs 5.8)
    python3 "$here/make-os-image.py" "$rootfs" "$state/os-image" >>"$state/os-image.log" 2>&1
    step "make OS images"
    os_image="$registry/podpull/os:v1"
    os_sibling_image="$registry/podpull/os-sibling:v1"
    for pair in "os:$os_image" "sibling:$os_sibling_image"; do
        skopeo copy --quiet --dest-tls-verify=false "oci:$state/os-image/${pair%%:*}:v1" \
            "docker://${pair#*:}" >>"$state/push.log" 2>&1
    done
    os_id=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["image_id"])' \
        "$state/os-image/os.json")
    os_sibling_id=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["image_id"])' \
        "$state/os-image/sibling.json")
    # The layouts are in the registry now; only the descriptions stay.
    rm -rf "$state/os-image/os" "$state/os-image/sibling"
    step "push OS images"
fi

# The build storage is no longer needed: the registry and the archive hold the images.
# (vfs mounts nothing, so removing the directories is a complete reset.)
bash "$here/registry-down.sh" --storage-only "$state"
step "drop build storage"

( umask 077 && : >"$state/env.tmp" )
cat >"$state/env.tmp" <<EOF
PODPULL_TEST_STATE_DIR='$state'
PODPULL_TEST_REGISTRY='$registry'
PODPULL_TEST_REGISTRY_PID='$pid'
PODPULL_TEST_IMAGE='$image'
PODPULL_TEST_IMAGE_ID='$image_id'
PODPULL_TEST_OCI_ARCHIVE='$state/test-oci.tar'
PODPULL_TEST_OCI_ARCHIVE_ID='$oci_id'
PODPULL_TEST_BIG_IMAGE='$big_image'
PODPULL_TEST_BIG_IMAGE_ID='$big_id'
PODPULL_TEST_DERIVED_IMAGE='$derived_image'
PODPULL_TEST_DERIVED_IMAGE_ID='$derived_id'
PODPULL_TEST_DISTINCT_IMAGES='$distinct_images'
PODPULL_TEST_DISTINCT_IMAGE_IDS='$distinct_ids'
PODPULL_TEST_SLOW_REGISTRY='$slow_registry'
PODPULL_TEST_SLOW_RATE='$slow_rate'
PODPULL_TEST_SLOW_BIG_IMAGE='$slow_registry/podpull/big:v1'
PODPULL_TEST_SLOW_IMAGE='$slow_registry/podpull/test:v1'
PODPULL_TEST_PODMAN='$podman_bin'
PODPULL_TEST_PYTHON3='$python_bin'
PODPULL_TEST_CONTAINERS_CONF='$state/containers.conf'
PODPULL_TEST_AUTH_REGISTRY='$auth_registry'
PODPULL_TEST_AUTH_REGISTRY_PID='$auth_pid'
PODPULL_TEST_AUTH_IMAGE='$auth_image'
PODPULL_TEST_AUTH_IMAGE_ID='$auth_image_id'
PODPULL_TEST_AUTH_USER='$auth_user'
PODPULL_TEST_AUTH_PASSWORD='$auth_password'
PODPULL_TEST_CA_DIR='$tls/ca'
PODPULL_TEST_DEMO_IMAGE='${demo_id:+$slow_registry/podpull/demo:v1}'
PODPULL_TEST_DEMO_IMAGE_ID='$demo_id'
PODPULL_TEST_RELEASES='$releases'
${peer_env}PODPULL_TEST_OS_IMAGE='$os_image'
PODPULL_TEST_OS_IMAGE_ID='$os_id'
PODPULL_TEST_OS_MANIFEST='${os_id:+$state/os-image/os.json}'
PODPULL_TEST_OS_SIBLING_IMAGE='$os_sibling_image'
PODPULL_TEST_OS_SIBLING_IMAGE_ID='$os_sibling_id'
PODPULL_TEST_OS_SIBLING_MANIFEST='${os_id:+$state/os-image/sibling.json}'
PODPULL_TEST_SLOW_OS_IMAGE='${os_id:+$slow_registry/podpull/os:v1}'
PODPULL_TEST_SLOW_OS_SIBLING_IMAGE='${os_id:+$slow_registry/podpull/os-sibling:v1}'
PODPULL_TEST_MULTI_IMAGE='$multi_image'
PODPULL_TEST_MULTI_MANIFEST='$state/multi.json'
PODPULL_TEST_SETUP_MS='$(($(now_ms) - t_start))'
EOF
mv "$state/env.tmp" "$state/env"

ok=1
echo "registry-up.sh: ready in $(($(now_ms) - t_start)) ms; $state/env:"
sed -e "s/^PODPULL_TEST_AUTH_PASSWORD=.*/PODPULL_TEST_AUTH_PASSWORD=<hidden>/" -e 's/^/  /' "$state/env"
