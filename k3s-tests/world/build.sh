#!/usr/bin/env bash
# Builds every binary of the test world from its Go module into a cache outside the repo, keyed by version.
# Usage: build.sh            (builds what is missing, prints progress)
#        build.sh --print-bin (prints the bin directory)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
cache_root="${REVROLL_WORLD_CACHE:-$HOME/.cache/revroll-world}"
key="k8s-${KUBERNETES_VERSION}_etcd-${ETCD_VERSION}_kwok-${KWOK_VERSION}_prom-${PROMETHEUS_VERSION}_istio-${ISTIO_VERSION}"
bin="$cache_root/$key/bin"
work="$cache_root/$key/modules"
if [[ "${1:-}" == "--print-bin" ]]; then echo "$bin"; exit 0; fi

command -v go >/dev/null || { echo "build.sh: Go is not installed; install Go 1.26+ (the test world is built from Go modules)" >&2; exit 1; }
mkdir -p "$bin" "$work"
# one build per cache at a time (several sandboxes may start at once)
exec 9>"$cache_root/$key/.build.lock"
if ! flock -n 9; then
  printf '[world-build] another build of %s is running; waiting for it\n' "$key" >&2
  flock 9
fi
export CGO_ENABLED=0 GOFLAGS=-mod=mod GOTOOLCHAIN=local
start_all=$(date +%s)

log() { printf '[world-build %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# wrapper NAME MODULE@VERSION PKG... : a module that requires MODULE and imports the main packages
wrapper() {
  local name=$1 req=$2; shift 2
  local dir="$work/$name"
  mkdir -p "$dir"
  if [[ ! -f "$dir/go.sum" ]]; then
    { echo "module revroll.dev/world/$name"; echo; echo "go 1.26.0"; } >"$dir/go.mod"
    { echo "//go:build tools"; echo; echo "package tools"; echo; echo "import ("; for p in "$@"; do echo "	_ \"$p\""; done; echo ")"; } >"$dir/tools.go"
    (cd "$dir" && go mod edit -require="$req")
  fi
  echo "$dir"
}

# build NAME OUT PKG [LDFLAGS] : go build into the cache unless present (atomic: build to tmp, rename)
build() {
  local dir=$1 out=$2 pkg=$3 ldflags=${4:-}
  if [[ -x "$bin/$out" ]]; then return 0; fi
  log "building $out from $pkg"
  local t=$(date +%s)
  (cd "$dir" && go build -trimpath -ldflags "-s -w $ldflags" -o "$bin/.$out.tmp" "$pkg")
  mv -f "$bin/.$out.tmp" "$bin/$out"
  log "built $out in $(( $(date +%s) - t ))s"
}

tidy() { local dir=$1; [[ -f "$dir/go.sum" && -f "$dir/.tidy-ok" ]] && return 0; log "resolving modules in $(basename "$dir") (first time only)"; (cd "$dir" && go mod tidy >/dev/null); touch "$dir/.tidy-ok"; }

need() { for b in "$@"; do [[ -x "$bin/$b" ]] || return 0; done; return 1; }

# --- Kubernetes ---------------------------------------------------------------------------------------
if need kube-apiserver kube-controller-manager kube-scheduler kubectl; then
  d=$(wrapper kubernetes "k8s.io/kubernetes@$KUBERNETES_VERSION" k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl)
  if ! grep -q '^replace' "$d/go.mod"; then
    modfile=$(cd "$d" && go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
    for m in $(grep -E '=> \./staging' "$modfile" | awk '{print $1}'); do
      (cd "$d" && go mod edit -replace="$m=$m@$KUBERNETES_STAGING_VERSION")
    done
  fi
  tidy "$d"
  v=$KUBERNETES_VERSION; major=${v#v}; major=${major%%.*}; minor=${v#v*.}; minor=${minor%%.*}
  lf=""
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    lf="$lf -X $p.gitVersion=$v -X $p.gitMajor=$major -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=2026-01-01T00:00:00Z"
  done
  for c in kube-apiserver kube-controller-manager kube-scheduler kubectl; do build "$d" "$c" "k8s.io/kubernetes/cmd/$c" "$lf"; done
fi

# --- etcd --------------------------------------------------------------------------------------------
if need etcd; then
  d=$(wrapper etcd "go.etcd.io/etcd/server/v3@$ETCD_VERSION" go.etcd.io/etcd/server/v3)
  tidy "$d"; build "$d" etcd go.etcd.io/etcd/server/v3
fi

# --- kwok --------------------------------------------------------------------------------------------
if need kwok kwokctl; then
  d=$(wrapper kwok "sigs.k8s.io/kwok@$KWOK_VERSION" sigs.k8s.io/kwok/cmd/kwok sigs.k8s.io/kwok/cmd/kwokctl)
  tidy "$d"
  lf="-X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION#v} -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=$KUBERNETES_VERSION"
  build "$d" kwok sigs.k8s.io/kwok/cmd/kwok "$lf"; build "$d" kwokctl sigs.k8s.io/kwok/cmd/kwokctl "$lf"
fi

# --- istio -------------------------------------------------------------------------------------------
if need pilot-discovery istioctl; then
  d=$(wrapper istio "istio.io/istio@$ISTIO_VERSION" istio.io/istio/pilot/cmd/pilot-discovery istio.io/istio/istioctl/cmd/istioctl)
  tidy "$d"
  build "$d" pilot-discovery istio.io/istio/pilot/cmd/pilot-discovery; build "$d" istioctl istio.io/istio/istioctl/cmd/istioctl
fi

# --- Prometheus --------------------------------------------------------------------------------------
# promtool from the same module as the server: the backtest tests backfill history with
# `promtool tsdb create-blocks-from openmetrics` into the server's data directory (blocks of the same TSDB version)
if need prometheus promtool; then
  d=$(wrapper prometheus "github.com/prometheus/prometheus@$PROMETHEUS_VERSION" github.com/prometheus/prometheus/cmd/prometheus github.com/prometheus/prometheus/cmd/promtool)
  if ! grep -q 'cmd/promtool' "$d/tools.go"; then
    # a module made before promtool was built here: import it too and resolve the module's requirements again
    { echo "//go:build tools"; echo; echo "package tools"; echo; echo "import ("
      echo "	_ \"github.com/prometheus/prometheus/cmd/prometheus\""; echo "	_ \"github.com/prometheus/prometheus/cmd/promtool\""; echo ")"; } >"$d/tools.go"
    rm -f "$d/.tidy-ok"
  fi
  tidy "$d"
  build "$d" prometheus github.com/prometheus/prometheus/cmd/prometheus "-X github.com/prometheus/common/version.Version=$PROMETHEUS_RELEASE"
  build "$d" promtool github.com/prometheus/prometheus/cmd/promtool "-X github.com/prometheus/common/version.Version=$PROMETHEUS_RELEASE"
fi

log "world binaries ready in $bin ($(( $(date +%s) - start_all ))s)"
