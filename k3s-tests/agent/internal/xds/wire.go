package xds

import (
	"context"
	"sync"
	"time"

	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"google.golang.org/grpc"

	v3 "istio.io/istio/pilot/pkg/xds/v3"
	"revroll.dev/k3s-tests/agent/internal/fault"
)

// typeURLs maps the short names used in faults to xDS type URLs.
var typeURLs = map[string]string{
	"cds":  v3.ClusterType,
	"eds":  v3.EndpointType,
	"lds":  v3.ListenerType,
	"rds":  v3.RouteType,
	"ecds": v3.ExtensionConfigurationType,
}

// action is what the wire does with one request the ADS client sends.
type action struct {
	drop  bool
	ack   bool
	delay time.Duration
	// nudge asks for one more push once the first pushes are ACKed (stale: a push that will never be ACKed).
	nudge bool
}

// ledger follows one ADS stream: the last nonce received per type and which types were ACKed once. It decides,
// per request, what the proxy's behaviour makes of it. It is pure logic, owned by one faultyStream.
type ledger struct {
	behaviour fault.ProxyBehaviour
	notSent   map[string]bool
	neverAck  map[string]bool
	received  map[string]string
	ackedOnce map[string]bool
	nudged    bool
}

func newLedger(b fault.ProxyBehaviour) *ledger {
	l := &ledger{behaviour: b, notSent: map[string]bool{}, neverAck: map[string]bool{}, received: map[string]string{},
		ackedOnce: map[string]bool{}}
	for _, t := range b.NotSentTypes() {
		l.notSent[typeURLs[t]] = true
	}
	for _, t := range b.NeverAckTypes() {
		l.neverAck[typeURLs[t]] = true
	}
	return l
}

func (l *ledger) onResponse(res *discovery.DiscoveryResponse) {
	l.received[res.TypeUrl] = res.Nonce
}

// isAck: the request answers the last response of its type (an ACK, possibly with new resource names).
func (l *ledger) isAck(req *discovery.DiscoveryRequest) bool {
	return req.ResponseNonce != "" && req.ResponseNonce == l.received[req.TypeUrl] && req.ErrorDetail == nil
}

func (l *ledger) onRequest(req *discovery.DiscoveryRequest) action {
	if l.notSent[req.TypeUrl] {
		return action{drop: true}
	}
	if !l.isAck(req) {
		return action{}
	}
	if l.neverAck[req.TypeUrl] {
		return action{drop: true}
	}
	switch l.behaviour.Mode {
	case fault.Stale:
		if l.ackedOnce[req.TypeUrl] {
			return action{drop: true}
		}
		l.ackedOnce[req.TypeUrl] = true
		if req.TypeUrl == v3.ClusterType && !l.nudged {
			l.nudged = true
			return action{ack: true, nudge: true}
		}
	case fault.Slow:
		l.ackedOnce[req.TypeUrl] = true
		return action{ack: true, delay: l.behaviour.SlowFor}
	}
	l.ackedOnce[req.TypeUrl] = true
	return action{ack: true}
}

// staleNudgeAfter lets the first pushes of every type be ACKed before the stale proxy asks for one more.
const staleNudgeAfter = 3 * time.Second

// faultyStream sits between Istio's ADS client and the gRPC stream and plays the proxy's fault on the wire:
// it drops, delays or lets through the client's requests. All sends pass one mutex (gRPC streams take one
// sender at a time).
type faultyStream struct {
	grpc.ClientStream
	ctx    context.Context
	mu     sync.Mutex
	ledger *ledger
	events *counters
}

func (s *faultyStream) RecvMsg(m any) error {
	err := s.ClientStream.RecvMsg(m)
	if err != nil {
		s.events.streamOpen.Store(false)
	}
	if res, ok := m.(*discovery.DiscoveryResponse); ok && err == nil {
		s.mu.Lock()
		s.ledger.onResponse(res)
		s.mu.Unlock()
		s.events.response(res.TypeUrl)
	}
	return err
}

func (s *faultyStream) SendMsg(m any) error {
	req, ok := m.(*discovery.DiscoveryRequest)
	if !ok {
		return s.send(m)
	}
	s.mu.Lock()
	act := s.ledger.onRequest(req)
	s.mu.Unlock()
	switch {
	case act.drop:
		s.events.dropped()
		return nil
	case act.delay > 0:
		select {
		case <-time.After(act.delay):
		case <-s.ctx.Done():
			return s.ctx.Err()
		}
	case act.nudge:
		time.AfterFunc(staleNudgeAfter, func() {
			// An initial request (no nonce) for clusters again: istiod answers with a fresh push.
			if s.send(&discovery.DiscoveryRequest{TypeUrl: v3.ClusterType}) == nil {
				s.events.nudged.Store(true)
			}
		})
	}
	if act.ack {
		s.events.acked()
	}
	return s.send(m)
}

func (s *faultyStream) send(m any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ClientStream.SendMsg(m)
}

// interceptor wraps every ADS stream the client opens in a faultyStream with the given behaviour.
func interceptor(ctx context.Context, b fault.ProxyBehaviour, c *counters) grpc.StreamClientInterceptor {
	return func(sctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string,
		streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
		cs, err := streamer(sctx, desc, cc, method, opts...)
		if err != nil {
			return nil, err
		}
		c.streamOpen.Store(true)
		return &faultyStream{ClientStream: cs, ctx: ctx, ledger: newLedger(b), events: c}, nil
	}
}
