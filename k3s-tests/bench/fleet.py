#!/usr/bin/env python3
"""Fleet benchmark: revroll against the kubectl loop of Istio's canary-upgrade guide and against the floor.

Run it through fleet.sh (which starts the benchmark world). Each contender moves the whole fleet to the other
revision, so runs alternate without a reset between them: loop, floor, floor-seq, revroll-p1, revroll-p10, loop, ...

Figures per run: wall time; API requests from the API server's own apiserver_request_total (scraped before and
after) and, by user agent, from the audit log; revroll's syncz bytes (its own events), peak heap (GC log) and RSS
(/usr/bin/time); the make-before-break floor of Ready pods, watched through the whole run.
"""
import argparse
import collections
import datetime
import http.client
import json
import os
import platform
import re
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKOUT = os.path.dirname(os.path.dirname(HERE))
BENCH_UA = "revroll-bench/1"
FLOOR_UA = "revroll-bench-floor/1"
OLD, NEW = "1-27-0", "1-28-0"
LABEL = "revroll.dev/bench"
PODS_PER_NODE = 250  # a kwok node's pod CIDR is a /24


def log(*a):
    print("[fleet %s]" % time.strftime("%H:%M:%S"), *a, file=sys.stderr, flush=True)


def load_env(path):
    env = {}
    for line in open(path):
        m = re.match(r"export (\w+)='([^']*)'", line.strip())
        if m:
            env[m.group(1)] = m.group(2)
    return env


# ---- a small API client (its own user agent, so the audit log tells it from the contenders) ---------------------

class Kube:
    def __init__(self, kubeconfig, ua=BENCH_UA):
        text = open(kubeconfig).read()
        self.server = re.search(r"server: (\S+)", text).group(1)
        ca = re.search(r"certificate-authority: (\S+)", text).group(1)
        cert = re.search(r"client-certificate: (\S+)", text).group(1)
        key = re.search(r"client-key: (\S+)", text).group(1)
        u = urllib.parse.urlparse(self.server)
        self.host, self.port = u.hostname, u.port
        self.ctx = ssl.create_default_context(cafile=ca)
        self.ctx.load_cert_chain(cert, key)
        self.ua = ua
        self.local = threading.local()

    def conn(self, timeout=60):
        return http.client.HTTPSConnection(self.host, self.port, context=self.ctx, timeout=timeout)

    def request(self, method, path, body=None, ctype="application/json"):
        for attempt in range(5):
            c = getattr(self.local, "c", None)
            if c is None:
                c = self.local.c = self.conn()
            try:
                headers = {"User-Agent": self.ua, "Accept": "application/json"}
                if body is not None:
                    headers["Content-Type"] = ctype
                c.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
                r = c.getresponse()
                data = r.read()
                if r.status >= 500 or r.status == 429:
                    raise IOError("HTTP %d %s" % (r.status, data[:200]))
                if r.status >= 300:
                    raise RuntimeError("%s %s: HTTP %d %s" % (method, path, r.status, data[:300]))
                return data
            except (IOError, http.client.HTTPException) as e:
                self.local.c = None
                if attempt == 4:
                    raise
                time.sleep(0.5 * (attempt + 1))

    def get(self, path):
        return json.loads(self.request("GET", path))

    def merge_patch(self, path, body):
        return self.request("PATCH", path, body, "application/merge-patch+json")

    def metrics(self):
        return self.request("GET", "/metrics").decode()


def request_totals(metrics_text):
    """apiserver_request_total summed by (verb, resource/subresource)."""
    out = collections.Counter()
    for line in metrics_text.splitlines():
        if not line.startswith("apiserver_request_total{"):
            continue
        labels = dict(re.findall(r'(\w+)="([^"]*)"', line[:line.rindex("}")]))
        value = float(line.rsplit(" ", 1)[1])
        res = labels.get("resource", "") + ("/" + labels["subresource"] if labels.get("subresource") else "")
        out[(labels.get("verb", ""), res or "(non-resource)")] += value
    return out


# ---- the fleet ----------------------------------------------------------------------------------------------------

def ns_name(i):
    return "fleet-%04d" % i


