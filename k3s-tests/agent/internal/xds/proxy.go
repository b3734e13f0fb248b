// Package xds holds the simulated sidecars: one Proxy per injected pod, each a real ADS client (Istio's own
// pkg/adsc) of the istiod that injected the pod, with its fault played on the wire.
package xds

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/structpb"

	"istio.io/istio/pilot/pkg/model"
	v3 "istio.io/istio/pilot/pkg/xds/v3"
	"istio.io/istio/pkg/adsc"
	"istio.io/istio/pkg/backoff"
	"revroll.dev/k3s-tests/agent/internal/fault"
	"revroll.dev/k3s-tests/agent/internal/mesh"
)

// ClusterID is the cluster name istiod knows its own Kubernetes registry by.
const ClusterID = "Kubernetes"

// Spec is everything that defines one proxy's stream. Two equal specs are the same stream; any change
// (pod IP, revision, fault) means a new stream, as a restarted Envoy would open.
type Spec struct {
	Pod          mesh.Pod
	Istiod       string
	IstioVersion string
	Behaviour    fault.ProxyBehaviour
}

// Key identifies the pod a proxy stands in for.
func (s Spec) Key() string { return s.Pod.Namespace + "/" + s.Pod.Name + "/" + s.Pod.UID }

// Same reports whether other needs no new stream.
func (s Spec) Same(other Spec) bool {
	return s.Pod.IP == other.Pod.IP && s.Pod.Revision == other.Pod.Revision && s.Istiod == other.Istiod &&
		s.Behaviour == other.Behaviour
}

// NodeID is the sidecar's xDS node id: sidecar~<podIP>~<pod>.<ns>~<ns>.svc.cluster.local.
func (s Spec) NodeID() string {
	return fmt.Sprintf("%s~%s~%s.%s~%s.svc.cluster.local", model.SidecarProxy, s.Pod.IP, s.Pod.Name,
		s.Pod.Namespace, s.Pod.Namespace)
}

// Metadata is the node metadata an injected Envoy sends (the fields istiod reads for a sidecar).
func (s Spec) Metadata() (*structpb.Struct, error) {
	labels := map[string]any{}
	for k, v := range s.Pod.Labels {
		labels[k] = v
	}
	return structpb.NewStruct(map[string]any{
		"NAMESPACE":         s.Pod.Namespace,
		"NAME":              s.Pod.Name,
		"CLUSTER_ID":        ClusterID,
		"ISTIO_VERSION":     s.IstioVersion,
		"LABELS":            labels,
		"WORKLOAD_NAME":     s.Pod.Workload,
		"INTERCEPTION_MODE": "REDIRECT",
		"INSTANCE_IPS":      s.Pod.IP,
	})
}

// Status is what GET /proxies shows for one proxy.
type Status struct {
	Pod       string `json:"pod"`
	Namespace string `json:"namespace"`
	Revision  string `json:"revision"`
	IP        string `json:"ip"`
	NodeID    string `json:"nodeId"`
	Istiod    string `json:"istiod"`
	Fault     string `json:"fault"`
	// State: connecting (no push yet), streaming (stream open, pushes arrived), reconnecting (the stream
	// broke; redialling), disconnected (fault: no stream), failed (never connected; see error).
	State     string `json:"state"`
	Responses int64  `json:"responses"`
	Acks      int64  `json:"acks"`
	Withheld  int64  `json:"withheld"`
	Error     string `json:"error,omitempty"`
}

// counters are the stream's events, read by Status.
type counters struct {
	responses, acks, drops atomic.Int64
	// streamOpen is true from the moment a stream opens until it fails.
	streamOpen atomic.Bool
	// nudged: a stale stream asked for the push it will never ACK.
	nudged atomic.Bool
}

func (c *counters) response(string) { c.responses.Add(1) }
func (c *counters) acked()          { c.acks.Add(1) }
func (c *counters) dropped()        { c.drops.Add(1) }

// Proxy is one simulated sidecar with its own lifecycle: Run opens the stream, Cleanup closes it.
type Proxy struct {
	Spec   Spec
	events counters
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	err    error
}

// NewProxy returns a proxy for spec; nothing happens until Run.
func NewProxy(spec Spec) *Proxy { return &Proxy{Spec: spec} }

// Run starts the proxy in the background; it keeps its stream (reconnecting with backoff) until Cleanup.
func (p *Proxy) Run(ctx context.Context) {
	ctx, p.cancel = context.WithCancel(ctx)
	p.done = make(chan struct{})
	go func() {
		defer close(p.done)
		p.run(ctx)
	}()
}

