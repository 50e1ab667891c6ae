#!/usr/bin/env bash
# Prints a fingerprint of the simulator's and the explorer's behaviour with every timing stripped, so a change
# meant only to make them faster can be held to it: the output before and after must be byte-identical.
#
#   bench/fingerprint.sh > before.txt            (on the commit before the change)
#   bench/fingerprint.sh > after.txt && diff before.txt after.txt
#   KRAFT_DLL=/path/to/other/kraft.dll bench/fingerprint.sh   another build (implies --no-build)
#
# It covers two `kraft sim` sweeps with their check counts; every strategy with --count-states, with and without
# faults and the workload; a 5-voter run with crashes, kills and wipes; two museum finds with the bytes of their
# shrunk traces (the build line left out); and a replay of every committed trace. Under a minute idle.
set -euo pipefail

repo_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
kraft_dll="${KRAFT_DLL:-$repo_dir/src/Reference.Cli/bin/Release/net10.0/kraft.dll}"
build=1
[ -n "${KRAFT_DLL:-}" ] && build=0
case "${1:-}" in
  --no-build) build=0 ;;
  "") ;;
  *) echo "usage: bench/fingerprint.sh [--no-build]" >&2; exit 2 ;;
esac
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
if [ "$build" -eq 1 ]; then
  dotnet build "$repo_dir/src/Reference.Cli" -c Release --nologo -v quiet -tl:off >/dev/null || { echo "fingerprint: the build failed" >&2; exit 1; }
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# Timings, progress lines and the build's version vary from run to run; paths vary by checkout.
strip() { grep -vE 'per second|wall|events/s|/s, |elapsed|recorded by build' | sed -E 's/ in [0-9.]+ s//' | sed "s#$tmp#TMP#g; s#$repo_dir#REPO#g"; }
# Every command is bounded, and a finding's non-zero exit is part of what is printed, not a failure.
run() { echo "== $*" | sed "s#$tmp#TMP#g; s#$repo_dir#REPO#g"; timeout 600 dotnet "$kraft_dll" "$@" 2>&1 | strip || true; }

run sim --seeds 1..30 --voters 3 --observers 1 --faults all --duration 10s
run sim --seeds 31..50 --voters 5 --faults all --duration 10s
for s in random probabilistic pct dfs portfolio coverage; do
  run explore --strategy $s --iterations 300 --max-steps 200 --voters 3 --no-workload --count-states
  run explore --strategy $s --iterations 150 --max-steps 300 --voters 3 --count-states --crashes 2 --drops 2
done
run explore --strategy random --iterations 100 --max-steps 400 --voters 5 --count-states --crashes 2 --kills 1 --wipes 1
run explore --bug vote-without-log-comparison --strategy random --iterations 2000 --max-steps 200 --trace "$tmp/v.trace"
echo "== trace bytes"; grep -v "^build " "$tmp/v.trace" | md5sum
run explore --bug pre-vote-without-fetch-check --strategy coverage --iterations 2000 --max-steps 200 --crashes 0 --no-workload --trace "$tmp/p.trace"
echo "== trace bytes"; grep -v "^build " "$tmp/p.trace" | md5sum
for t in "$repo_dir"/traces/museum/*.trace* "$repo_dir"/traces/toys/*.trace; do run replay "$t"; done
