#!/usr/bin/env bash
# Measures how many iterations per second `kraft explore` runs at 200 max steps for a 3-voter election
# (no workload), per strategy, as the median of several runs of the summary's `iterations:` line.
#
#   bench/explore-rate.sh                        --iterations 500 and 5000, 3 runs each, every strategy
#   bench/explore-rate.sh --iterations 500       one size only
#   bench/explore-rate.sh --runs 5 --strategies 'random pct'
#
# Builds the kraft command in Release first (--no-build skips that; KRAFT_DLL=path/kraft.dll measures another
# build, e.g. an older commit's, and implies --no-build). Every run is bounded (run_timeout_s).
# Also prints the load average before and after: on a shared 2-core machine other work skews the figures.
set -euo pipefail

repo_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
kraft_dll="${KRAFT_DLL:-$repo_dir/src/Reference.Cli/bin/Release/net10.0/kraft.dll}"

sizes="500 5000"
runs=3
strategies="random probabilistic pct dfs portfolio coverage"
build=1
# Bound on one explore run (5000 iterations take well under a minute on an idle machine).
run_timeout_s=600

usage() {
  echo "usage: bench/explore-rate.sh [--iterations N] [--runs N] [--strategies 'S ...'] [--no-build]" >&2
  exit 2
}
while [ "$#" -gt 0 ]; do
  case "$1" in
    --iterations) [ "$#" -ge 2 ] || usage; sizes="$2"; shift 2 ;;
    --runs) [ "$#" -ge 2 ] || usage; runs="$2"; shift 2 ;;
    --strategies) [ "$#" -ge 2 ] || usage; strategies="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    *) usage ;;
  esac
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || usage

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if [ "$build" -eq 1 ] && [ -z "${KRAFT_DLL:-}" ]; then
  echo "bench: building the kraft command in Release"
  dotnet build "$repo_dir/src/Reference.Cli" -c Release --nologo -v quiet -tl:off >/dev/null || { echo "bench: the build failed" >&2; exit 1; }
fi

# median: the middle of the numbers on stdin (the mean of the two middle ones for an even count).
median() {
  sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for size in $sizes; do
  for strategy in $strategies; do
    rates=""
    for _ in $(seq 1 "$runs"); do
      # The summary line reads "iterations:      500 in 1.2 s (417 per second)".
      rate="$(timeout "$run_timeout_s" dotnet "$kraft_dll" explore --strategy "$strategy" --iterations "$size" --max-steps 200 --voters 3 --no-workload 2>&1 \
        | sed -nE 's/^iterations: .*\(([0-9]+) per second\).*/\1/p')"
      [ -n "$rate" ] || { echo "bench: explore --strategy $strategy --iterations $size printed no rate" >&2; exit 1; }
      rates+="$rate "
    done
    printf '%-14s --iterations %-5s runs: %-20s median: %s/s\n' "$strategy" "$size" "$rates" "$(echo "$rates" | tr ' ' '\n' | grep . | median)"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
