// Package agent is the mesh agent's one loop: every pass it reads the pods and the faults (data) and brings
// the proxies and the traffic in line with them.
package agent

import (
	"context"
	"log/slog"
	"sort"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"

	"revroll.dev/k3s-tests/agent/internal/fault"
	"revroll.dev/k3s-tests/agent/internal/mesh"
	"revroll.dev/k3s-tests/agent/internal/traffic"
	"revroll.dev/k3s-tests/agent/internal/xds"
)

// Sidecar is a simulated sidecar with its own lifecycle (xds.Proxy in the agent).
type Sidecar interface {
	Run(ctx context.Context)
	Cleanup()
	Status() xds.Status
}

// PodLister gives the current pods (an informer's lister in the agent).
type PodLister interface {
	Pods() ([]*corev1.Pod, error)
}

// Config is the agent's fixed configuration.
type Config struct {
	// Istiods maps a revision to its istiod's plaintext xDS address.
	Istiods map[string]string
	// RPS is the requests each serving pod answers per second.
	RPS int
	// IstioVersion is the proxy version reported for revisions whose name is not a version (1-28-0 → 1.28.0).
	IstioVersion string
	// Tick is the traffic period (one second).
	Tick time.Duration
}

// Agent runs the loop.
type Agent struct {
	cfg        Config
	pods       PodLister
	faults     *FaultBook
	metrics    *traffic.Metrics
	model      *traffic.Model
	newSidecar func(xds.Spec) Sidecar
	log        *slog.Logger

	wake    chan struct{}
	running map[string]running

	mu     sync.Mutex
	status []xds.Status
}

type running struct {
	spec    xds.Spec
	sidecar Sidecar
}

// New returns an agent; newSidecar builds the stand-in for one pod's Envoy.
func New(cfg Config, pods PodLister, metrics *traffic.Metrics, newSidecar func(xds.Spec) Sidecar, log *slog.Logger) *Agent {
	if cfg.Tick == 0 {
		cfg.Tick = time.Second
	}
	a := &Agent{
		cfg: cfg, pods: pods, metrics: metrics, model: traffic.NewModel(cfg.RPS), newSidecar: newSidecar, log: log,
		wake: make(chan struct{}, 1), running: map[string]running{},
	}
	a.faults = NewFaultBook(a.Wake)
	return a
}

// Faults is the agent's fault book.
func (a *Agent) Faults() *FaultBook { return a.faults }

// Wake asks the loop for a pass now (pods or faults changed).
func (a *Agent) Wake() {
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

// Run is the loop; it returns when ctx ends, after closing every proxy.
func (a *Agent) Run(ctx context.Context) {
	ticker := time.NewTicker(a.cfg.Tick)
	defer ticker.Stop()
	defer a.stopAll()
	for {
		select {
		case <-ctx.Done():
			return
		case <-a.wake:
			a.pass(ctx, false)
		case <-ticker.C:
			a.pass(ctx, true)
		}
	}
}

// pass reads pods and faults once, reconciles the proxies and, on a tick, serves one second of traffic.
func (a *Agent) pass(ctx context.Context, tick bool) {
	kubePods, err := a.pods.Pods()
	if err != nil {
		a.log.Warn("listing pods", "err", err)
		return
	}
	faults := a.faults.Effective()
	var pods []mesh.Pod
	for _, p := range kubePods {
		if mp, ok := mesh.InjectedPod(p); ok && mp.Serving {
			pods = append(pods, mp)
		}
	}
	sort.Slice(pods, func(i, j int) bool {
		return pods[i].Namespace+"/"+pods[i].Name < pods[j].Namespace+"/"+pods[j].Name
	})
	a.reconcile(ctx, pods, faults)
	if tick {
		a.serveTraffic(pods, faults)
	}
}

func target(p mesh.Pod) fault.Target {
	return fault.Target{Namespace: p.Namespace, Workload: p.Workload, Revision: p.Revision}
}

// Specs are the proxies the pods and faults call for, and the status of serving pods whose revision has no
// known istiod.
func (a *Agent) Specs(pods []mesh.Pod, faults fault.List) (map[string]xds.Spec, []xds.Status) {
	specs := map[string]xds.Spec{}
	var orphans []xds.Status
	for _, p := range pods {
		addr, ok := a.cfg.Istiods[p.Revision]
		spec := xds.Spec{
			Pod:          p,
			Istiod:       addr,
			IstioVersion: mesh.IstioVersion(p.Revision, a.cfg.IstioVersion),
			Behaviour:    faults.EffectOn(target(p)).Proxy,
		}
		if !ok {
			orphans = append(orphans, xds.Status{Pod: p.Name, Namespace: p.Namespace, Revision: p.Revision, IP: p.IP,
				NodeID: spec.NodeID(), Fault: spec.Behaviour.String(), State: "no-istiod"})
			continue
		}
		specs[spec.Key()] = spec
	}
	return specs, orphans
}

func (a *Agent) reconcile(ctx context.Context, pods []mesh.Pod, faults fault.List) {
	specs, orphans := a.Specs(pods, faults)
	for key, r := range a.running {
		if want, ok := specs[key]; !ok || !want.Same(r.spec) {
			a.log.Info("proxy closes", "pod", r.spec.Pod.Namespace+"/"+r.spec.Pod.Name, "revision", r.spec.Pod.Revision,
				"fault", r.spec.Behaviour.String())
			r.sidecar.Cleanup()
			delete(a.running, key)
		}
	}
	for key, spec := range specs {
		if _, ok := a.running[key]; ok {
			continue
		}
		a.log.Info("proxy opens", "pod", spec.Pod.Namespace+"/"+spec.Pod.Name, "revision", spec.Pod.Revision,
			"istiod", spec.Istiod, "fault", spec.Behaviour.String())
		s := a.newSidecar(spec)
		s.Run(ctx)
		a.running[key] = running{spec: spec, sidecar: s}
	}
	status := orphans
	for _, r := range a.running {
		status = append(status, r.sidecar.Status())
	}
	sort.Slice(status, func(i, j int) bool {
		return status[i].Namespace+"/"+status[i].Pod < status[j].Namespace+"/"+status[j].Pod
	})
	a.mu.Lock()
	a.status = status
	a.mu.Unlock()
}

func (a *Agent) serveTraffic(pods []mesh.Pod, faults fault.List) {
	loads := make([]traffic.Load, 0, len(pods))
	counts := map[traffic.PodCount]int{}
	for _, p := range pods {
		loads = append(loads, traffic.Load{Pod: p, Effect: faults.EffectOn(target(p)).Traffic})
		counts[traffic.PodCount{Namespace: p.Namespace, Workload: p.Workload, Revision: p.Revision}]++
	}
	a.metrics.Record(a.model.Tick(loads))
	gauge := make([]traffic.PodCount, 0, len(counts))
	for k, n := range counts {
		k.Pods = n
		gauge = append(gauge, k)
	}
	a.metrics.SetPods(gauge)
}

// Proxies is the status of every proxy as of the last pass.
func (a *Agent) Proxies() []xds.Status {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]xds.Status{}, a.status...)
}

func (a *Agent) stopAll() {
	for key, r := range a.running {
		r.sidecar.Cleanup()
		delete(a.running, key)
	}
}
