#!/usr/bin/env bash
# Every convolution of some specs against this core's SGEMM rate, from
# `cnnc bench SPEC --per-layer`, each spec ROUNDS times: a layer's best time
# of the rounds (a shared VM moves single runs by 10% and more), its GFLOP/s
# as Keras counts FLOPs, and that as a share of the SGEMM rate measured first.
#   Benchmarks/layers/sweep.sh [--rounds N] [SPEC ...]   (default: 3 rounds, every Specs/*.cnn.yaml)
# CNNC=path/to/cnnc uses that build instead of a release one; SGEMM=GFLOP/s skips measuring it.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=3
if [ "${1:-}" = "--rounds" ]; then rounds=$2; shift 2; fi
specs=("$@")
[ ${#specs[@]} -gt 0 ] || specs=(Specs/*.cnn.yaml)
cnnc=${CNNC:-}
if [ -z "$cnnc" ]; then
  swift build -q -c release --product cnnc
  cnnc=.build/release/cnnc
fi
sgemm=${SGEMM:-$(OPENBLAS_NUM_THREADS=1 python3 Benchmarks/sgemm_peak.py | sed -n 's/.*: \([0-9.]*\) GFLOP\/s.*/\1/p')}
echo "SGEMM $sgemm GFLOP/s on one core; each layer's best of $rounds rounds"
echo "| spec | layer | best time | GFLOP/s | of SGEMM |"
echo "|---|---|---:|---:|---:|"
for spec in "${specs[@]}"; do
  name=$(basename "$spec" .cnn.yaml)
  for _ in $(seq "$rounds"); do
    # Per-layer rows of convolutions: name, time with its unit, GFLOP/s (the column after the share).
    "$cnnc" bench "$spec" --per-layer --seconds 1 2>/dev/null \
      | awk '/\((Conv1D|Conv2D|Conv2DTranspose|SeparableConv2D|DepthwiseConv2D)\)/ {
          for (i = 1; i <= NF; i++) if ($i ~ /%$/) { t = $(i-2); u = $(i-1); g = $(i+1); break }
          scale = (u == "ns") ? 1e-3 : (u == "ms") ? 1e3 : 1
          print $1, t * scale, g }'
  done | awk -v spec="$name" -v sgemm="$sgemm" '
      { if (!($1 in best) || $2 < best[$1]) { best[$1] = $2; rate[$1] = $3 }; if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
      END { for (i = 1; i <= n; i++) { l = order[i]
              printf "| %s | %s | %.2f µs | %s | %.0f%% |\n", spec, l, best[l], rate[l], 100 * rate[l] / sgemm } }'
done
