#!/usr/bin/env bash
# How fast `revroll validate` starts: plain `java -jar` (Java 17), the launcher on Java 17 (REVROLL_AOT=off),
# and the launcher with the Temurin 25 AOT cache. Uses hyperfine when installed, else a bash loop.
# Usage: benchmarks/startup.sh [RUNS]   (default 10; build first: mvn -B -q -DskipTests package)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"
plan=plans/minimal.yaml
jar=target/revroll.jar
[[ -f "$jar" ]] || { echo "build first: mvn -B -q -DskipTests package" >&2; exit 2; }

export REVROLL_CACHE_DIR="${REVROLL_CACHE_DIR:-$(mktemp -d)}"
bin/revroll validate "$plan" > /dev/null   # creates the AOT cache once (when Temurin 25 is present)

declare -A cmds=(
  [java17-plain]="java -jar $jar validate $plan"
  [launcher-java17]="env REVROLL_AOT=off bin/revroll validate $plan"
  [launcher-aot]="bin/revroll validate $plan"
)
order=(java17-plain launcher-java17 launcher-aot)

if command -v hyperfine > /dev/null; then
  args=()
  for name in "${order[@]}"; do args+=(-n "$name" "${cmds[$name]}"); done
  hyperfine -N --warmup 1 --runs "$runs" "${args[@]}"
  exit 0
fi

echo "hyperfine not installed; timing $runs runs of each with a bash loop (one warm-up run each)"
printf '%-18s %9s %9s %9s\n' command mean_ms min_ms max_ms
for name in "${order[@]}"; do
  cmd="${cmds[$name]}"
  $cmd > /dev/null
  total=0 min=999999 max=0
  for ((i = 0; i < runs; i++)); do
    start=$(date +%s%N)
    $cmd > /dev/null
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    total=$((total + ms)); (( ms < min )) && min=$ms; (( ms > max )) && max=$ms
  done
  printf '%-18s %9d %9d %9d\n' "$name" $((total / runs)) "$min" "$max"
done
