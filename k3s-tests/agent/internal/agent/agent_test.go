package agent

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"revroll.dev/k3s-tests/agent/internal/fault"
	"revroll.dev/k3s-tests/agent/internal/traffic"
	"revroll.dev/k3s-tests/agent/internal/xds"
)

type pods []*corev1.Pod

func (p *pods) Pods() ([]*corev1.Pod, error) { return *p, nil }

// recordedSidecar is a sidecar that records its lifecycle instead of dialling istiod.
type recordedSidecar struct {
	spec            xds.Spec
	running, closed bool
}

func (s *recordedSidecar) Run(context.Context) { s.running = true }
func (s *recordedSidecar) Cleanup()            { s.closed = true }
func (s *recordedSidecar) Status() xds.Status {
	return xds.Status{Pod: s.spec.Pod.Name, Namespace: s.spec.Pod.Namespace, Revision: s.spec.Pod.Revision,
		Fault: s.spec.Behaviour.String()}
}

func injected(name, revision, ip string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop", UID: types.UID(name + "-" + revision),
			Labels:      map[string]string{"app": "cart"},
			Annotations: map[string]string{"sidecar.istio.io/status": `{"revision":"` + revision + `"}`}},
		Status: corev1.PodStatus{PodIP: ip, Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}},
	}
}

func newTestAgent(p *pods) (*Agent, *[]*recordedSidecar, *prometheus.Registry) {
	var made []*recordedSidecar
	reg := prometheus.NewRegistry()
	a := New(Config{Istiods: map[string]string{"1-27-0": "127.0.0.1:1", "1-28-0": "127.0.0.1:2"}, RPS: 10}, p,
		traffic.NewMetrics(reg), func(s xds.Spec) Sidecar {
			r := &recordedSidecar{spec: s}
			made = append(made, r)
			return r
		}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	return a, &made, reg
}

func TestOneProxyPerServingInjectedPodToItsRevisionsIstiod(t *testing.T) {
	plain := injected("plain", "x", "10.0.0.9")
	delete(plain.Annotations, "sidecar.istio.io/status")
	p := &pods{injected("cart-a", "1-27-0", "10.0.0.1"), injected("cart-b", "1-28-0", "10.0.0.2"),
		injected("cart-c", "canary", "10.0.0.3"), plain}
	a, made, _ := newTestAgent(p)
	a.pass(context.Background(), false)
	if len(*made) != 2 {
		t.Fatalf("%d proxies", len(*made))
	}
	addr := map[string]string{}
	for _, s := range *made {
		addr[s.spec.Pod.Name] = s.spec.Istiod
	}
	if addr["cart-a"] != "127.0.0.1:1" || addr["cart-b"] != "127.0.0.1:2" {
		t.Fatalf("%v", addr)
	}
	status := a.Proxies()
	if len(status) != 3 || status[2].Pod != "cart-c" || status[2].State != "no-istiod" {
		t.Fatalf("%+v", status)
	}
}

func TestFaultChangeReopensTheStreamAndPodDeletionClosesIt(t *testing.T) {
	p := &pods{injected("cart-a", "1-27-0", "10.0.0.1")}
	a, made, _ := newTestAgent(p)
	ctx := context.Background()
	a.pass(ctx, false)
	a.faults.Put(fault.List{{Namespace: "shop", Proxy: fault.Stale}})
	a.pass(ctx, false)
	if len(*made) != 2 || !(*made)[0].closed || (*made)[1].spec.Behaviour.Mode != fault.Stale || !(*made)[1].running {
		t.Fatalf("stale fault did not reopen the stream: %+v", *made)
	}
	a.pass(ctx, false)
	if len(*made) != 2 {
		t.Fatal("an unchanged pass reopened the stream")
	}
	*p = pods{}
	a.pass(ctx, false)
	if !(*made)[1].closed || len(a.Proxies()) != 0 {
		t.Fatal("proxy outlived its pod")
	}
}

func TestRevisionFaultShowsOnlyAfterPodsMoveThere(t *testing.T) {
	p := &pods{injected("cart-a", "1-27-0", "10.0.0.1")}
	a, _, reg := newTestAgent(p)
	a.faults.Put(fault.List{{Namespace: "shop", Revision: "1-28-0", ErrorRate: ptr(0.5), ResponseFlags: "UH"}})
	ctx := context.Background()
	a.pass(ctx, true)
	if n := seriesWithCode(t, reg, "503"); n != 0 {
		t.Fatalf("503s before any pod moved: %v", n)
	}
	*p = pods{injected("cart-b", "1-28-0", "10.0.0.2")}
	a.pass(ctx, true)
	if n := seriesWithCode(t, reg, "503"); n != 5 {
		t.Fatalf("503s after the move: %v, want 5", n)
	}
}

func ptr(f float64) *float64 { return &f }

func seriesWithCode(t *testing.T, reg *prometheus.Registry, code string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, f := range families {
		if f.GetName() != "istio_requests_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "response_code" && l.GetValue() == code {
					sum += m.GetCounter().GetValue()
				}
			}
		}
	}
	return sum
}

