#!/usr/bin/env bash
# Where a compiled model's time goes, by generated function, from `perf`'s
# software clock: sampling `cpu-clock` needs no hardware counters, so it works
# in VMs whose PMU is hidden (where `perf stat` reports every counter as not
# supported). A kernel shared by layers of the same geometry (KernelSharing)
# is one function, so its share is that of all those layers; `cnnc bench
# SPEC --per-layer` times each layer on its own.
#   Benchmarks/profile/perf.sh SPEC [SECONDS] [FUNCTION ...]
# Prints the functions over 0.5% of the samples of the model's process, then
# for each FUNCTION named as the generated file names it
# (`l145_conv5_block1_2_conv_winograd_product16`) its 12 instructions with
# the most samples. A sample lands on the instruction after the one that
# stalled (skid), so a load that waits on memory shows as the instruction after it.
# CNNC=path/to/cnnc uses that build instead of a release one. Needs `perf`
# (Debian: linux-perf) and, unless run as root, kernel.perf_event_paranoid at most 2.
set -euo pipefail
if [ $# -lt 1 ]; then
  echo "usage: $0 SPEC [SECONDS] [FUNCTION ...]" >&2
  exit 2
fi
# Paths as the caller gave them, before moving to the repository.
spec=$(realpath "$1")
[ -n "${CNNC:-}" ] && CNNC=$(realpath "$CNNC")
seconds=${2:-8}
case $seconds in
  ''|*[!0-9.]*) echo "$0: SECONDS must be a number, not '$seconds'" >&2; exit 2 ;;
esac
shift $(( $# >= 2 ? 2 : 1 ))
cd "$(dirname "$0")/../.."
command -v perf > /dev/null || { echo "$0: perf is not installed (Debian: apt-get install linux-perf)" >&2; exit 1; }
paranoid=$(cat /proc/sys/kernel/perf_event_paranoid 2> /dev/null || echo 0)
if [ "$(id -u)" != 0 ] && [ "$paranoid" -gt 2 ]; then
  echo "$0: kernel.perf_event_paranoid is $paranoid, which forbids sampling; as root: sysctl kernel.perf_event_paranoid=2" >&2
  exit 1
fi
cnnc=${CNNC:-}
if [ -z "$cnnc" ]; then
  swift build -q -c release --product cnnc
  cnnc=.build/release/cnnc
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Compiled (and cached) first, so that the compiler is not in the profile.
"$cnnc" bench "$spec" --seconds 0.2 > /dev/null
if ! perf record -q -e cpu-clock -F 5000 -o "$work/perf.data" -- "$cnnc" bench "$spec" --seconds "$seconds" > "$work/bench.txt" 2> "$work/record.txt"; then
  echo "$0: perf record failed:" >&2
  cat "$work/record.txt" >&2
  exit 1
fi
grep -E "^median|^on " "$work/bench.txt" || true
# The model process's functions: share, mangled symbol, and the name the
# generated file gives it (`swift demangle`: `… Resnet50224.l87_conv4_block1_3_conv_fused(_:…)`).
perf report -i "$work/perf.data" --stdio --comm Model --sort sym 2> /dev/null \
  | awk '/^ *[0-9.]+%/ { print $1, $3 }' > "$work/symbols.txt" || true
swift demangle --simplified < "$work/symbols.txt" \
  | sed -E 's/^([0-9.]+%) .*\.(l[0-9]+_[A-Za-z0-9_]+)\(.*$/\1 \2/' > "$work/names.txt"
# share <tab> symbol <tab> name (a runtime function keeps its whole demangled name)
paste -d ' ' "$work/symbols.txt" "$work/names.txt" \
  | awk '{ name = $4; for (i = 5; i <= NF; i++) name = name " " $i; print $1 "\t" $2 "\t" name }' > "$work/table.txt"
echo "Samples of the model's process by function (cpu-clock, $seconds s):"
awk -F '\t' '$1 + 0 >= 0.5 { print $1, $3 }' "$work/table.txt"
for function in "$@"; do
  symbol=$(awk -F '\t' -v f="$function" '$3 == f { print $2; exit }' "$work/table.txt")
  if [ -z "$symbol" ]; then
    echo "$function: no samples (names as the generated file gives them, e.g. l12_conv2_block1_0_conv_fused)"
    continue
  fi
  echo "$function: its instructions with the most samples (percent of the function's)"
  perf annotate -i "$work/perf.data" --stdio -s "$symbol" 2> /dev/null \
    | grep -E "^ +[0-9]+\.[0-9]+ :" | sort -rn | awk 'NR <= 12' || true
done
