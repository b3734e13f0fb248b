#!/usr/bin/env bash
# In-process engine benchmarks: dev.revroll.engine.EngineBenchmark (src/test/java) over the unit tests' in-memory
# fakes, run with the launcher's JVM options (C1 only, serial GC) and a capped heap (BENCH_XMX, default 256m).
# Usage: benchmarks/engine.sh planning NAMESPACES WORKLOADS   (StepPlanner layout + RolloutEngine.preview)
#        benchmarks/engine.sh gates EVALUATIONS SERIES        (MetricGateRunner: one long run, one wide evaluation)
#        benchmarks/engine.sh backtest NAMESPACES DAYS        (RolloutEngine.preview with --backtest DAYSd, one gate)
# Prints key=value lines. Compiles the test classes and writes target/cp.txt (Maven) when they are missing or stale.
set -euo pipefail
cd "$(dirname "$0")/.."
cls=target/test-classes/dev/revroll/engine/EngineBenchmark.class
if [[ ! -f target/cp.txt || pom.xml -nt target/cp.txt ]]; then
  mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/cp.txt > /dev/null
fi
if [[ ! -f "$cls" || -n "$(find src -name '*.java' -newer "$cls" -print -quit)" ]]; then
  mvn -B -q test-compile > /dev/null
fi
exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC "-Xmx${BENCH_XMX:-256m}" \
  -cp "target/classes:target/test-classes:$(cat target/cp.txt)" dev.revroll.engine.EngineBenchmark "$@"
