#!/usr/bin/env bash
# Installs a release cnnc for use outside this checkout:
#   PREFIX/bin/cnnc                      the command (put PREFIX/bin on your PATH)
#   PREFIX/share/cnnc/Sources/           the runtime sources cnnc copies into every
#                                        model package it builds (CNNCSIMD,
#                                        CNNCRuntime, CNNCTraining, CNNCRunner)
#   Tools/install.sh [PREFIX]            (default: ~/.local)
# Each part is written beside its place and renamed into it, so an install
# interrupted halfway leaves the previous one working.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${1:-$HOME/.local}
swift build -c release --product cnnc
mkdir -p "$prefix/bin" "$prefix/share/cnnc"
staging=$(mktemp -d "$prefix/share/cnnc/.Sources.XXXXXX")
trap 'rm -rf "$staging" "$prefix/bin/.cnnc.installing"' EXIT
for target in CNNCSIMD CNNCRuntime CNNCTraining CNNCRunner; do
  cp -R "Sources/$target" "$staging/"
done
rm -rf "$prefix/share/cnnc/Sources.old"
[ ! -d "$prefix/share/cnnc/Sources" ] || mv "$prefix/share/cnnc/Sources" "$prefix/share/cnnc/Sources.old"
mv "$staging" "$prefix/share/cnnc/Sources"
rm -rf "$prefix/share/cnnc/Sources.old"
cp .build/release/cnnc "$prefix/bin/.cnnc.installing"
chmod 755 "$prefix/bin/.cnnc.installing"
mv "$prefix/bin/.cnnc.installing" "$prefix/bin/cnnc"
echo "installed $prefix/bin/cnnc (runtime sources in $prefix/share/cnnc/Sources)"
case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *) echo "add it to your PATH: export PATH=\"$prefix/bin:\$PATH\"" ;;
esac
