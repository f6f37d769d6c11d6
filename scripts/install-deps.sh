#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# Installs everything podpull's build, tests and demo need on Debian 12 (bookworm).
# Boost 1.83 and Catch2 3 come from bookworm-backports, which this adds as a deb822 source.
# Safe to run again: apt skips what is already there.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps.sh: run as root (it calls apt-get)" >&2
  exit 1
fi

backports=/etc/apt/sources.list.d/bookworm-backports.sources
if [ ! -f "$backports" ]; then
  cat >"$backports" <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq

packages=(
  # build
  build-essential cmake ninja-build pkg-config clang-format
  libboost1.83-dev libboost-json1.83-dev libfmt-dev libcli11-dev
  # tests: real peers and tools
  podman docker-registry openssl apache2-utils tmux curl python3 procps
  # the newer podman releases, each in a Debian chroot (scripts/podman-peers.sh), and skopeo,
  # which pushes the fixture's OS images from the OCI layouts make-os-image.py writes
  mmdebstrap util-linux skopeo
  # the signature-policy tests make a GPG key and sign an image with it (skopeo --sign-by)
  gnupg
  # scripts/test.sh lists the files to clang-format with git
  git
  # bench/run.sh: Google Benchmark for the core
  libbenchmark-dev
  # the hardening tools: libFuzzer targets (clang 14 + its compiler-rt), valgrind memcheck of the C
  # harness (ThreadSanitizer comes with GCC 12's libtsan, already in build-essential)
  clang libclang-rt-14-dev valgrind
  # ABI guard: abidw/abidiff against abi/libpodpull.so.1.abi
  abigail-tools
  # bindings/rust: crates come from Debian via a cargo source replacement (no crates.io)
  librust-pkg-config-dev librust-libloading-dev librust-indicatif-dev librust-cc-dev
  # its `async` feature (futures-core) and the async tests and example (tokio, every feature)
  librust-futures-core-dev librust-tokio-dev
  # its tests/bootc_events.rs decodes bootc's events with serde; a pipe and O_TMPFILE (libc)
  librust-serde-dev librust-serde-derive-dev librust-serde-json-dev librust-libc-dev
  # packaging: the Debian packages (debian/), their lint, and the chroot they are installed into
  # for the install test (mmdebstrap, above)
  debhelper dpkg-dev lintian
  # documentation: the API reference from podpull.h, and podpull(1) from the command's --help
  doxygen help2man
)
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
# Catch2 3 only exists in backports; name the suite so an older pin cannot pick Catch2 2.
apt-get install -y -qq --no-install-recommends -t bookworm-backports catch2 >/dev/null
echo "install-deps.sh: all packages present"