def fleet_yaml(size, layout, rev):
    """Namespaces and workloads as one multi-document file (one kubectl apply)."""
    docs = []
    kinds = layout_kinds(layout)
    for i in range(size):
        ns = ns_name(i)
        docs.append({"apiVersion": "v1", "kind": "Namespace",
                     "metadata": {"name": ns, "labels": {LABEL: "fleet", "team": "fleet", "istio.io/rev": rev}}})
        for j, kind in enumerate(kinds):
            name = "%s-%d" % (kind.lower(), j)
            tmpl = {"metadata": {"labels": {"app": name, LABEL: "pod"},
                                 "annotations": {"proxy.istio.io/config": '{"holdApplicationUntilProxyStarts": true}'}},
                    "spec": {"containers": [{"name": "app", "image": "example.invalid/%s:1" % name}]}}
            spec = {"selector": {"matchLabels": {"app": name}}, "template": tmpl}
            if kind == "Deployment":
                spec.update(replicas=layout["replicas"], strategy={"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}})
            elif kind == "StatefulSet":
                spec.update(replicas=layout["replicas"], serviceName=name, podManagementPolicy="Parallel",
                            updateStrategy={"type": "RollingUpdate"})
            else:
                tmpl["spec"]["nodeSelector"] = {"revroll.dev/bench-ds": "true"}
                spec.update(updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}})
            docs.append({"apiVersion": "apps/v1", "kind": kind,
                         "metadata": {"name": name, "namespace": ns, "labels": {LABEL: "workload"}}, "spec": spec})
    return "\n---\n".join(json.dumps(d) for d in docs) + "\n"


def layout_kinds(layout):
    return ["Deployment"] * layout["deployments"] + ["StatefulSet"] * layout["statefulsets"] + ["DaemonSet"] * layout["daemonsets"]


def pods_of(size, layout):
    # a DaemonSet runs on the 2 nodes labelled revroll.dev/bench-ds
    return size * (layout["replicas"] * (layout["deployments"] + layout["statefulsets"]) + 2 * layout["daemonsets"])


