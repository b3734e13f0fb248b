// Package traffic simulates the requests every serving injected pod answers and reports them as Istio's
// standard metrics would (reporter="destination"), per workload.
package traffic

import (
	"math"
	"sort"

	"revroll.dev/k3s-tests/agent/internal/fault"
	"revroll.dev/k3s-tests/agent/internal/mesh"
)

// Load is one serving pod and the traffic fault that applies to it now.
type Load struct {
	Pod    mesh.Pod
	Effect fault.TrafficEffect
}

// Series is one istio_requests_total series (its labels).
type Series struct {
	Namespace         string
	Workload          string
	Service           string
	CanonicalRevision string
	Code              int
	Flags             string
}

// Outcome is what one series gets in one tick: Count requests, with these durations.
type Outcome struct {
	Series    Series
	Count     int
	Durations []float64
}

// OK is the response of a healthy request.
const OK = 200

// baseDurations are the milliseconds healthy requests take, cycled through so every tick looks alike.
var baseDurations = []float64{2, 3, 3, 4, 5, 5, 6, 8, 12, 20}

type carryKey struct {
	namespace, workload string
	code                int
	flags               string
}

// Model turns serving pods into requests, deterministically: each pod answers RPS requests per tick; a pod
// whose fault has errorRate e answers e of them with the fault's code and flags. Fractions carry over to the
// next tick per workload, so the long-run share is exact (5% of 20 rps is one failed request a second).
type Model struct {
	RPS   int
	carry map[carryKey]float64
	next  int
}

// NewModel returns a model of rps requests per pod per tick.
func NewModel(rps int) *Model { return &Model{RPS: rps, carry: map[carryKey]float64{}} }

// Tick returns the requests of one second, sorted by series.
func (m *Model) Tick(loads []Load) []Outcome {
	type group struct {
		series Series
		count  float64
		extra  float64
	}
	groups := map[carryKey]*group{}
	add := func(p mesh.Pod, code int, flags string, count, extraMs float64) {
		k := carryKey{p.Namespace, p.Workload, code, flags}
		g, ok := groups[k]
		if !ok {
			g = &group{series: Series{p.Namespace, p.Workload, p.Service, p.CanonicalRevision, code, flags}}
			groups[k] = g
		}
		g.count += count
		// Latency of a group: the largest fault latency among its pods.
		g.extra = math.Max(g.extra, extraMs)
	}
	for _, l := range loads {
		if !l.Pod.Serving {
			continue
		}
		total := float64(m.RPS)
		failed := total * l.Effect.ErrorRate
		add(l.Pod, OK, "-", total-failed, l.Effect.LatencyMs)
		if failed > 0 {
			add(l.Pod, l.Effect.ResponseCode, l.Effect.ResponseFlags, failed, l.Effect.LatencyMs)
		}
	}
	keys := make([]carryKey, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return less(keys[i], keys[j]) })
	out := make([]Outcome, 0, len(keys))
	for _, k := range keys {
		g := groups[k]
		exact := g.count + m.carry[k]
		n := int(math.Floor(exact + 1e-9))
		m.carry[k] = exact - float64(n)
		o := Outcome{Series: g.series, Count: n}
		for i := 0; i < n; i++ {
			o.Durations = append(o.Durations, baseDurations[m.next%len(baseDurations)]+g.extra)
			m.next++
		}
		out = append(out, o)
	}
	return out
}

func less(a, b carryKey) bool {
	if a.namespace != b.namespace {
		return a.namespace < b.namespace
	}
	if a.workload != b.workload {
		return a.workload < b.workload
	}
	if a.code != b.code {
		return a.code < b.code
	}
	return a.flags < b.flags
}