func TestFaultsEndpoint(t *testing.T) {
	a, _, reg := newTestAgent(&pods{})
	server := httptest.NewServer(a.Handler(reg, func() bool { return true }))
	defer server.Close()
	do := func(method, path, body string) (int, string) {
		req, _ := http.NewRequest(method, server.URL+path, strings.NewReader(body))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, body := do("PUT", "/faults", "- namespace: shop\n  errorRate: 0.05\n"); code != 200 || !strings.Contains(body, `"errorRate": 0.05`) {
		t.Fatalf("PUT: %d %s", code, body)
	}
	if code, _ := do("POST", "/faults", `[{"namespace":"bank","proxy":"stale"}]`); code != 200 {
		t.Fatalf("POST: %d", code)
	}
	if got := a.faults.Effective(); len(got) != 2 || got[1].Proxy != fault.Stale {
		t.Fatalf("%+v", got)
	}
	if code, body := do("PUT", "/faults", "- proxy: wobbly\n"); code != 400 || !strings.Contains(body, "wobbly") {
		t.Fatalf("bad PUT: %d %s", code, body)
	}
	if code, _ := do("DELETE", "/faults?namespace=shop", ""); code != 200 || len(a.faults.Effective()) != 1 {
		t.Fatalf("DELETE namespace: %d %+v", code, a.faults.Effective())
	}
	if code, body := do("DELETE", "/faults", ""); code != 200 || strings.TrimSpace(body) != "[]" {
		t.Fatalf("DELETE: %d %s", code, body)
	}
	if code, body := do("GET", "/proxies", ""); code != 200 || strings.TrimSpace(body) != "[]" {
		t.Fatalf("GET /proxies: %d %s", code, body)
	}
	if code, _ := do("GET", "/healthz", ""); code != 200 {
		t.Fatalf("healthz %d", code)
	}
}

func TestConfigMapFaultsComeFirstAndABadTextKeepsThePreviousList(t *testing.T) {
	a, _, _ := newTestAgent(&pods{})
	if err := a.faults.SetConfigMap("- namespace: shop\n  latencyMs: 100\n"); err != nil {
		t.Fatal(err)
	}
	a.faults.Put(fault.List{{Namespace: "shop", LatencyMs: ptr(5)}})
	if err := a.faults.SetConfigMap("- nonsense: true\n"); err == nil {
		t.Fatal("bad ConfigMap text accepted")
	}
	list, parseErr := a.faults.ConfigMap()
	if len(list) != 1 || parseErr == "" {
		t.Fatalf("%+v %q", list, parseErr)
	}
	if e := a.faults.Effective().EffectOn(fault.Target{Namespace: "shop"}); e.Traffic.LatencyMs != 5 {
		t.Fatalf("control-port fault must override the ConfigMap: %+v", e)
	}
}
