#!/usr/bin/env bash
# Where a compiled model's time goes, by generated function, from `perf`'s
# software clock: sampling `cpu-clock` needs no hardware counters, so it works
# in VMs whose PMU is hidden (where `perf stat` reports every counter as not
# supported). A kernel shared by layers of the same geometry (KernelSharing)
# is one function, so its share is that of all those layers; `cnnc bench
# SPEC --per-layer` times each layer on its own.
#   Benchmarks/profile/perf.sh SPEC [SECONDS] [FUNCTION ...]
# Prints the functions over 0.5% of the samples of the model's process, then
# for each FUNCTION named (a part of a name, `l145_conv5_block1_2_conv_winograd_product16`)
# its 12 instructions with the most samples. A sample lands on the
# instruction after the one that stalled (skid), so a load that waits on
# memory shows as the instruction after it.
# CNNC=path/to/cnnc uses that build instead of a release one. Needs `perf`
# (Debian: linux-perf) and kernel.perf_event_paranoid at most 2.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ $# -lt 1 ]; then
  echo "usage: $0 SPEC [SECONDS] [FUNCTION ...]" >&2
  exit 2
fi
spec=$1
seconds=${2:-8}
shift $(( $# >= 2 ? 2 : 1 ))
command -v perf > /dev/null || { echo "$0: perf is not installed (Debian: apt-get install linux-perf)" >&2; exit 1; }
cnnc=${CNNC:-}
if [ -z "$cnnc" ]; then
  swift build -q -c release --product cnnc
  cnnc=.build/release/cnnc
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Compiled (and cached) first, so that the compiler is not in the profile.
"$cnnc" bench "$spec" --seconds 0.2 > /dev/null
perf record -q -e cpu-clock -F 5000 -o "$work/perf.data" -- "$cnnc" bench "$spec" --seconds "$seconds" > "$work/bench.txt" 2> /dev/null
grep -E "^median|^on " "$work/bench.txt" || true
# Swift's mangled names, `$s5Model<length><type>V<length><function>…`: the function, as the generated file names it.
readable() { perl -pe 's/\$s5Model(\d+)(\w+)/my ($n, $r) = ($1, $2); my $t = substr($r, $n); $t =~ m{^V(\d+)(\w+)} ? substr($2, 0, $1) : "\$s5Model$n$r"/e'; }
echo "Samples of the model's process by function (cpu-clock, $seconds s):"
perf report -i "$work/perf.data" --stdio --comm Model --sort sym 2> /dev/null \
  | awk '/^ *[0-9.]+%/ && $1 + 0 >= 0.5 { print $1, $3 }' | readable
for function in "$@"; do
  symbol=$(perf report -i "$work/perf.data" --stdio --comm Model --sort sym 2> /dev/null | grep -o "[^ ]*$function[^ ]*" | head -n 1)
  if [ -z "$symbol" ]; then
    echo "$function: no samples"
    continue
  fi
  echo "$function: its instructions with the most samples (percent of the function's)"
  perf annotate -i "$work/perf.data" --stdio -s "$symbol" 2> /dev/null | grep -E "^ +[0-9]+\.[0-9]+ :" | sort -rn | head -n 12
done
