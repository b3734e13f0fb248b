#!/usr/bin/env bash
# Fleet benchmark: revroll against the kubectl loop of Istio's canary-upgrade guide and against the floor, on a
# benchmark world of its own (kwok nodes scaled to the fleet, kwok Stages from the API for the start-up model, the
# API server's audit log on). Not a test: it prints where its JSON went; render.py turns results into the table.
#   k3s-tests/bench/fleet.sh [--sizes 10,100,1000] [--repeat N] [--startup instant|realistic|both]
#                            [--contenders loop,floor,floor-seq,revroll-p1,revroll-p10] [--keep-world]
# Env: REVROLL_SANDBOX_DIR (default target/bench-world), REVROLL_PORT_BASE (default 44000).
# The world is started if needed (with the options above) and stopped at the end unless --keep-world.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CHECKOUT="$(cd "$HERE/../.." && pwd)"
export REVROLL_SANDBOX_DIR="${REVROLL_SANDBOX_DIR:-$CHECKOUT/target/bench-world}"
export REVROLL_PORT_BASE="${REVROLL_PORT_BASE:-44000}"
keep=0 args=()
for a in "$@"; do
  if [[ "$a" == --keep-world ]]; then keep=1; else args+=("$a"); fi
done
[[ -f "$CHECKOUT/target/revroll.jar" ]] || (cd "$CHECKOUT" && mvn -B -q -DskipTests package)
audit="$(grep -c 'audit.log' "$REVROLL_SANDBOX_DIR/kwok/clusters/revroll-$REVROLL_PORT_BASE/kwok.yaml" 2>/dev/null || true)"
if [[ -f "$REVROLL_SANDBOX_DIR/base" && "${audit:-0}" == 0 ]]; then
  echo "fleet: the world in $REVROLL_SANDBOX_DIR was not started as a benchmark world; stopping it first" >&2
  "$CHECKOUT/k3s-tests/sandbox" down
fi
REVROLL_SANDBOX_STAGES="$HERE/kwok-stages.yaml" REVROLL_SANDBOX_AUDIT_POLICY="$HERE/audit-policy.yaml" \
  "$CHECKOUT/k3s-tests/sandbox" up
rc=0
python3 "$HERE/fleet.py" --sandbox-dir "$REVROLL_SANDBOX_DIR" --port-base "$REVROLL_PORT_BASE" "${args[@]}" || rc=$?
((keep)) || "$CHECKOUT/k3s-tests/sandbox" down
exit "$rc"
