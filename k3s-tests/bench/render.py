#!/usr/bin/env python3
"""Renders fleet benchmark results (fleet.py's JSON) as the Markdown table kept in k3s-tests/bench/results.md.

  python3 k3s-tests/bench/render.py results/fleet-*.json > k3s-tests/bench/results.md
Several files are merged (sizes and start-up models side by side); the notes after the tables are kept by hand.
"""
import json
import sys


def fmt(stat, digits=1, scale=1.0):
    if not stat:
        return "–"
    m, lo, hi = stat["median"] * scale, stat["min"] * scale, stat["max"] * scale
    if stat["n"] == 1:
        return "%.*f" % (digits, m)
    return "%.*f (%.*f–%.*f)" % (digits, m, digits, lo, digits, hi)


def main(paths):
    out = []
    for path in paths:
        d = json.load(open(path))
        out.append("Run %s on %d cores / %.0f GB (%s); %s; revroll %s; load average at start %s."
                   % (d["date"], d["machine"]["cpus"], d["machine"]["memGB"], d["machine"]["kernel"],
                      ", ".join("%s %s" % (k, v) for k, v in d["versions"].items() if k not in ("revroll",)),
                      d["versions"].get("revroll"), d["machine"]["loadAtStart"]))
        out.append("")
        for size in d["sizes"]:
            lay = size["layout"]
            out.append("### %d namespaces × (%d Deployments, %d StatefulSets, %d DaemonSets) × %d replicas = %d pods; pods %s"
                       % (size["namespaces"], lay["deployments"], lay["statefulsets"], lay["daemonsets"], lay["replicas"], size["pods"],
                          "Ready at once" if size["startup"] == "instant" else "Ready after a kwok Stage delay of 3–6 s"))
            out.append("")
            s = size["summary"]
            loop = s.get("loop", {}).get("seconds")
            floor = s.get("floor", {}).get("seconds")
            out.append("| contender | wall s, median (min–max) | × loop | × floor | its API requests per namespace | all API requests (apiserver_request_total) | syncz bytes | heap / RSS MB | Ready floor broken (workloads, summed over the runs) | pod start-up s | load average (start→end) |")
            out.append("|---|---|---|---|---|---|---|---|---|---|---|")
            for name in ("loop", "floor", "floor-seq", "revroll-p1", "revroll-p10", "revroll-p10-nogates", "revroll-preview"):
                if name not in s:
                    continue
                c = s[name]
                sec = c["seconds"]
                ratio_loop = "%.2f" % (sec["median"] / loop["median"]) if loop else "–"
                ratio_floor = "%.2f" % (sec["median"] / floor["median"]) if floor else "–"
                per_ns = fmt(c["contenderRequests"], 1, 1.0 / size["namespaces"])
                heap = "–" if not c.get("heapMB") else "%s / %s" % (fmt(c["heapMB"], 0), fmt(c["rssMB"], 0))
                broken = ", ".join("%s %d" % kv for kv in sorted(c["readyFloorBroken"].items())) or "none"
                loads = "; ".join("%.0f→%.0f" % tuple(l) for l in c["load"])
                out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                    name, fmt(sec), ratio_loop, ratio_floor, per_ns, fmt(c["apiserverRequests"], 0),
                    fmt(c.get("synczBytes"), 0) if c.get("synczBytes") else "–", heap, broken,
                    fmt(c.get("podStartupSeconds")), loads))
            out.append("")
    print("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1:])
