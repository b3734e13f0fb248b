#!/usr/bin/env bash
# Writes a large, valid rollout plan to stdout: WAVES waves of listed namespaces (NAMESPACES in all, spread evenly),
# every tenth wave also with a selector and an exclude, and GATES metric gates (with baselines and volume floors),
# a GitOps section and a maintenance window — every part of the plan validate checks.
# Usage: benchmarks/large-plan.sh [WAVES] [NAMESPACES] [GATES] > plan.yaml   (defaults 300 3000 20)
set -euo pipefail
waves="${1:-300}" namespaces="${2:-3000}" gates="${3:-20}"
per=$(( (namespaces + waves - 1) / waves ))

cat <<HEAD
apiVersion: revroll.dev/v1alpha1
kind: RolloutPlan
metadata:
  name: large-benchmark
spec:
  cluster:
    context: bench
  controlPlane:
    namespace: istio-system
  revision:
    from: 1-27-0
    to: 1-28-0
  waves:
HEAD
n=0
for ((w = 0; w < waves; w++)); do
  printf '    - name: wave-%03d\n      namespaces: [' "$w"
  for ((i = 0; i < per && n < namespaces; i++, n++)); do
    (( i > 0 )) && printf ', '
    printf 'ns-%05d' "$n"
  done
  printf ']\n'
  if (( w % 10 == 0 )); then
    printf '      selector: "team in (t%d,u%d),tier!=db,!legacy"\n      exclude: [other-%d]\n' "$w" "$w" "$w"
  fi
  printf '      parallel: %d\n' $(( w % 4 + 1 ))
done
cat <<MID
  restart:
    kinds: [Deployment, StatefulSet, DaemonSet]
    surge: enforce
    timeout: 10m
  gates:
    proxySync:
      timeout: 2m
    metrics:
MID
for ((g = 0; g < gates; g++)); do
  cat <<GATE
      - name: gate-$g
        query: >-
          (sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="{{namespace}}",response_code=~"5..",gate="$g"}[{{interval}}])) or vector(0))
          / sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="{{namespace}}"}[{{interval}}]))
        failWhen: "> 0.0$((g % 9 + 1))"
        interval: $((g % 3 * 15 + 15))s
        samples: $((g % 4 + 2))
        failureLimit: $((g % 2))
        onNoData: $( case $((g % 3)) in 0) echo fail;; 1) echo pass;; 2) echo wait;; esac )
        minRequests: 10
        baseline:
          query: sum(rate(istio_requests_total{destination_workload_namespace="{{namespace}}",revision="{{fromRevision}}"}[{{interval}}]))
          maxRatio: 2
GATE
done
cat <<TAIL
  bake: 2m
  onFailure: rollback-step
  prometheus:
    url: http://prometheus.istio-system:9090
  git:
    repo: ../gitops
    path: clusters/bench/namespaces/{{namespace}}.yaml
    push: true
  window:
    cron: "0 22 * * 1-4"
    duration: 4h
    timeZone: Europe/Oslo
TAIL