// Cleanup closes the stream and waits for the proxy to stop.
func (p *Proxy) Cleanup() {
	if p == nil || p.cancel == nil {
		return
	}
	p.cancel()
	<-p.done
}

func reconnectPolicy() backoff.BackOff {
	return backoff.NewExponentialBackOff(backoff.Option{InitialInterval: 500 * time.Millisecond, MaxInterval: 5 * time.Second})
}

func (p *Proxy) run(ctx context.Context) {
	switch p.Spec.Behaviour.Mode {
	case fault.Disconnected:
		<-ctx.Done()
	case fault.Lingering:
		lingering(ctx, p.stream, &p.events)
	default:
		p.stream(ctx, p.Spec.Behaviour, &p.events)
	}
}

// lingering opens the old stream first and lets it go stale (it ACKs only the first push of each type), then the
// new, healthy one with the same node id; both stay open. istiod never shows this proxy with SYNCED connections
// only. open keeps one stream (Proxy.stream); GET /proxies counts the new stream's pushes and ACKs (into events).
func lingering(ctx context.Context, open func(context.Context, fault.ProxyBehaviour, *counters), events *counters) {
	var old counters
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		open(ctx, fault.ProxyBehaviour{Mode: fault.Stale}, &old)
	}()
	defer wg.Wait()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for !old.nudged.Load() {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
	select { // the push the old stream will never ACK reaches istiod's books
	case <-ctx.Done():
		return
	case <-time.After(lingeringNewAfter):
	}
	open(ctx, fault.ProxyBehaviour{}, events)
}

// lingeringNewAfter: the new stream of a lingering proxy opens this long after the old one asked for its last push.
var lingeringNewAfter = time.Second

// stream keeps one ADS stream with the given behaviour until ctx ends (redialling with backoff).
func (p *Proxy) stream(ctx context.Context, behaviour fault.ProxyBehaviour, events *counters) {
	meta, err := p.Spec.Metadata()
	if err != nil {
		p.fail(err)
		return
	}
	client, err := adsc.New(p.Spec.Istiod, &adsc.ADSConfig{
		Config: adsc.Config{
			ClientName:    p.Spec.Pod.Namespace + "/" + p.Spec.Pod.Name,
			Namespace:     p.Spec.Pod.Namespace,
			Workload:      p.Spec.Pod.Name,
			IP:            p.Spec.Pod.IP,
			NodeType:      model.SidecarProxy,
			Meta:          meta,
			BackoffPolicy: reconnectPolicy(),
			GrpcOpts: []grpc.DialOption{
				grpc.WithTransportCredentials(insecure.NewCredentials()),
				grpc.WithStreamInterceptor(interceptor(ctx, behaviour, events)),
			},
		},
		// Like Envoy: clusters and listeners; endpoints follow clusters, routes follow listeners.
		InitialDiscoveryRequests: []*discovery.DiscoveryRequest{
			{TypeUrl: v3.ClusterType},
			{TypeUrl: v3.ListenerType},
		},
	})
	if err != nil {
		p.fail(err)
		return
	}
	defer client.Close()
	err = reconnectPolicy().RetryWithContext(ctx, func() error {
		err := client.Run()
		p.fail(err)
		return err
	})
	if err != nil {
		return
	}
	<-ctx.Done()
}

func (p *Proxy) fail(err error) {
	p.mu.Lock()
	p.err = err
	p.mu.Unlock()
}

// Status reports the proxy for GET /proxies.
func (p *Proxy) Status() Status {
	s := Status{
		Pod:       p.Spec.Pod.Name,
		Namespace: p.Spec.Pod.Namespace,
		Revision:  p.Spec.Pod.Revision,
		IP:        p.Spec.Pod.IP,
		NodeID:    p.Spec.NodeID(),
		Istiod:    p.Spec.Istiod,
		Fault:     p.Spec.Behaviour.String(),
		Responses: p.events.responses.Load(),
		Acks:      p.events.acks.Load(),
		Withheld:  p.events.drops.Load(),
	}
	p.mu.Lock()
	if p.err != nil {
		s.Error = p.err.Error()
	}
	p.mu.Unlock()
	switch {
	case p.Spec.Behaviour.Mode == fault.Disconnected:
		s.State = "disconnected"
	case s.Responses > 0 && p.events.streamOpen.Load():
		s.State = "streaming"
	case s.Responses > 0:
		s.State = "reconnecting"
	case s.Error != "":
		s.State = "failed"
	default:
		s.State = "connecting"
	}
	return s
}
