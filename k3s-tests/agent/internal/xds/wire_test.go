package xds

import (
	"testing"
	"time"

	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"

	v3 "istio.io/istio/pilot/pkg/xds/v3"
	"revroll.dev/k3s-tests/agent/internal/fault"
)

// push plays istiod sending a response, and returns the ACK the client would send for it.
func push(l *ledger, typeURL, nonce string) *discovery.DiscoveryRequest {
	l.onResponse(&discovery.DiscoveryResponse{TypeUrl: typeURL, Nonce: nonce})
	return &discovery.DiscoveryRequest{TypeUrl: typeURL, ResponseNonce: nonce}
}

func TestHealthyProxyAcksEveryPush(t *testing.T) {
	l := newLedger(fault.ProxyBehaviour{})
	if a := l.onRequest(&discovery.DiscoveryRequest{TypeUrl: v3.ClusterType}); a != (action{}) {
		t.Fatalf("subscription: %+v", a)
	}
	for _, n := range []string{"1", "2", "3"} {
		if a := l.onRequest(push(l, v3.ClusterType, n)); a != (action{ack: true}) {
			t.Fatalf("push %s: %+v", n, a)
		}
	}
}

func TestStaleProxyAcksTheFirstPushOfEachTypeThenNoMore(t *testing.T) {
	l := newLedger(fault.ProxyBehaviour{Mode: fault.Stale})
	first := l.onRequest(push(l, v3.ClusterType, "c1"))
	if !first.ack || !first.nudge || first.drop {
		t.Fatalf("first CDS push must be ACKed and followed by a nudge: %+v", first)
	}
	if a := l.onRequest(push(l, v3.EndpointType, "e1")); !a.ack || a.drop || a.nudge {
		t.Fatalf("first EDS push: %+v", a)
	}
	if a := l.onRequest(push(l, v3.ClusterType, "c2")); !a.drop {
		t.Fatalf("second CDS push was ACKed: %+v", a)
	}
	if a := l.onRequest(push(l, v3.EndpointType, "e2")); !a.drop {
		t.Fatalf("second EDS push was ACKed: %+v", a)
	}
	// A fresh subscription (no nonce) still goes out: that is how the nudge gets its push.
	if a := l.onRequest(&discovery.DiscoveryRequest{TypeUrl: v3.ClusterType}); a.drop {
		t.Fatalf("subscription dropped: %+v", a)
	}
}

func TestNotSentProxyNeverSubscribesTheListedTypes(t *testing.T) {
	l := newLedger(fault.ProxyBehaviour{Mode: fault.NotSent, NotSent: "eds,rds"})
	for _, typeURL := range []string{v3.EndpointType, v3.RouteType} {
		if a := l.onRequest(&discovery.DiscoveryRequest{TypeUrl: typeURL, ResourceNames: []string{"x"}}); !a.drop {
			t.Errorf("%s subscribed: %+v", typeURL, a)
		}
	}
	if a := l.onRequest(&discovery.DiscoveryRequest{TypeUrl: v3.ClusterType}); a.drop {
		t.Errorf("CDS dropped: %+v", a)
	}
	if a := l.onRequest(push(l, v3.ListenerType, "l1")); !a.ack || a.drop {
		t.Errorf("LDS push not ACKed: %+v", a)
	}
}

func TestNeverAckProxySubscribesButNeverAcksTheListedTypes(t *testing.T) {
	l := newLedger(fault.ProxyBehaviour{Mode: fault.NeverAck, NeverAck: "lds"})
	if a := l.onRequest(&discovery.DiscoveryRequest{TypeUrl: v3.ListenerType}); a.drop {
		t.Fatalf("LDS subscription dropped: %+v", a)
	}
	for _, n := range []string{"l1", "l2"} {
		if a := l.onRequest(push(l, v3.ListenerType, n)); !a.drop || a.ack {
			t.Fatalf("LDS push %s ACKed: %+v", n, a)
		}
	}
	if a := l.onRequest(push(l, v3.ClusterType, "c1")); !a.ack || a.drop {
		t.Fatalf("CDS push not ACKed: %+v", a)
	}
}

func TestNotSentListenersAreNeverRequested(t *testing.T) {
	l := newLedger(fault.ProxyBehaviour{Mode: fault.NotSent, NotSent: "lds"})
	if a := l.onRequest(&discovery.DiscoveryRequest{TypeUrl: v3.ListenerType}); !a.drop {
		t.Fatalf("LDS subscribed: %+v", a)
	}
}

func TestSlowProxyDelaysEveryAck(t *testing.T) {
	l := newLedger(fault.ProxyBehaviour{Mode: fault.Slow, SlowFor: 4 * time.Second})
	if a := l.onRequest(&discovery.DiscoveryRequest{TypeUrl: v3.ListenerType}); a.delay != 0 {
		t.Fatalf("subscription delayed: %+v", a)
	}
	for _, n := range []string{"1", "2"} {
		if a := l.onRequest(push(l, v3.ListenerType, n)); a != (action{ack: true, delay: 4 * time.Second}) {
			t.Fatalf("push %s: %+v", n, a)
		}
	}
}

func TestOldNonceIsNotAnAck(t *testing.T) {
	l := newLedger(fault.ProxyBehaviour{Mode: fault.Stale})
	push(l, v3.ClusterType, "c1")
	push(l, v3.ClusterType, "c2")
	if a := l.onRequest(&discovery.DiscoveryRequest{TypeUrl: v3.ClusterType, ResponseNonce: "c1"}); a.ack || a.drop {
		t.Fatalf("expired nonce treated as an ACK: %+v", a)
	}
}

func TestSpecNodeIDAndMetadata(t *testing.T) {
	s := Spec{IstioVersion: "1.28.0"}
	s.Pod.Name, s.Pod.Namespace, s.Pod.IP, s.Pod.Workload = "cart-1", "shop", "10.0.0.7", "cart"
	s.Pod.Labels = map[string]string{"app": "cart"}
	if got := s.NodeID(); got != "sidecar~10.0.0.7~cart-1.shop~shop.svc.cluster.local" {
		t.Fatalf("node id %s", got)
	}
	meta, err := s.Metadata()
	if err != nil {
		t.Fatal(err)
	}
	f := meta.GetFields()
	if f["NAMESPACE"].GetStringValue() != "shop" || f["CLUSTER_ID"].GetStringValue() != ClusterID ||
		f["ISTIO_VERSION"].GetStringValue() != "1.28.0" ||
		f["LABELS"].GetStructValue().GetFields()["app"].GetStringValue() != "cart" {
		t.Fatalf("metadata %v", meta)
	}
	other := s
	other.Behaviour = fault.ProxyBehaviour{Mode: fault.Stale}
	if s.Same(other) || !s.Same(s) {
		t.Fatal("a fault change must open a new stream")
	}
}
