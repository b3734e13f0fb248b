#!/usr/bin/env bash
# Runs every benchmark in benchmarks/targets.md and prints measured vs target with PASS/FAIL; exits 1 when a target
# is missed (2 on a setup problem). Not part of the CI test command: timings on a shared machine are noisy.
#
# Usage: benchmarks/run-all.sh [--cpu-only] [--runs N]
#   --cpu-only  judge CPU time (user+sys) and memory only; wall times are still shown (as "info"). For a machine
#               shared with other work, where wall time measures the neighbours more than revroll.
#   --runs N    timed runs per start-up benchmark, median taken (default 5, after one warm-up run)
# Builds target/revroll.jar when it is missing (mvn -B -q -DskipTests package). Needs GNU time (/usr/bin/time) for
# CPU time and max RSS; installs the Debian package `time` with apt-get when it is missing and this runs as root.
set -euo pipefail
cd "$(dirname "$0")/.."

# The targets (keep in step with benchmarks/targets.md). Times in seconds, memory in MiB.
T_START_WALL=1.0        # validate (tiny plan) and status --help through bin/revroll, warm, median
T_START_CPU=1.0
T_START17_WALL=1.0      # the same validate through bin/revroll on Java 17 (REVROLL_AOT=off: the launcher without Java 25)
T_START17_CPU=2.0
T_LARGE_WALL=2.0        # validate of the large plan (300 waves, 3000 listed namespaces, 20 gates)
T_LARGE_CPU=1.5
T_LARGE_RSS=192
T_LAYOUT_WALL=1.0       # StepPlanner.layout, 5000 namespaces x 5 workloads, first (cold) run
T_LAYOUT_CPU=0.5
T_PREVIEW_WALL=2.0      # RolloutEngine.preview over the same cluster, cold
T_PREVIEW_CPU=1.5
T_PREVIEW_HEAP=64       # heap the layout + preview retain
T_PLANNING_RSS=400      # max RSS of the whole planning JVM (-Xmx256m; includes the fake cluster)
T_GATERUN_WALL=2.0      # one gate run of 10000 evaluations (3 queries each), cold
T_GATERUN_CPU=1.5
T_GATESERIES_WALL=0.25  # one evaluation over 10000 series, cold
T_GATESERIES_CPU=0.25
T_BACKTEST_PEAK=128     # preview --backtest 7d over 1000 namespaces: peak heap (MiB, in -Xmx256m)
T_BACKTEST_HEAP=32      # what the finished backtest retains (MiB)
T_BACKTEST_CPU=120      # its CPU time (s)

cpu_only=false
runs=5
while (( $# )); do
  case "$1" in
    --cpu-only) cpu_only=true ;;
    --runs) runs="$2"; shift ;;
    *) echo "usage: benchmarks/run-all.sh [--cpu-only] [--runs N]" >&2; exit 2 ;;
  esac
  shift
done

if ! /usr/bin/time --version 2>&1 | grep -q GNU; then
  if [[ $(id -u) == 0 ]] && command -v apt-get > /dev/null; then
    echo "GNU time is missing; installing the Debian package 'time' with apt-get" >&2
    apt-get install -y -qq time > /dev/null
  else
    echo "GNU time (/usr/bin/time) is missing; install it: sudo apt-get install time" >&2
    exit 2
  fi
fi
if [[ ! -f target/revroll.jar ]]; then
  echo "target/revroll.jar missing; building it (mvn -B -q -DskipTests package)" >&2
  mvn -B -q -DskipTests package > /dev/null
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export REVROLL_CACHE_DIR="$work/aot"   # a fresh AOT cache, created by the warm-up run
benchmarks/large-plan.sh 300 3000 20 > "$work/large.yaml"

