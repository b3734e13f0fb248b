package fault

import (
	"strings"
	"testing"
	"time"
)

func ptr(f float64) *float64 { return &f }

func TestParseAcceptsListAndObjectInYAMLOrJSON(t *testing.T) {
	for name, text := range map[string]string{
		"yaml list":   "- namespace: shop\n  revision: 1-28-0\n  errorRate: 0.05\n  responseCode: 503\n  responseFlags: UH\n",
		"yaml object": "faults:\n- namespace: shop\n  revision: 1-28-0\n  errorRate: 0.05\n  responseCode: 503\n  responseFlags: UH\n",
		"json list":   `[{"namespace":"shop","revision":"1-28-0","errorRate":0.05,"responseCode":503,"responseFlags":"UH"}]`,
	} {
		t.Run(name, func(t *testing.T) {
			list, err := Parse([]byte(text))
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 1 || list[0].Namespace != "shop" || *list[0].ErrorRate != 0.05 || list[0].ResponseFlags != "UH" {
				t.Fatalf("parsed %+v", list)
			}
		})
	}
}

func TestParseEmptyIsNoFaults(t *testing.T) {
	for _, text := range []string{"", "  \n", "[]", "faults: []"} {
		list, err := Parse([]byte(text))
		if err != nil || len(list) != 0 {
			t.Fatalf("%q: %v %v", text, list, err)
		}
	}
}

func TestParseRejectsWhatItCannotPlay(t *testing.T) {
	for text, want := range map[string]string{
		"- namespace: shop\n  errorrate: 0.1\n":           "unknown field",
		"- proxy: flaky\n":                                `"flaky" is not one of`,
		"- proxy: slow\n":                                 "slowSeconds > 0",
		"- proxy: notsent\n":                              "needs notSentTypes",
		"- proxy: notsent\n  notSentTypes: [sds]\n":       `"sds" is not one of`,
		"- slowSeconds: 3\n":                              "only goes with proxy: slow",
		"- proxy: neverack\n":                             "needs neverAckTypes",
		"- proxy: neverack\n  neverAckTypes: [xds]\n":     `neverAckTypes: "xds" is not one of`,
		"- proxy: lingering\n  neverAckTypes: [lds]\n":    "only goes with proxy: neverack",
		"- proxy: lingering\n  notSentTypes: [lds]\n":     "only goes with proxy: notsent",
		"- errorRate: 1.5\n":                              "not between 0 and 1",
		"- responseCode: 42\n":                            "not an HTTP status code",
		"- namespace: a\n- namespace: b\n  latencyMs: -1": "faults[1]: latencyMs",
		"faults: {namespace: a}":                          "cannot unmarshal",
	} {
		_, err := Parse([]byte(text))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want an error containing %q", text, err, want)
		}
	}
}

func TestMatchesByNamespaceWorkloadAndRevision(t *testing.T) {
	pod := Target{Namespace: "shop", Workload: "cart", Revision: "1-28-0"}
	cases := []struct {
		fault Fault
		want  bool
	}{
		{Fault{}, true},
		{Fault{Namespace: "shop"}, true},
		{Fault{Namespace: "bank"}, false},
		{Fault{Namespace: "shop", Revision: "1-28-0"}, true},
		{Fault{Namespace: "shop", Revision: "1-27-0"}, false},
		{Fault{Workload: "cart"}, true},
		{Fault{Workload: "checkout"}, false},
	}
	for _, c := range cases {
		if got := c.fault.Matches(pod); got != c.want {
			t.Errorf("%+v matches %+v = %v, want %v", c.fault, pod, got, c.want)
		}
	}
}

func TestRevisionFaultAppliesOnlyWhilePodsRunThatRevision(t *testing.T) {
	list := List{{Namespace: "shop", Revision: "1-28-0", ErrorRate: ptr(0.05), ResponseFlags: "UH"}}
	before := list.EffectOn(Target{Namespace: "shop", Workload: "cart", Revision: "1-27-0"})
	after := list.EffectOn(Target{Namespace: "shop", Workload: "cart", Revision: "1-28-0"})
	if before.Traffic.ErrorRate != 0 {
		t.Fatalf("fault applied to a pod still on the old revision: %+v", before)
	}
	if after.Traffic != (TrafficEffect{ErrorRate: 0.05, ResponseCode: 503, ResponseFlags: "UH"}) {
		t.Fatalf("effect on the new revision: %+v", after.Traffic)
	}
}

func TestLaterFaultsOverrideTheFieldsTheySet(t *testing.T) {
	list := List{
		{Namespace: "shop", ErrorRate: ptr(0.5), ResponseCode: 500, LatencyMs: ptr(100)},
		{Namespace: "shop", Workload: "cart", ErrorRate: ptr(0.1)},
		{Namespace: "shop", Proxy: Slow, SlowSeconds: 2.5},
	}
	e := list.EffectOn(Target{Namespace: "shop", Workload: "cart", Revision: "x"})
	want := Effect{
		Proxy:   ProxyBehaviour{Mode: Slow, SlowFor: 2500 * time.Millisecond},
		Traffic: TrafficEffect{ErrorRate: 0.1, ResponseCode: 500, ResponseFlags: "-", LatencyMs: 100},
	}
	if e != want {
		t.Fatalf("got %+v\nwant %+v", e, want)
	}
	if other := list.EffectOn(Target{Namespace: "bank"}); other.Proxy.Mode != Healthy || other.Traffic.ErrorRate != 0 {
		t.Fatalf("faults leaked to another namespace: %+v", other)
	}
}

func TestNotSentBehaviourIsComparableWhateverTheOrder(t *testing.T) {
	a := Fault{Proxy: NotSent, NotSentTypes: []string{"EDS", "rds"}}.proxyBehaviour()
	b := Fault{Proxy: NotSent, NotSentTypes: []string{"rds", "eds"}}.proxyBehaviour()
	if a != b || a.NotSent != "eds,rds" || len(a.NotSentTypes()) != 2 {
		t.Fatalf("%+v vs %+v", a, b)
	}
}

func TestWithoutNamespace(t *testing.T) {
	list := List{{Namespace: "a"}, {Namespace: "b"}, {}}
	if got := list.WithoutNamespace("a"); len(got) != 2 || got[0].Namespace != "b" {
		t.Fatalf("%+v", got)
	}
}

func TestListenerFaultsParse(t *testing.T) {
	list, err := Parse([]byte("- {namespace: a, revision: 1-28-0, proxy: notsent, notSentTypes: [lds]}\n" +
		"- {namespace: b, proxy: neverack, neverAckTypes: [LDS]}\n- {namespace: c, proxy: lingering}\n"))
	if err != nil {
		t.Fatal(err)
	}
	for ns, want := range map[string]ProxyBehaviour{
		"a": {Mode: NotSent, NotSent: "lds"},
		"b": {Mode: NeverAck, NeverAck: "lds"},
		"c": {Mode: Lingering},
	} {
		got := list.EffectOn(Target{Namespace: ns, Revision: "1-28-0"}).Proxy
		if got != want {
			t.Errorf("%s: %+v, want %+v", ns, got, want)
		}
	}
	if s := (ProxyBehaviour{Mode: NeverAck, NeverAck: "lds"}).String(); s != "neverack(lds)" {
		t.Errorf("String() = %q", s)
	}
	if got := (ProxyBehaviour{Mode: NeverAck, NeverAck: "eds,lds"}).NeverAckTypes(); len(got) != 2 || got[1] != "lds" {
		t.Errorf("NeverAckTypes() = %v", got)
	}
}
