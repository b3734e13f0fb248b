package traffic

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"revroll.dev/k3s-tests/agent/internal/fault"
	"revroll.dev/k3s-tests/agent/internal/mesh"
)

func serving(name, workload, revision string) mesh.Pod {
	return mesh.Pod{Namespace: "shop", Name: name, Workload: workload, Service: workload, CanonicalRevision: "v1",
		Revision: revision, Serving: true}
}

var healthy = fault.TrafficEffect{ResponseCode: 503, ResponseFlags: "-"}

func counts(out []Outcome) map[Series]int {
	m := map[Series]int{}
	for _, o := range out {
		m[o.Series] += o.Count
	}
	return m
}

func TestEveryServingPodAnswersRPSRequests(t *testing.T) {
	m := NewModel(20)
	notServing := serving("cart-3", "cart", "1-27-0")
	notServing.Serving = false
	out := m.Tick([]Load{
		{Pod: serving("cart-1", "cart", "1-27-0"), Effect: healthy},
		{Pod: serving("cart-2", "cart", "1-27-0"), Effect: healthy},
		{Pod: notServing, Effect: healthy},
		{Pod: serving("db-0", "db", "1-27-0"), Effect: healthy},
	})
	got := counts(out)
	if got[Series{"shop", "cart", "cart", "v1", 200, "-"}] != 40 || got[Series{"shop", "db", "db", "v1", 200, "-"}] != 20 || len(got) != 2 {
		t.Fatalf("%+v", got)
	}
	for _, o := range out {
		if len(o.Durations) != o.Count {
			t.Fatalf("%d durations for %d requests", len(o.Durations), o.Count)
		}
	}
}

func TestErrorRateIsExactOverTimeAndOnlyOnFaultyPods(t *testing.T) {
	m := NewModel(20)
	faulty := fault.TrafficEffect{ErrorRate: 0.03, ResponseCode: 503, ResponseFlags: "UH"}
	total := map[Series]int{}
	for i := 0; i < 100; i++ {
		for s, n := range counts(m.Tick([]Load{
			{Pod: serving("cart-1", "cart", "1-28-0"), Effect: faulty},
			{Pod: serving("cart-2", "cart", "1-27-0"), Effect: healthy},
		})) {
			total[s] += n
		}
	}
	// 100 s × 20 rps on the faulty pod × 3% = 60 failed; 4000 requests in all.
	if total[Series{"shop", "cart", "cart", "v1", 503, "UH"}] != 60 || total[Series{"shop", "cart", "cart", "v1", 200, "-"}] != 3940 {
		t.Fatalf("%+v", total)
	}
}

func TestLatencyFaultAddsToEveryRequest(t *testing.T) {
	m := NewModel(10)
	out := m.Tick([]Load{{Pod: serving("cart-1", "cart", "r"), Effect: fault.TrafficEffect{LatencyMs: 200}}})
	for _, d := range out[0].Durations {
		if d < 200 || d > 200+baseDurations[len(baseDurations)-1] {
			t.Fatalf("duration %v", d)
		}
	}
}

func TestMetricsCarryIstioLabelsAndStayMonotonicAcrossPodChurn(t *testing.T) {
	reg := prometheus.NewRegistry()
	metrics := NewMetrics(reg)
	m := NewModel(20)
	metrics.Record(m.Tick([]Load{{Pod: serving("cart-old", "cart", "1-27-0"), Effect: healthy}}))
	// The pod is replaced by one on the new revision: same workload, same series, still counting up.
	metrics.Record(m.Tick([]Load{{Pod: serving("cart-new", "cart", "1-28-0"), Effect: healthy}}))
	want := `
# HELP istio_requests_total Requests served by simulated sidecars (reporter=destination).
# TYPE istio_requests_total counter
istio_requests_total{destination_canonical_revision="v1",destination_service_name="cart",destination_service_namespace="shop",destination_workload="cart",destination_workload_namespace="shop",reporter="destination",request_protocol="http",response_code="200",response_flags="-",source_workload="unknown",source_workload_namespace="unknown"} 40
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "istio_requests_total"); err != nil {
		t.Fatal(err)
	}
	if n := testutil.CollectAndCount(metrics.duration, "istio_request_duration_milliseconds"); n != 1 {
		t.Fatalf("%d histogram series", n)
	}
}

func TestServingPodsGaugeFollowsTheLatestPass(t *testing.T) {
	reg := prometheus.NewRegistry()
	metrics := NewMetrics(reg)
	metrics.SetPods([]PodCount{{"shop", "cart", "1-27-0", 2}})
	metrics.SetPods([]PodCount{{"shop", "cart", "1-28-0", 2}})
	want := `
# HELP revroll_mesh_agent_serving_pods Serving injected pods per workload and the control-plane revision that injected them.
# TYPE revroll_mesh_agent_serving_pods gauge
revroll_mesh_agent_serving_pods{namespace="shop",revision="1-28-0",workload="cart"} 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "revroll_mesh_agent_serving_pods"); err != nil {
		t.Fatal(err)
	}
}