rows=()
failed=0
# check NAME METRIC MEASURED TARGET UNIT [wall]
check() {
  local name="$1" metric="$2" measured="$3" target="$4" unit="$5" kind="${6:-}" verdict
  if [[ -z "$measured" ]]; then
    verdict=FAIL; measured="(none)"
  elif [[ "$kind" == wall && "$cpu_only" == true ]]; then
    verdict=info
  elif awk -v m="$measured" -v t="$target" 'BEGIN { exit !(m <= t) }'; then
    verdict=PASS
  else
    verdict=FAIL
  fi
  [[ "$verdict" == FAIL ]] && failed=1
  rows+=("$(printf '%-34s %-14s %10s %10s  %s' "$name" "$metric" "$measured $unit" "$target $unit" "$verdict")")
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# measure NAME CMD...: one warm-up run, then $runs timed runs; sets wall, cpu (medians, s) and rss (max, MiB)
measure() {
  local name="$1"; shift
  local out="$work/$name.times"
  : > "$out"
  if ! "$@" > "$work/$name.out" 2>&1; then
    echo "$name: '$*' failed:" >&2; cat "$work/$name.out" >&2; wall=; cpu=; rss=; return
  fi
  for ((i = 0; i < runs; i++)); do
    /usr/bin/time -f '%e %U %S %M' -a -o "$out" "$@" > /dev/null 2>&1
  done
  wall=$(awk '{ print $1 }' "$out" | median)
  cpu=$(awk '{ printf "%.2f\n", $2 + $3 }' "$out" | median)
  rss=$(awk '{ if ($4 > m) m = $4 } END { printf "%d\n", m / 1024 }' "$out")
}

# value FILE KEY: the number after KEY= in FILE
value() { grep -o "$2=[0-9.]*" "$1" | head -1 | cut -d= -f2; }
ms_to_s() { [[ -n "$1" ]] && awk -v v="$1" 'BEGIN { printf "%.2f\n", v / 1000 }'; }

java25="${REVROLL_JAVA25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
if [[ "${REVROLL_AOT:-auto}" != off && -x "$java25" ]]; then mode="Java 25 + AOT cache"; else mode="Java 17 (no Java 25: no AOT cache)"; fi

echo "revroll benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "launcher: $mode; $runs timed runs per start-up benchmark (median); engine benchmarks: first (cold) run in one JVM"
$cpu_only && echo "--cpu-only: wall times shown, not judged"
echo

measure validate-start bin/revroll validate plans/minimal.yaml
check "bin/revroll validate (tiny plan)" wall "$wall" $T_START_WALL s wall
check "bin/revroll validate (tiny plan)" cpu "$cpu" $T_START_CPU s

measure validate-start-17 env REVROLL_AOT=off bin/revroll validate plans/minimal.yaml
check "bin/revroll validate, Java 17" wall "$wall" $T_START17_WALL s wall
check "bin/revroll validate, Java 17" cpu "$cpu" $T_START17_CPU s

measure status-help bin/revroll status --help
check "bin/revroll status --help" wall "$wall" $T_START_WALL s wall
check "bin/revroll status --help" cpu "$cpu" $T_START_CPU s

measure validate-large bin/revroll validate "$work/large.yaml"
check "bin/revroll validate (large plan)" wall "$wall" $T_LARGE_WALL s wall
check "bin/revroll validate (large plan)" cpu "$cpu" $T_LARGE_CPU s
check "bin/revroll validate (large plan)" max-rss "$rss" $T_LARGE_RSS MiB

planning="$work/planning.out"
if /usr/bin/time -f 'rss_kib=%M' -o "$work/planning.time" benchmarks/engine.sh planning 5000 5 > "$planning" 2>&1; then :; else
  echo "engine planning benchmark failed:" >&2; cat "$planning" >&2
fi
layout="$(grep '^layout ' "$planning" > "$work/layout" || true; echo "$work/layout")"
preview="$(grep '^preview ' "$planning" > "$work/preview" || true; echo "$work/preview")"
check "layout 5000 ns x 5 workloads" wall "$(ms_to_s "$(value "$layout" cold_wall_ms)")" $T_LAYOUT_WALL s wall
check "layout 5000 ns x 5 workloads" cpu "$(ms_to_s "$(value "$layout" cold_cpu_ms)")" $T_LAYOUT_CPU s
check "preview 5000 ns x 5 workloads" wall "$(ms_to_s "$(value "$preview" cold_wall_ms)")" $T_PREVIEW_WALL s wall
check "preview 5000 ns x 5 workloads" cpu "$(ms_to_s "$(value "$preview" cold_cpu_ms)")" $T_PREVIEW_CPU s
check "preview 5000 ns x 5 workloads" retained-heap "$(value "$preview" retained_heap_mib)" $T_PREVIEW_HEAP MiB
check "planning JVM (-Xmx256m)" max-rss "$(awk -F= '/rss_kib/ { printf "%d\n", $2 / 1024 }' "$work/planning.time")" $T_PLANNING_RSS MiB

gates="$work/gates.out"
if benchmarks/engine.sh gates 10000 10000 > "$gates" 2>&1; then :; else
  echo "engine gates benchmark failed:" >&2; cat "$gates" >&2
fi
grep '^gate_run ' "$gates" > "$work/gate_run" || true
grep '^gate_series ' "$gates" > "$work/gate_series" || true
check "gate run, 10000 evaluations" wall "$(ms_to_s "$(value "$work/gate_run" cold_wall_ms)")" $T_GATERUN_WALL s wall
check "gate run, 10000 evaluations" cpu "$(ms_to_s "$(value "$work/gate_run" cold_cpu_ms)")" $T_GATERUN_CPU s
check "gate evaluation, 10000 series" wall "$(ms_to_s "$(value "$work/gate_series" cold_wall_ms)")" $T_GATESERIES_WALL s wall
check "gate evaluation, 10000 series" cpu "$(ms_to_s "$(value "$work/gate_series" cold_cpu_ms)")" $T_GATESERIES_CPU s

backtest="$work/backtest.out"
if benchmarks/engine.sh backtest 1000 7 > "$backtest" 2>&1; then :; else
  echo "engine backtest benchmark failed:" >&2; cat "$backtest" >&2
fi
grep '^backtest ' "$backtest" > "$work/backtest" || true
check "backtest 7d x 1000 ns" cpu "$(ms_to_s "$(value "$work/backtest" cpu_ms)")" $T_BACKTEST_CPU s
check "backtest 7d x 1000 ns" peak-heap "$(value "$work/backtest" peak_heap_mib)" $T_BACKTEST_PEAK MiB
check "backtest 7d x 1000 ns" retained-heap "$(value "$work/backtest" retained_heap_mib)" $T_BACKTEST_HEAP MiB

printf '%-34s %-14s %10s %10s  %s\n' benchmark metric measured target result
printf '%s\n' "${rows[@]}"
echo
echo "engine details:"; cat "$planning" "$gates" "$backtest" | grep -v '^\s*$' | sed 's/^/  /'
if (( failed )); then
  echo "FAIL: a target was missed"
  exit 1
fi
echo "PASS: every target met"
