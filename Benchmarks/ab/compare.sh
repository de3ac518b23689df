#!/usr/bin/env bash
# Two builds of cnnc on one model, in alternating rounds: on a machine whose
# neighbours move a single run's time by tens of percent, a change is only
# measured against the code before it when both run turn about.
#   Benchmarks/ab/compare.sh SPEC BATCH ROUNDS CNNC_BEFORE CNNC_AFTER [BENCH_OPTION...]
# Each round runs `cnnc bench SPEC --batch-size BATCH --seconds 1` with each
# binary (compiled models are cached, so the first round also compiles);
# prints per binary the median of the rounds' medians and the best p10. Options
# after the binaries go to every `cnnc bench` (`--mode training`, `--threads 2`).
# Build the "before" binary from another checkout, e.g.
#   git worktree add /tmp/before HEAD~1 && (cd /tmp/before && swift build -c release --product cnnc)
set -euo pipefail
if [ $# -lt 5 ]; then
  echo "usage: $0 SPEC BATCH ROUNDS CNNC_BEFORE CNNC_AFTER [BENCH_OPTION...]" >&2
  exit 2
fi
spec=$1 batch=$2 rounds=$3
binaries=("$4" "$5")
shift 5
for cnnc in "${binaries[@]}"; do "$cnnc" bench "$spec" --batch-size "$batch" --seconds 0.5 "$@" > /dev/null; done
for _ in $(seq "$rounds"); do
  for cnnc in "${binaries[@]}"; do
    printf '%s ' "$cnnc"
    "$cnnc" bench "$spec" --batch-size "$batch" --seconds 1 "$@" | tail -n 1
  done
done | python3 -c '
import json, statistics, sys
runs = {}
for line in sys.stdin:
    binary, report = line.split(" ", 1)
    result = json.loads(report)
    runs.setdefault(binary, []).append((result["median_ms"], result["p10_ms"]))
for binary, results in runs.items():
    medians = statistics.median(m for m, _ in results)
    best = min(p for _, p in results)
    print(f"{binary}: median of {len(results)} medians {medians:.4f} ms, best p10 {best:.4f} ms")
'
