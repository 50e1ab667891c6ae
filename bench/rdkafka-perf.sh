#!/usr/bin/env bash
# Measures the broker as librdkafka's own benchmark client sees it: the time from process start to the
# first accepted TCP connection, the idle RSS after start, then produce and consume throughput with
# rdkafka_performance (../shared/tools/rdkafka-perf, built from Debian's librdkafka source on first use).
#
#   bench/rdkafka-perf.sh                   2,000,000 records of 100 bytes, 3 produce and 3 consume runs
#   bench/rdkafka-perf.sh --count 200000    a quicker look
#   bench/rdkafka-perf.sh --runs 5
#   bench/rdkafka-perf.sh --startup-only    only the start-up time and idle RSS (no rdkafka tool needed)
#
# Builds the kraft command in Release, formats storage in a temp directory, starts one combined
# broker/controller on free 127.0.0.1 ports, and stops it by process id (SIGTERM) at the end, also on
# failure. Every run is bounded; a run that fails or times out stops the script with its output.
# RDKAFKA_PERF=/path/to/rdkafka_performance overrides the tool; KRAFT_DLL=path/kraft.dll measures another
# build (e.g. an older commit's) and skips the build.
set -euo pipefail

repo_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
perf_tool="${RDKAFKA_PERF:-$repo_dir/../shared/tools/rdkafka-perf}"
kraft_dll="${KRAFT_DLL:-$repo_dir/src/Reference.Cli/bin/Release/net10.0/kraft.dll}"

count=2000000
runs=3
record_bytes=100
topic=bench
# Bounds: start-up (JIT and storage), one produce or consume run, graceful stop, topic creation attempts.
start_timeout_s=60
run_timeout_s=600
stop_timeout_s=30
create_attempts_max=20
# Pause after start so the RSS is the idle broker's, not the start-up's peak still being collected.
idle_settle_s=2
startup_only=0

usage() {
  echo "usage: bench/rdkafka-perf.sh [--count N] [--runs N] [--startup-only]" >&2
  exit 2
}
while [ "$#" -gt 0 ]; do
  case "$1" in
    --count) [ "$#" -ge 2 ] || usage; count="$2"; shift 2 ;;
    --runs) [ "$#" -ge 2 ] || usage; runs="$2"; shift 2 ;;
    --startup-only) startup_only=1; shift ;;
    *) usage ;;
  esac
done
[[ "$count" =~ ^[1-9][0-9]*$ && "$runs" =~ ^[1-9][0-9]*$ ]] || usage
[ "$startup_only" -eq 1 ] || [ -x "$perf_tool" ] || { echo "bench: $perf_tool is missing or not executable (set RDKAFKA_PERF)" >&2; exit 1; }

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

work_dir="$(mktemp -d -t kraft-bench-XXXXXX)"
broker_pid=""
broker_log="$work_dir/broker.log"

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# Whether a process runs: a child that has exited stays a zombie until waited for, and kill -0 still
# succeeds on a zombie, so the state is read from /proc.
is_running() {
  local state
  state="$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null)" || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

fail() {
  echo "bench: $*" >&2
  if [ -s "$broker_log" ]; then
    echo "bench: the broker's last output:" >&2
    tail -n 40 "$broker_log" >&2
  fi
  exit 1
}

# Stops the broker by its process id: SIGTERM, a bounded wait, SIGKILL if it does not go.
stop_broker() {
  [ -n "$broker_pid" ] || return 0
  local pid="$broker_pid" deadline
  broker_pid=""
  is_running "$pid" || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid"
  deadline=$(( $(now_ms) + stop_timeout_s * 1000 ))
  while is_running "$pid"; do
    if [ "$(now_ms)" -gt "$deadline" ]; then
      echo "bench: the broker did not stop within ${stop_timeout_s} s of SIGTERM; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
  done
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  stop_broker
  rm -rf "$work_dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Two distinct ports the kernel says are free on 127.0.0.1 (both held until both are chosen).
free_ports() {
  /usr/bin/python3 -c '
import socket
held = [socket.socket() for _ in range(2)]
for s in held:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in held))
'
}

port_accepts() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

kraft() {
  dotnet "$kraft_dll" "$@"
}

