#!/usr/bin/env bash
# Target: the fat jar carries no library revroll does not use. Lists every runtime library with how many of its
# classes revroll's classes reach (benchmarks/jar_reach.py says what counts) and exits 1 when one reaches none.
# Usage: benchmarks/jar-libraries.sh [LIBRARY_JAR_NAME]   (with a name: also who reaches that library's classes)
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -d target/classes/dev/revroll ]] || mvn -B -q -DskipTests compile
cp=target/runtime-cp.txt
if [[ ! -f "$cp" || pom.xml -nt "$cp" ]]; then
  mvn -B -q dependency:build-classpath -DincludeScope=runtime -Dmdep.outputFile="$cp" > /dev/null
fi
exec python3 benchmarks/jar_reach.py "$cp" target/classes "$@"
