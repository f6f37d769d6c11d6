#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# api-docs.sh DOXYGEN DOXYFILE OUTDIR [HEADER]: the API reference of podpull.h, or a failure
# that names what is undocumented.
#
# Runs doxygen with DOXYFILE (build/docs/Doxyfile, configured from docs/Doxyfile.in), its
# output in OUTDIR (OUTDIR/html/index.html, OUTDIR/xml), and fails if doxygen warns (the
# Doxyfile's WARN_AS_ERROR = FAIL_ON_WARNINGS: an undocumented function, struct member,
# typedef or macro, a broken @param or reference) or if an enumerator has no comment, which
# doxygen 1.9.4 does not warn about: this script reads that from doxygen's XML. With HEADER,
# that file is the only input (the guard test runs the same configuration on a copy of
# podpull.h), else the Doxyfile's INPUT.
set -euo pipefail
doxygen=$1
doxyfile=$2
outdir=$3
header=${4:-}

# The Doxyfile as configured, then the overrides (doxygen takes a tag's last value).
config() {
    cat "$doxyfile"
    echo "OUTPUT_DIRECTORY = \"$outdir\""
    if [ -n "$header" ]; then
        echo "INPUT = \"$header\""
        echo "USE_MDFILE_AS_MAINPAGE ="
    fi
}
[ -n "$header" ] || header=$(sed -n 's/^INPUT *= *//p' "$doxyfile" | head -n 1)

rm -rf "$outdir/html" "$outdir/xml"
mkdir -p "$outdir"
log=$(mktemp /tmp/podpull-doxygen.XXXXXX)
trap 'rm -f "$log"' EXIT
status=0
config | "$doxygen" - >"$log" 2>&1 || status=1
warnings=$(grep -c . "$log" || true)
cat "$log" >&2

# Enumerators without a comment: <enumvalue> elements whose brief and detailed descriptions
# hold no <para>, in the enum they belong to.
undocumented=$(awk '
    /<memberdef kind="enum"/ { in_enum = 1; enum = "" }
    in_enum && enum == "" && /<name>/ { enum = $0; gsub(/ *<\/?name>/, "", enum) }
    /<enumvalue / { in_value = 1; name = ""; documented = 0; next }
    in_value && name == "" && /<name>/ { name = $0; gsub(/ *<\/?name>/, "", name) }
    in_value && /<para>/ { documented = 1 }
    in_value && /<\/enumvalue>/ {
        in_value = 0
        if (!documented) print name " " enum
    }
    /<\/memberdef>/ { in_enum = 0 }' "$outdir"/xml/*_8h.xml 2>/dev/null || true)
# That doxygen read the header at all (it skips a file whose name it does not know as source).
if ! grep -q "kind=\"file\"><name>$(basename "$header")</name>" "$outdir/xml/index.xml" 2>/dev/null ||
    ! grep -q 'kind="function"' "$outdir/xml/index.xml"; then
    echo "api-docs.sh: doxygen documented no function of $header (see $outdir/xml/index.xml)" >&2
    status=1
fi
while read -r name enum; do
    [ -n "$name" ] || continue
    line=$(grep -n -E "^ *$name( |=|,|$)" "$header" | head -n 1 | cut -d: -f1)
    echo "$header:${line:-0}: error: Enumerator $name of enum $enum is not documented." >&2
    warnings=$((warnings + 1))
    status=1
done <<<"$undocumented"

if [ "$status" -ne 0 ]; then
    echo "api-docs.sh: $warnings doxygen warning(s) and undocumented enumerator(s) in $header" >&2
    rm -f "$outdir/html/index.html" # no reference that looks complete
    exit 1
fi
echo "api-docs.sh: $outdir/html/index.html, no warning"