class World:
    def __init__(self, sandbox_dir, base):
        self.dir = sandbox_dir
        self.base = base
        self.env = load_env(os.path.join(sandbox_dir, "env"))
        self.kubeconfig = self.env["KUBECONFIG"]
        self.bin = self.env["REVROLL_BIN"]
        self.kube = Kube(self.kubeconfig)
        self.cluster = "revroll-%s" % base
        self.audit = os.path.join(sandbox_dir, "kwok", "clusters", self.cluster, "logs", "audit.log")

    def kubectl(self, *args, input=None, check=True):
        r = subprocess.run([os.path.join(self.bin, "kubectl"), "--kubeconfig", self.kubeconfig] + list(args),
                           input=input, capture_output=True, text=True)
        if check and r.returncode != 0:
            raise RuntimeError("kubectl %s: %s" % (" ".join(args[:3]), r.stderr.strip()[:500]))
        return r.stdout

    def scale_nodes(self, pods):
        nodes = max(2, -(-int(pods * 1.3 + 50) // PODS_PER_NODE))
        have = len(self.kube.get("/api/v1/nodes")["items"])
        if have < nodes:
            log("scaling the world to %d kwok nodes of %d pods (fleet of %d pods)" % (nodes, PODS_PER_NODE, pods))
            env = dict(os.environ, KWOK_WORKDIR=os.path.join(self.dir, "kwok"))
            subprocess.run([os.path.join(self.bin, "kwokctl"), "--name", self.cluster, "scale", "node", "--replicas", str(nodes),
                            "--param", ".allocatable.pods=%d" % PODS_PER_NODE], env=env, check=True, capture_output=True)
        names = sorted(n["metadata"]["name"] for n in self.kube.get("/api/v1/nodes")["items"])
        for n in names[:2]:
            self.kube.merge_patch("/api/v1/nodes/" + n, {"metadata": {"labels": {"revroll.dev/bench-ds": "true"}}})
        deadline = time.time() + 120
        while time.time() < deadline:
            ready = [n for n in self.kube.get("/api/v1/nodes")["items"]
                     if any(c["type"] == "Ready" and c["status"] == "True" for c in n["status"].get("conditions", []))]
            if len(ready) >= nodes:
                return len(ready)
            time.sleep(1)
        raise RuntimeError("kwok nodes did not become Ready")

    def set_startup(self, model):
        delay = None if model == "instant" else {"durationMilliseconds": 3000, "jitterDurationMilliseconds": 6000}
        self.kube.merge_patch("/apis/kwok.x-k8s.io/v1alpha1/stages/pod-ready", {"spec": {"delay": delay}})

    def fleet_namespaces(self):
        return sorted(n["metadata"]["name"] for n in self.kube.get("/api/v1/namespaces?labelSelector=" + urllib.parse.quote(LABEL + "=fleet"))["items"])

    def fleet_revision(self):
        revs = collections.Counter(n["metadata"]["labels"].get("istio.io/rev") for n in
                                   self.kube.get("/api/v1/namespaces?labelSelector=" + urllib.parse.quote(LABEL + "=fleet"))["items"])
        return revs

    def delete_fleet(self):
        names = self.fleet_namespaces()
        if not names:
            return
        log("deleting the previous fleet (%d namespaces)" % len(names))
        self.kubectl("delete", "ns", "-l", LABEL + "=fleet", "--wait=false")
        deadline = time.time() + 600
        while self.fleet_namespaces() and time.time() < deadline:
            time.sleep(2)

    def load_fleet(self, size, layout, model):
        existing = self.fleet_namespaces()
        if len(existing) == size and all(ns_name(i) in existing for i in range(size)) and self.fleet_layout_ok(layout):
            log("fleet of %d namespaces already loaded" % size)
        else:
            self.delete_fleet()
            self.scale_nodes(pods_of(size, layout))
            revs = self.fleet_revision()
            with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
                f.write(fleet_yaml(size, layout, OLD))
            t = time.time()
            self.kubectl("apply", "-f", f.name)
            os.unlink(f.name)
            log("applied %d namespaces x %d workloads in %.1fs (one kubectl apply)" % (size, len(layout_kinds(layout)), time.time() - t))
        self.scale_nodes(pods_of(size, layout))
        self.seed_git(size)
        done = wait_fleet(self.kube, self.fleet_namespaces(), timeout=1800)
        if not done:
            raise RuntimeError("the fleet did not roll out")

    def fleet_layout_ok(self, layout):
        ds = self.kube.get("/apis/apps/v1/daemonsets?labelSelector=" + urllib.parse.quote(LABEL + "=workload") + "&limit=1")["items"]
        deps = self.kube.get("/apis/apps/v1/namespaces/%s/deployments" % ns_name(0))["items"]
        sts = self.kube.get("/apis/apps/v1/namespaces/%s/statefulsets" % ns_name(0))["items"]
        return (len(deps) == layout["deployments"] and len(sts) == layout["statefulsets"]
                and bool(ds) == bool(layout["daemonsets"])
                and all(d["spec"]["replicas"] == layout["replicas"] for d in deps))

    def seed_git(self, size):
        """The namespaces' files in the Git remote, as a GitOps repository has them (one commit)."""
        clone = self.env["REVROLL_GITOPS_CLONE"]
        subprocess.run(["git", "-C", clone, "pull", "-q", "--ff-only"], check=True)
        d = os.path.join(clone, "clusters", "sandbox", "namespaces")
        os.makedirs(d, exist_ok=True)
        revs = {n["metadata"]["name"]: n["metadata"]["labels"].get("istio.io/rev", OLD) for n in
                self.kube.get("/api/v1/namespaces?labelSelector=" + urllib.parse.quote(LABEL + "=fleet"))["items"]}
        for ns, rev in revs.items():
            with open(os.path.join(d, ns + ".yaml"), "w") as f:
                f.write("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n  labels:\n    team: fleet\n    istio.io/rev: %s\n" % (ns, rev))
        subprocess.run(["git", "-C", clone, "add", "-A"], check=True)
        if subprocess.run(["git", "-C", clone, "diff", "--cached", "--quiet"]).returncode != 0:
            subprocess.run(["git", "-C", clone, "commit", "-qm", "fleet benchmark: %d namespaces" % size], check=True)
            subprocess.run(["git", "-C", clone, "push", "-q", "origin", "HEAD:main"], check=True)


# ---- rollout rules (kubectl's rollout status) -------------------------------------------------------------------

def rolled_out(kind, o):
    s, spec = o.get("status", {}), o["spec"]
    if s.get("observedGeneration", 0) < o["metadata"].get("generation", 0):
        return False
    if kind == "deployments":
        want = spec.get("replicas", 1)
        return (s.get("updatedReplicas", 0) == want and s.get("replicas", 0) == want
                and s.get("availableReplicas", 0) == want)
    if kind == "statefulsets":
        want = spec.get("replicas", 1)
        return (s.get("updatedReplicas", 0) == want and s.get("readyReplicas", 0) == want
                and s.get("currentRevision") == s.get("updateRevision"))
    want = s.get("desiredNumberScheduled", 0)
    return s.get("updatedNumberScheduled", 0) == want and s.get("numberAvailable", 0) == want


def not_done(kube, namespaces=None):
    """The workloads not rolled out (one list per kind across the fleet)."""
    left = []
    wanted = None if namespaces is None else set(namespaces)
    for kind in ("deployments", "statefulsets", "daemonsets"):
        for o in kube.get("/apis/apps/v1/%s?labelSelector=%s" % (kind, urllib.parse.quote(LABEL + "=workload")))["items"]:
            if wanted is not None and o["metadata"]["namespace"] not in wanted:
                continue
            if not rolled_out(kind, o):
                left.append("%s/%s/%s" % (o["metadata"]["namespace"], kind, o["metadata"]["name"]))
    return left


def wait_fleet(kube, namespaces, timeout, interval=0.25):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if not not_done(kube, namespaces):
            return True
        time.sleep(interval)
    return False


def pods_settled(kube):
    """No pod of the fleet is terminating (the next run starts from a settled fleet)."""
    pods = kube.get("/api/v1/pods?labelSelector=" + urllib.parse.quote(LABEL + "=pod"))["items"]
    return all(p["metadata"].get("deletionTimestamp") is None for p in pods)


# ---- the make-before-break watch ---------------------------------------------------------------------------------

class ReadyWatch(threading.Thread):
    """Watches every pod of the fleet; per workload the fewest Ready, non-terminating pods seen during the run."""

    def __init__(self, kube, desired):
        super().__init__(daemon=True)
        self.kube, self.desired = kube, desired  # desired: {(ns, app): replicas}
        self.stop_flag = threading.Event()
        self.started = threading.Event()
        self.lock = threading.Lock()
        self.pods = {}  # uid -> (key, ready, created, readyAt)
        self.min_ready = {}
        self.events = 0
        self.error = None
        self.startup = []  # seconds from creation to Ready of pods created during the run

    def count(self, key):
        return sum(1 for v in self.pods.values() if v[0] == key and v[1])

    def run(self):
        lst = self.kube.get("/api/v1/pods?labelSelector=" + urllib.parse.quote(LABEL + "=pod"))
        with self.lock:
            for p in lst["items"]:
                self.apply("ADDED", p, initial=True)
            for key in self.desired:
                self.min_ready[key] = self.count(key)
        self.started.set()
        rv = lst["metadata"]["resourceVersion"]
        while not self.stop_flag.is_set():
            c = self.kube.conn(timeout=30)
            try:
                c.request("GET", "/api/v1/pods?watch=1&allowWatchBookmarks=true&timeoutSeconds=25&resourceVersion=%s&labelSelector=%s"
                          % (rv, urllib.parse.quote(LABEL + "=pod")), headers={"User-Agent": BENCH_UA})
                r = c.getresponse()
                while not self.stop_flag.is_set():
                    line = r.readline()  # the response is chunked: HTTPResponse reassembles the lines
                    if not line:
                        break
                    if not line.strip():
                        continue
                    ev = json.loads(line)
                    if ev["type"] == "ERROR":
                        raise RuntimeError("watch error: %s" % ev)
                    rv = ev["object"]["metadata"]["resourceVersion"]
                    if ev["type"] == "BOOKMARK":
                        continue
                    with self.lock:
                        key = self.apply(ev["type"], ev["object"])
                        self.events += 1
                        if key in self.min_ready:
                            self.min_ready[key] = min(self.min_ready[key], self.count(key))
            except (OSError, http.client.HTTPException):
                pass  # the watch ends (timeoutSeconds) or the connection drops: watch again from the last version
            except Exception as e:  # noqa: BLE001 - a watcher that dies must fail the run, not go quiet
                self.error = e
                self.stop_flag.set()
            finally:
                c.close()

    def apply(self, typ, p, initial=False):
        m = p["metadata"]
        key = (m["namespace"], m.get("labels", {}).get("app"))
        uid = m["uid"]
        if typ == "DELETED":
            self.pods.pop(uid, None)
            return key
        ready = m.get("deletionTimestamp") is None and any(
            c["type"] == "Ready" and c["status"] == "True" for c in p.get("status", {}).get("conditions", []))
        old = self.pods.get(uid)
        if ready and not initial and (old is None or not old[1]):
            created = parse_time(m["creationTimestamp"])
            self.startup.append(time.time() - created)
        self.pods[uid] = (key, ready)
        return key

    def stop(self):
        self.stop_flag.set()

    def report(self, moved=True):
        if self.error is not None:
            raise RuntimeError("the Ready-pod watch failed: %r" % self.error)
        if self.events == 0 and moved:
            raise RuntimeError("the Ready-pod watch saw no event: the floor was not watched")
        with self.lock:
            dips = {k: self.desired[k] - v for k, v in self.min_ready.items() if v < self.desired[k]}
        return dips


def parse_time(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc).timestamp()


# ---- contenders ---------------------------------------------------------------------------------------------------

def loop_script(world, namespaces, to):
    k = "%s --kubeconfig %s" % (os.path.join(world.bin, "kubectl"), world.kubeconfig)
    lines = ["set -euo pipefail"]
    for ns in namespaces:
        lines.append("%s label namespace %s istio.io/rev=%s istio-injection- --overwrite >/dev/null" % (k, ns, to))
        lines.append("%s rollout restart deploy,sts,ds -n %s >/dev/null" % (k, ns))
        lines.append("%s rollout status deploy,sts,ds -n %s --timeout=10m >/dev/null" % (k, ns))
    return "\n".join(lines) + "\n"


def run_loop(world, namespaces, to, workdir):
    script = os.path.join(workdir, "loop.sh")
    open(script, "w").write(loop_script(world, namespaces, to))
    r = subprocess.run(["bash", script], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("the kubectl loop failed: " + r.stderr[-500:])
    return {}


def restart_patch():
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": now}}}}}


def floor_writes(kube, ns, to, workloads):
    kube.merge_patch("/api/v1/namespaces/" + ns, {"metadata": {"labels": {"istio.io/rev": to, "istio-injection": None}}})
    body = restart_patch()
    for kind, name in workloads[ns]:
        kube.merge_patch("/apis/apps/v1/namespaces/%s/%s/%s" % (ns, kind, name), body)


def fleet_workloads(kube, namespaces):
    w = collections.defaultdict(list)
    wanted = set(namespaces)
    for kind in ("deployments", "statefulsets", "daemonsets"):
        for o in kube.get("/apis/apps/v1/%s?labelSelector=%s" % (kind, urllib.parse.quote(LABEL + "=workload")))["items"]:
            if o["metadata"]["namespace"] in wanted:
                w[o["metadata"]["namespace"]].append((kind, o["metadata"]["name"]))
    return w


def run_floor(world, namespaces, to, workdir, sequential=False):
    """The same writes as the loop, with no orchestration: all at once (or one namespace after another), then wait."""
    kube = Kube(world.kubeconfig, FLOOR_UA)
    workloads = fleet_workloads(kube, namespaces)
    if sequential:
        for ns in namespaces:
            floor_writes(kube, ns, to, workloads)
            if not wait_fleet(kube, [ns], 600, interval=0.1):
                raise RuntimeError("floor-seq: %s did not roll out" % ns)
        return {}
    threads = []
    errors = []
    chunk = max(1, -(-len(namespaces) // 16))  # 16 connections at once

    def send(part):
        try:
            for ns in part:
                floor_writes(kube, ns, to, workloads)
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    for i in range(0, len(namespaces), chunk):
        t = threading.Thread(target=send, args=(namespaces[i:i + chunk],))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    if not wait_fleet(kube, namespaces, 3600):
        raise RuntimeError("floor: the fleet did not roll out")
    return {}


def plan_yaml(world, frm, to, parallel, gates):
    return """apiVersion: revroll.dev/v1alpha1
kind: RolloutPlan
metadata:
  name: fleet-bench
spec:
  cluster:
    context: %(ctx)s
  controlPlane:
    namespace: istio-system
  revision:
    from: %(frm)s
    to: %(to)s
  waves:
    - name: fleet
      selector: %(label)s=fleet
      parallel: %(par)d
  restart:
    kinds: [Deployment, StatefulSet, DaemonSet]
    surge: enforce
    timeout: 10m
  gates:
    proxySync:
      enabled: %(gates)s
      timeout: 2m
%(none)s  bake: 0s
  onFailure: rollback-step
  git:
    repo: %(clone)s
    path: clusters/sandbox/namespaces/{{namespace}}.yaml
    push: true
""" % {"ctx": world.env["REVROLL_CONTEXT"], "frm": frm, "to": to, "label": LABEL, "par": parallel,
       "gates": "true" if gates else "false",
       "none": "" if gates else '    none: "benchmark: the time the proxy-sync gate adds"\n', "clone": world.env["REVROLL_GITOPS_CLONE"]}


def run_revroll(world, namespaces, to, workdir, parallel, gates=True):
    frm = OLD if to == NEW else NEW
    plan = os.path.join(workdir, "plan-p%d.yaml" % parallel)
    open(plan, "w").write(plan_yaml(world, frm, to, parallel, gates))
    gclog = os.path.join(workdir, "gc.log")
    timef = os.path.join(workdir, "time.txt")
    events = os.path.join(workdir, "events.jsonl")
    # the launcher as a user runs it (with a JDK 25 or later, its AOT cache; main() trained it before the first run)
    env = dict(os.environ, KUBECONFIG=world.kubeconfig,
               REVROLL_JAVA_OPTS="-Xlog:gc:file=%s" % gclog + (" " + os.environ.get("FLEET_JAVA_OPTS", "")))
    cmd = ["/usr/bin/time", "-f", "%M %e", "-o", timef, os.path.join(CHECKOUT, "bin", "revroll"), "run", "-o", "json", plan]
    started = time.time()
    with open(events, "w") as out:
        r = subprocess.run(cmd, stdout=out, stderr=subprocess.PIPE, text=True, env=env)
    ended = time.time()
    if r.returncode != 0:
        raise RuntimeError("revroll run exited %d: %s (events: %s)" % (r.returncode, r.stderr[-800:], events))
    rss_kb = int(open(timef).read().split()[0])
    heap = 0.0
    for line in open(gclog):
        m = re.search(r"(\d+)M->(\d+)M\((\d+)M\)", line)
        if m:
            heap = max(heap, float(m.group(1)))
    syncz = 0
    stamps = collections.defaultdict(dict)
    for line in open(events):
        try:
            e = json.loads(line)
        except ValueError:
            continue
        d = e.get("data") or {}
        syncz += int(d.get("synczBytes", 0) or 0)
        if e.get("step") and e["type"] in ("ACTION_STARTED", "ACTION_DONE"):
            stamps[(e["step"], e.get("action"))][e["type"]] = e["at"]
    per_action = collections.defaultdict(list)
    firsts = [iso(s["ACTION_STARTED"]) for s in stamps.values() if "ACTION_STARTED" in s]
    lasts = [iso(s["ACTION_DONE"]) for s in stamps.values() if "ACTION_DONE" in s]
    for (step, action), s in stamps.items():
        if "ACTION_STARTED" in s and "ACTION_DONE" in s:
            per_action[action].append(iso(s["ACTION_DONE"]) - iso(s["ACTION_STARTED"]))
    world.kubectl("delete", "configmap", "-n", "istio-system", "-l", "app.kubernetes.io/managed-by=revroll", check=False)
    return {"rssMB": rss_kb / 1024.0, "heapMB": heap, "synczBytes": syncz,
            "actionSeconds": {a: statistics.median(v) for a, v in per_action.items()},
            # before the first action (start-up, preflight, lock, survey) and after the last (report, lock release)
            "beforeFirstActionSeconds": (min(firsts) - started) if firsts else None,
            "afterLastActionSeconds": (ended - max(lasts)) if lasts else None}


def iso(s):
    s = s.rstrip("Z")
    if "." in s:
        head, frac = s.split(".")
        s = head + "." + frac[:6]
        fmt = "%Y-%m-%dT%H:%M:%S.%f"
    else:
        fmt = "%Y-%m-%dT%H:%M:%S"
    return datetime.datetime.strptime(s, fmt).replace(tzinfo=datetime.timezone.utc).timestamp()


def run_preview(world, namespaces, to, workdir):
    """`revroll preview` of the fleet's plan (parallel 10) as a user runs it: nothing is moved."""
    frm = OLD if to == NEW else NEW
    plan = os.path.join(workdir, "plan-preview.yaml")
    open(plan, "w").write(plan_yaml(world, frm, to, 10, True))
    gclog, timef = os.path.join(workdir, "gc.log"), os.path.join(workdir, "time.txt")
    env = dict(os.environ, KUBECONFIG=world.kubeconfig,
               REVROLL_JAVA_OPTS="-Xlog:gc:file=%s" % gclog + (" " + os.environ.get("FLEET_JAVA_OPTS", "")))
    out = os.path.join(workdir, "preview.txt")
    with open(out, "w") as o:
        r = subprocess.run(["/usr/bin/time", "-f", "%M %e %U %S", "-o", timef, os.path.join(CHECKOUT, "bin", "revroll"),
                            "preview", plan], stdout=o, stderr=subprocess.PIPE, text=True, env=env)
    if r.returncode != 0:
        raise RuntimeError("revroll preview exited %d: %s" % (r.returncode, r.stderr[-800:]))
    rss_kb, wall, user, sys_ = open(timef).read().split()[:4]
    heap = 0.0
    for line in open(gclog):
        m = re.search(r"(\d+)M->(\d+)M\((\d+)M\)", line)
        if m:
            heap = max(heap, float(m.group(1)))
    text = open(out).read().splitlines()
    return {"rssMB": int(rss_kb) / 1024.0, "heapMB": heap, "synczBytes": 0, "cpuSeconds": float(user) + float(sys_),
            "previewLines": len(text), "previewSummary": next((l for l in text if l.startswith("summary:")), "")}


CONTENDERS = {
    "revroll-preview": lambda w, ns, to, d: run_preview(w, ns, to, d),
    "loop": lambda w, ns, to, d: run_loop(w, ns, to, d),
    "floor": lambda w, ns, to, d: run_floor(w, ns, to, d),
    "floor-seq": lambda w, ns, to, d: run_floor(w, ns, to, d, sequential=True),
    "revroll-p1": lambda w, ns, to, d: run_revroll(w, ns, to, d, 1),
    "revroll-p10": lambda w, ns, to, d: run_revroll(w, ns, to, d, 10),
    "revroll-p10-nogates": lambda w, ns, to, d: run_revroll(w, ns, to, d, 10, gates=False),
}


def audit_offset(world):
    try:
        return os.path.getsize(world.audit)
    except OSError:
        return 0


def audit_counts(world, start, t0, t1):
    """Requests by user agent class and (verb, resource) between two instants, from the audit log."""
    by_agent = collections.Counter()
    contender = collections.Counter()
    with open(world.audit, "rb") as f:
        f.seek(start)
        for line in f:
            try:
                e = json.loads(line)
            except ValueError:
                continue
            ts = iso(e["requestReceivedTimestamp"])
            if ts < t0 or ts > t1:
                continue
            ua = e.get("userAgent", "")
            agent = ua.split("/")[0]
            by_agent[agent] += 1
            if agent in ("revroll", "kubectl") or ua.startswith("revroll-bench-floor"):
                o = e.get("objectRef", {})
                res = o.get("resource", "(non-resource)") + ("/" + o["subresource"] if o.get("subresource") else "")
                contender[(e["verb"], res)] += 1
    return by_agent, contender


def one_run(world, name, namespaces, layout, workdir):
    revs = world.fleet_revision()
    frm = revs.most_common(1)[0][0]
    to = NEW if frm == OLD else OLD
    # start from a settled fleet
    deadline = time.time() + 300
    while not (pods_settled(world.kube) and not not_done(world.kube)) and time.time() < deadline:
        time.sleep(0.5)
    desired = {}
    for kind, objs in (("deployments", None), ("statefulsets", None)):
        for o in world.kube.get("/apis/apps/v1/%s?labelSelector=%s" % (kind, urllib.parse.quote(LABEL + "=workload")))["items"]:
            desired[(o["metadata"]["namespace"], o["metadata"]["name"])] = o["spec"]["replicas"]
    for o in world.kube.get("/apis/apps/v1/daemonsets?labelSelector=%s" % urllib.parse.quote(LABEL + "=workload"))["items"]:
        desired[(o["metadata"]["namespace"], o["metadata"]["name"])] = o["status"].get("desiredNumberScheduled", 2)
    watch = ReadyWatch(world.kube, desired)
    watch.start()
    watch.started.wait(120)
    before = request_totals(world.kube.metrics())
    off = audit_offset(world)
    load0 = os.getloadavg()[0]
    rundir = tempfile.mkdtemp(prefix=name + "-", dir=workdir)
    t0 = time.time()
    extra = CONTENDERS[name](world, namespaces, to, rundir)
    # every contender ends when the fleet is rolled out by kubectl's rule (revroll and the loop wait themselves)
    if not wait_fleet(world.kube, namespaces, 3600):
        raise RuntimeError(name + ": fleet not rolled out")
    t1 = time.time()
    load1 = os.getloadavg()[0]
    after = request_totals(world.kube.metrics())
    time.sleep(1.0)  # let the audit backend flush
    watch.stop()
    agents, contender = audit_counts(world, off, t0, t1)
    delta = {k: after[k] - before.get(k, 0) for k in after if after[k] - before.get(k, 0) > 0}
    dips = watch.report(moved=name != "revroll-preview")
    by_kind = collections.Counter()
    for (ns, app), d in dips.items():
        by_kind[app.split("-")[0]] += 1
    res = {"contender": name, "to": to, "seconds": t1 - t0, "load": [round(load0, 2), round(load1, 2)],
           "apiserverRequests": int(sum(delta.values())),
           "apiserverByVerbResource": {"%s %s" % k: int(v) for k, v in sorted(delta.items(), key=lambda kv: -kv[1])[:25]},
           "contenderRequests": int(sum(contender.values())),
           "contenderByVerbResource": {"%s %s" % k: v for k, v in sorted(contender.items(), key=lambda kv: -kv[1])},
           "requestsByAgent": dict(agents.most_common()),
           "readyFloorBroken": {k: v for k, v in by_kind.items()},
           "workloadsWatched": len(desired), "podEventsWatched": watch.events,
           "podStartupSeconds": (statistics.median(watch.startup) if watch.startup else None)}
    res.update(extra)
    shutil.rmtree(rundir, ignore_errors=True)
    return res


def summarize(runs):
    out = {}
    for name in sorted({r["contender"] for r in runs}):
        rs = [r for r in runs if r["contender"] == name]
        def stat(key):
            vals = [r[key] for r in rs if r.get(key) is not None]
            if not vals:
                return None
            return {"median": statistics.median(vals), "min": min(vals), "max": max(vals), "n": len(vals)}
        s = {k: stat(k) for k in ("seconds", "contenderRequests", "apiserverRequests", "rssMB", "heapMB", "synczBytes", "podStartupSeconds")}
        s["load"] = [r["load"] for r in rs]
        s["readyFloorBroken"] = collections.Counter()
        for r in rs:
            s["readyFloorBroken"].update(r["readyFloorBroken"])
        s["readyFloorBroken"] = dict(s["readyFloorBroken"])
        out[name] = s
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sandbox-dir", required=True)
    ap.add_argument("--port-base", required=True)
    ap.add_argument("--sizes", default="10,100")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--startup", default="instant", choices=["instant", "realistic", "both"])
    ap.add_argument("--contenders", default="loop,floor,floor-seq,revroll-p1,revroll-p10")
    ap.add_argument("--layout", default="3,1,1,2", help="deployments,statefulsets,daemonsets,replicas per namespace")
    ap.add_argument("--large-layout", default="1,0,0,1", help="the layout for sizes of 1000 or more")
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    args = ap.parse_args()
    world = World(args.sandbox_dir, args.port_base)
    models = ["instant", "realistic"] if args.startup == "both" else [args.startup]
    contenders = args.contenders.split(",")
    for c in contenders:
        if c not in CONTENDERS:
            sys.exit("unknown contender %s; known: %s" % (c, ", ".join(CONTENDERS)))
    os.makedirs(args.out, exist_ok=True)
    workdir = tempfile.mkdtemp(prefix="fleet-bench-")
    results = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
               "machine": machine(), "versions": versions(world), "sizes": []}
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out_json = os.path.join(args.out, "fleet-%s.json" % stamp)
    # the launcher trains its AOT cache on the first call of a new jar: not a cost of any contender's run
    subprocess.run([os.path.join(CHECKOUT, "bin", "revroll"), "validate", os.path.join(CHECKOUT, "plans", "minimal.yaml")],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for size in [int(s) for s in args.sizes.split(",")]:
        spec = args.large_layout if size >= 1000 else args.layout
        d, s, ds, rep = [int(x) for x in spec.split(",")]
        layout = {"deployments": d, "statefulsets": s, "daemonsets": ds, "replicas": rep}
        for model in models:
            world.set_startup("instant")
            world.load_fleet(size, layout, model)
            world.set_startup(model)
            namespaces = world.fleet_namespaces()
            runs = []
            for rep_i in range(args.repeat):
                for name in contenders:
                    log("size %d, %s start-up, run %d/%d: %s" % (size, model, rep_i + 1, args.repeat, name))
                    r = one_run(world, name, namespaces, layout, workdir)
                    log("  %s: %.1fs, %d contender requests, load %s%s" % (name, r["seconds"], r["contenderRequests"], r["load"],
                        "" if "rssMB" not in r else ", RSS %.0f MB, heap %.0f MB, syncz %d B" % (r["rssMB"], r["heapMB"], r["synczBytes"])))
                    runs.append(r)
                    results_size = {"namespaces": size, "layout": layout, "pods": pods_of(size, layout), "startup": model,
                                    "summary": summarize(runs), "runs": runs}
                    json.dump(dict(results, sizes=results["sizes"] + [results_size]), open(out_json, "w"), indent=1)
            results["sizes"].append(results_size)
    world.set_startup("instant")
    json.dump(results, open(out_json, "w"), indent=1)
    log("results: " + out_json)
    print(out_json)


def machine():
    load = os.getloadavg()
    return {"cpus": os.cpu_count(), "memGB": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30, 1),
            "kernel": platform.release(), "loadAtStart": [round(x, 2) for x in load]}


def versions(world):
    v = {}
    try:
        v["kubernetes"] = world.kube.get("/version")["gitVersion"]
    except Exception:  # noqa: BLE001
        pass
    v["kwok"] = subprocess.run([os.path.join(world.bin, "kwok"), "--version"], capture_output=True, text=True).stdout.strip()
    v["kubectl"] = subprocess.run([os.path.join(world.bin, "kubectl"), "version", "--client"], capture_output=True, text=True).stdout.splitlines()[0]
    v["java"] = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    v["revroll"] = subprocess.run(["git", "-C", CHECKOUT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    v["istio"] = [OLD, NEW]
    return v


if __name__ == "__main__":
    main()
