#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# scripts/build-debs.sh OUT_DIR
#
# Builds podpull's Debian packages (libpodpull1, libpodpull-dev, podpull; debian/) from a
# clean copy of the tree and lints them. The copy holds exactly the files git would see in a
# commit made now: every tracked file as it is in the working tree (uncommitted edits
# included) and every untracked file that is not ignored, nothing else (no build/, no
# editor leftovers). It is built in a temporary directory with
# `dpkg-buildpackage -us -uc -b` at the lowest priority, then `lintian --fail-on error`
# checks the .changes; its full output is printed. No -dbgsym packages are made
# (DEB_BUILD_OPTIONS=noautodbgsym). OUT_DIR (made if missing) then receives
# the three .deb files, the .changes and the .buildinfo, and nothing else: earlier podpull
# packages there are removed first. The script writes nothing else anywhere, in the
# repository least of all, and removes its temporary directory on every exit.
#
# Needs the build dependencies of debian/control (scripts/install-deps.sh installs them) and
# lintian. Environment: PODPULL_BUILD_LOG=FILE keeps dpkg-buildpackage's whole output there
# (by default only its last lines are printed, on failure).
set -euo pipefail

usage() { sed -n '3,19s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
die() {
    echo "build-debs.sh: $*" >&2
    exit 1
}

case "${1:-}" in
-h | --help)
    usage
    exit 0
    ;;
esac
[ $# -eq 1 ] || {
    usage >&2
    exit 2
}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$1
for tool in git dpkg-buildpackage dpkg-parsechangelog lintian; do
    command -v "$tool" >/dev/null 2>&1 || die "'$tool' is not installed (scripts/install-deps.sh)"
done
[ -f "$repo/debian/control" ] || die "$repo has no debian/ directory"

start=$SECONDS
tmp=$(mktemp -d /tmp/podpull-debs.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The source tree: a directory named as dpkg-source expects (package-upstreamversion).
version=$(dpkg-parsechangelog -l "$repo/debian/changelog" -S Version)
upstream=${version%-*}
src="$tmp/podpull-$upstream"
mkdir "$src"
# A tracked file deleted in the working tree is listed but absent: left out, as a commit
# would leave it out.
(cd "$repo" && git ls-files -z --cached --others --exclude-standard) |
    (cd "$repo" && while IFS= read -r -d '' f; do
        [ -e "$f" ] || [ -L "$f" ] || continue
        printf '%s\0' "$f"
    done) |
    tar -C "$repo" --null --no-recursion -T - -cf - |
    tar -C "$src" -xf -
echo "build-debs.sh: podpull $version, $(find "$src" -type f | wc -l) files copied to $src"

log=${PODPULL_BUILD_LOG:-$tmp/build.log}
echo "build-debs.sh: dpkg-buildpackage -us -uc -b (nice 19; log: ${PODPULL_BUILD_LOG:-not kept})"
build_start=$SECONDS
# Without the automatic -dbgsym packages: the three packages are what is installed and
# tested. (An archive's build, without this option, gets them as usual.)
export DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:+$DEB_BUILD_OPTIONS }noautodbgsym"
if ! (cd "$src" && nice -n 19 dpkg-buildpackage -us -uc -b -Jauto) >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    die "dpkg-buildpackage failed (last 60 lines above)"
fi
echo "build-debs.sh: built in $((SECONDS - build_start)) s"

arch=$(dpkg-architecture -qDEB_HOST_ARCH)
changes="$tmp/podpull_${version}_${arch}.changes"
[ -f "$changes" ] || die "dpkg-buildpackage wrote no $changes"
# What the .changes lists is what leaves: three packages, each built once.
mapfile -t files < <(sed -n '/^Files:/,/^[^ ]/s/^ [0-9a-f]\{32\} [0-9]* [^ ]* [^ ]* //p' "$changes")
debs=0
for f in "${files[@]}"; do
    [ -f "$tmp/$f" ] || die "$changes lists $f, which is not there"
    case "$f" in *.deb) debs=$((debs + 1)) ;; esac
done
for p in libpodpull1 libpodpull-dev podpull; do
    [ -f "$tmp/${p}_${version}_${arch}.deb" ] || die "no ${p}_${version}_${arch}.deb was built"
done
[ "$debs" -eq 3 ] || die "$changes lists $debs .deb files, not 3 (a -dbgsym package?)"

# Lintian as an unprivileged user (its authors advise against root); it only reads.
echo "build-debs.sh: lintian --fail-on error $(basename "$changes")"
lint=(lintian --fail-on error --display-info --tag-display-limit 0 "$changes")
if [ "$(id -u)" -eq 0 ] && command -v runuser >/dev/null 2>&1; then
    chmod -R a+rX "$tmp"
    mkdir "$tmp/lintian"
    chown nobody "$tmp/lintian"
    lint=(runuser -u nobody -- env HOME="$tmp/lintian" TMPDIR="$tmp/lintian" "${lint[@]}")
fi
lint_status=0
# pipefail: the pipeline's status is lintian's (sed succeeds).
(cd "$tmp" && "${lint[@]}") 2>&1 | sed 's/^/  lintian: /' || lint_status=$?
if [ "$lint_status" -ne 0 ]; then
    die "lintian reports errors (above); nothing copied to $out"
fi

mkdir -p "$out"
rm -f "$out"/libpodpull1_*.deb "$out"/libpodpull-dev_*.deb "$out"/podpull_*.deb \
    "$out"/podpull_*.changes "$out"/podpull_*.buildinfo
cp "$changes" "$out/"
for f in "${files[@]}"; do
    cp "$tmp/$f" "$out/"
done
echo "build-debs.sh: in $out after $((SECONDS - start)) s:"
(cd "$out" && ls -l libpodpull1_*.deb libpodpull-dev_*.deb podpull_*.deb podpull_*.changes \
    podpull_*.buildinfo) | sed 's/^/  /'
