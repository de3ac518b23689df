#!/usr/bin/env bash
# Follows the README's "Use cnnc in your package" literally in a temporary
# folder, as a new user would: writes each file it shows, runs each command it
# shows and compares the output; cnnc is the dependency by version it shows,
# a tagged release of this checkout. Then checks what the README promises about
# the plugin: a second build compiles nothing, and a broken spec fails the
# build with a located error. Prints timings. Run from anywhere.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
# CNNC_WALKTHROUGH_DIR keeps the folder (and Hello's build) for the caller,
# which builds the example app on that build (example-classifier.sh).
if [ -n "${CNNC_WALKTHROUGH_DIR:-}" ]; then
  work=$CNNC_WALKTHROUGH_DIR
  mkdir -p "$work"
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/cnnc-walkthrough.XXXXXX")
  trap 'rm -rf "$work"' EXIT
fi

# cnnc as a package that depends on it by version sees it: a git repository
# of this checkout's files (committed or not, minus what git ignores), tagged
# with the version cnnc reports. The README's `.package(url:from:)` points there.
version=$(sed -n 's/.*static let current = "\(.*\)".*/\1/p' "$repo/Sources/CNNCCore/CNNCVersion.swift")
# Named cnnc: a package's identity is the last part of its URL.
release="$work/release/cnnc"
rm -rf "$release" && mkdir -p "$release"
# (Files git still tracks but the checkout deleted are skipped; the copy is
# made by Python, which the walkthrough needs anyway, not by GNU tar.)
(cd "$repo" && git ls-files -z --cached --others --exclude-standard) | python3 -c '
import os, shutil, sys
source, target = sys.argv[1:3]
for path in sorted(set(sys.stdin.buffer.read().decode().split("\0")) - {""}):
    if os.path.isfile(os.path.join(source, path)):
        os.makedirs(os.path.dirname(os.path.join(target, path)), exist_ok=True)
        shutil.copy2(os.path.join(source, path), os.path.join(target, path))
' "$repo" "$release"
# No signing, hooks or personal excludes of the developer's git setup apply to this scratch copy.
scratch_git=(git -C "$release" -c user.name=walkthrough -c user.email=walkthrough@localhost -c commit.gpgsign=false
  -c tag.gpgSign=false -c core.excludesFile=/dev/null -c core.hooksPath=/dev/null)
"${scratch_git[@]}" init -q
"${scratch_git[@]}" add -A
"${scratch_git[@]}" commit -q --no-verify -m "cnnc $version"
"${scratch_git[@]}" tag "$version"
echo "walkthrough: cnnc $version, as a tagged release"

python3 "$repo/Tests/Integration/readme_blocks.py" "$repo/README.md" "$work" "$release" > "$work/steps.sh"
start=$(date +%s)
(cd "$work" && bash steps.sh) > "$work/output.txt" 2> "$work/errors.txt" || {
  echo "walkthrough: the README's commands failed:"; tail -40 "$work/errors.txt"; exit 1; }
echo "walkthrough: clean build and run took $(( $(date +%s) - start )) s"
if ! grep -qF -f "$work/expected.txt" "$work/output.txt" || ! diff <(tail -n "$(wc -l < "$work/expected.txt")" "$work/output.txt") "$work/expected.txt"; then
  echo "walkthrough: the program printed something else than the README shows:"; cat "$work/output.txt"; exit 1
fi

cd "$work/Hello"
# `swift run` builds only what Hello needs; one `swift build` settles the
# rest (SwiftPM relinks the plugin's tool once). After that, a build without
# changes must compile and generate nothing.
swift build > /dev/null 2>&1
start=$(date +%s%N)
again=$(swift build 2>&1)
if echo "$again" | grep -v "Compiling plugin" | grep -E "Compiling|Linking|cnnc: generating" > /dev/null; then
  echo "walkthrough: a build without changes did work again:"; echo "$again"; exit 1
fi
echo "walkthrough: a build without changes compiled nothing ($(( ($(date +%s%N) - start) / 1000000 )) ms)"

# A broken spec fails the build with a located diagnostic.
echo "  - Conv2d: {filters: 2, kernel_size: 3}" >> Sources/Hello/edges.cnn.yaml
if broken=$(swift build 2>&1); then
  echo "walkthrough: a broken spec built"; exit 1
fi
if ! echo "$broken" | grep -E "edges\.cnn\.yaml:5:5: error: unknown layer 'Conv2d'; did you mean 'Conv2D'\?" > /dev/null; then
  echo "walkthrough: no located error for the broken spec:"; echo "$broken" | tail -20; exit 1
fi
echo "walkthrough: a broken spec fails the build with a located error"
echo "walkthrough: passed"