# median: the middle of the numbers on stdin (the mean of the two middle ones for an even count).
median() {
  sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# The last summary rdkafka_performance printed (it prints one a second and a final one), as
# "DELIVERED FAILED MSGS_PER_S MB_PER_S" for the producer and "CONSUMED MSGS_PER_S MB_PER_S" for the
# consumer. Formats from examples/rdkafka_performance.c (librdkafka 2.0.2), print_stats():
#   % N messages produced (B bytes), D delivered (offset O, F failed) in Tms: R msgs/s and M MB/s, ...
#   % N messages (B bytes) consumed in Tms: R msgs/s (M MB/s)...
parse_produce_summary() {
  sed -nE 's/^% [0-9]+ messages produced \([0-9]+ bytes\), ([0-9]+) delivered \(offset -?[0-9]+, ([0-9]+) failed\) in [0-9]+ms: ([0-9]+) msgs\/s and ([0-9.]+) MB\/s.*/\1 \2 \3 \4/p' "$1" | tail -n 1
}
parse_consume_summary() {
  sed -nE 's/^% ([0-9]+) messages \([0-9]+ bytes\) consumed in [0-9]+ms: ([0-9]+) msgs\/s \(([0-9.]+) MB\/s\).*/\1 \2 \3/p' "$1" | tail -n 1
}

# run_perf OUTPUT_FILE ARGS...: one bounded rdkafka_performance run; stops the script when it fails.
run_perf() {
  local out="$1"
  shift
  if ! timeout "$run_timeout_s" "$perf_tool" "$@" >"$out" 2>&1; then
    tail -n 20 "$out" >&2
    fail "rdkafka-perf $* failed or ran over ${run_timeout_s} s"
  fi
}

[ -n "${KRAFT_DLL:-}" ] || echo "bench: building the kraft command in Release"
[ -n "${KRAFT_DLL:-}" ] || dotnet build "$repo_dir/src/Reference.Cli" -c Release --nologo -v quiet -tl:off >"$work_dir/build.log" 2>&1 \
  || { cat "$work_dir/build.log" >&2; fail "the build failed"; }

read -r port controller_port < <(free_ports)
config="$work_dir/server.properties"
cat >"$config" <<EOF
node.id=1
process.roles=broker,controller
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$work_dir/kraft-combined-logs
offsets.topic.replication.factor=1
group.initial.rebalance.delay.ms=0
EOF
cluster_id="$(kraft storage random-uuid)" || fail "kraft storage random-uuid failed"
kraft storage format -t "$cluster_id" -c "$config" >"$work_dir/format.log" 2>&1 \
  || { cat "$work_dir/format.log" >&2; fail "kraft storage format failed"; }

started_ms=$(now_ms)
dotnet "$kraft_dll" server start "$config" >"$broker_log" 2>&1 &
broker_pid=$!
until port_accepts "$port"; do
  is_running "$broker_pid" || fail "the broker exited during start-up"
  [ $(( $(now_ms) - started_ms )) -le $(( start_timeout_s * 1000 )) ] || fail "port $port did not accept a connection within ${start_timeout_s} s"
  sleep 0.005
done
startup_ms=$(( $(now_ms) - started_ms ))

sleep "$idle_settle_s"
idle_rss_kb="$(awk '/^VmRSS:/ { print $2 }' "/proc/$broker_pid/status")"
print_startup() {
  echo "start-up to first accepted connection: ${startup_ms} ms"
  echo "idle RSS after start:                  $(awk -v kb="$idle_rss_kb" 'BEGIN { printf "%.1f MiB", kb / 1024 }')"
}
if [ "$startup_only" -eq 1 ]; then
  print_startup
  exit 0
fi

for attempt in $(seq 1 "$create_attempts_max"); do
  if kraft topics --bootstrap-server "127.0.0.1:$port" --create --topic "$topic" --partitions 1 --replication-factor 1 >"$work_dir/create.log" 2>&1; then
    break
  fi
  [ "$attempt" -lt "$create_attempts_max" ] || { cat "$work_dir/create.log" >&2; fail "could not create topic $topic"; }
  sleep 0.5
done

echo "bench: broker pid $broker_pid on 127.0.0.1:$port; $count records of $record_bytes bytes, $runs runs each"
produce_rates=() produce_mbs=() consume_rates=() consume_mbs=()
for run in $(seq 1 "$runs"); do
  out="$work_dir/produce-$run.txt"
  run_perf "$out" -P -t "$topic" -b "127.0.0.1:$port" -s "$record_bytes" -c "$count" -a 1 -X linger.ms=5
  read -r delivered failed rate mbs < <(parse_produce_summary "$out") || fail "no producer summary in: $(tail -n 3 "$out")"
  [ "$delivered" -eq "$count" ] && [ "$failed" -eq 0 ] || fail "produce run $run delivered $delivered of $count ($failed failed)"
  echo "  produce run $run: $rate msgs/s, $mbs MB/s"
  produce_rates+=("$rate") produce_mbs+=("$mbs")
done
for run in $(seq 1 "$runs"); do
  out="$work_dir/consume-$run.txt"
  run_perf "$out" -C -t "$topic" -p 0 -b "127.0.0.1:$port" -o beginning -c "$count"
  read -r consumed rate mbs < <(parse_consume_summary "$out") || fail "no consumer summary in: $(tail -n 3 "$out")"
  # rdkafka_performance stops once it has at least -c messages, checking after each fetched batch, so it may
  # read past the count by part of a batch (the partition holds every run's records); its rate covers all it read.
  [ "$consumed" -ge "$count" ] || fail "consume run $run read $consumed of $count"
  echo "  consume run $run: $rate msgs/s, $mbs MB/s"
  consume_rates+=("$rate") consume_mbs+=("$mbs")
done

stop_broker

echo
print_startup
echo "produce (acks=1, linger.ms=5), median: $(printf '%s\n' "${produce_rates[@]}" | median) msgs/s, $(printf '%s\n' "${produce_mbs[@]}" | median) MB/s"
echo "consume (partition 0), median:         $(printf '%s\n' "${consume_rates[@]}" | median) msgs/s, $(printf '%s\n' "${consume_mbs[@]}" | median) MB/s"
