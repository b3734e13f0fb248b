#!/usr/bin/env bash
# Installs what a fresh machine lacks to build revroll and its test world: Debian packages with apt-get
# (git, curl, a JDK 17+, Maven, Go, chromium for the HTML report's browser test, zsh for the completion test). Each is installed only when missing. Go 1.26+ is required by the world's
# modules; an older Go fetches the pinned toolchain through the Go module proxy (GOTOOLCHAIN).
set -euo pipefail
need=()
command -v git >/dev/null || need+=(git)
command -v curl >/dev/null || need+=(curl)
command -v java >/dev/null || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || need+=(maven)
command -v go >/dev/null || need+=(golang-go)
command -v setsid >/dev/null || need+=(util-linux)
command -v ss >/dev/null || need+=(iproute2)
command -v chromium >/dev/null || need+=(chromium)   # ReportsIT renders the HTML report in a headless browser
command -v zsh >/dev/null || need+=(zsh)             # CompletionTest loads the completion script into zsh
if ((${#need[@]})); then
  echo "prereqs: installing ${need[*]}" >&2
  if [[ $(id -u) -ne 0 ]]; then sudo=sudo; else sudo=; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
go_minor=$(go env GOVERSION | sed -E 's/^go1\.([0-9]+).*/\1/')
if (( go_minor < 26 )); then
  echo "prereqs: Go $(go env GOVERSION) is older than 1.26; using the go1.26.8 toolchain (fetched as a module)" >&2
  export GOTOOLCHAIN=go1.26.8
  go version >/dev/null
fi
git config --global user.email >/dev/null 2>&1 || git config --global user.email "revroll-ci@localhost"
git config --global user.name >/dev/null 2>&1 || git config --global user.name "revroll CI"
echo "prereqs: $(go version | awk '{print $3}'), $(java -version 2>&1 | head -1), $(mvn -B -v 2>/dev/null | head -1 | cut -c1-40), $(git --version)" >&2
