// Command mesh-agent stands in for every Envoy sidecar of a test cluster: one real xDS stream per injected pod
// to the istiod that injected it, Istio's request metrics per workload, and faults set as data.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	listersv1 "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"

	istiolog "istio.io/istio/pkg/log"
	"revroll.dev/k3s-tests/agent/internal/agent"
	"revroll.dev/k3s-tests/agent/internal/traffic"
	"revroll.dev/k3s-tests/agent/internal/xds"
)

// FaultsKey is the ConfigMap key holding the fault list.
const FaultsKey = "faults.yaml"

// istiods is the repeatable --istiod REV=ADDR flag.
type istiods map[string]string

func (i istiods) String() string {
	parts := make([]string, 0, len(i))
	for rev, addr := range i {
		parts = append(parts, rev+"="+addr)
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

func (i istiods) Set(v string) error {
	rev, addr, ok := strings.Cut(v, "=")
	if !ok || rev == "" || addr == "" {
		return fmt.Errorf("want REVISION=HOST:PORT, got %q", v)
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return fmt.Errorf("istiod address of %s: %w", rev, err)
	}
	i[rev] = addr
	return nil
}

type options struct {
	kubeconfig, context, listen, faultsConfigMap, istioVersion, namespace string
	istiods                                                               istiods
	rps                                                                   int
}

func main() {
	opts := options{istiods: istiods{}}
	flag.StringVar(&opts.kubeconfig, "kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig file")
	flag.StringVar(&opts.context, "context", "", "kubeconfig context (default: the current one)")
	flag.StringVar(&opts.listen, "listen", "127.0.0.1:15090", "address of the control port: /metrics, /faults, /proxies, /healthz")
	flag.Var(opts.istiods, "istiod", "REVISION=HOST:PORT of a revision's plaintext xDS (15010); repeat per revision")
	flag.StringVar(&opts.faultsConfigMap, "faults-configmap", "istio-system/revroll-mesh-faults",
		"NAMESPACE/NAME of the ConfigMap whose key "+FaultsKey+" holds faults (empty: none)")
	flag.StringVar(&opts.namespace, "namespace", "", "play only the pods of this namespace (default: every namespace)")
	flag.IntVar(&opts.rps, "rps", 20, "simulated requests per second per serving injected pod")
	flag.StringVar(&opts.istioVersion, "istio-version", "1.28.0",
		"ISTIO_VERSION reported by proxies of revisions whose name is not a version such as 1-28-0")
	flag.Parse()
	if err := run(opts); err != nil {
		fmt.Fprintln(os.Stderr, "mesh-agent:", err)
		os.Exit(1)
	}
}

type podLister struct{ lister listersv1.PodLister }

func (l podLister) Pods() ([]*corev1.Pod, error) { return l.lister.List(labels.Everything()) }

func run(opts options) error {
	if len(opts.istiods) == 0 {
		return errors.New("no --istiod REVISION=HOST:PORT given: the proxies would have no control plane")
	}
	if opts.rps < 0 {
		return fmt.Errorf("--rps %d is negative", opts.rps)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	// Istio's ADS client logs every response at info; keep its warnings only.
	if scope := istiolog.FindScope("adsc"); scope != nil {
		scope.SetOutputLevel(istiolog.WarnLevel)
	}

	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = opts.kubeconfig
	restConfig, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules,
		&clientcmd.ConfigOverrides{CurrentContext: opts.context}).ClientConfig()
	if err != nil {
		return fmt.Errorf("kubeconfig: %w", err)
	}
	client, err := kubernetes.NewForConfig(restConfig)
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	registry := prometheus.NewRegistry()
	factory := informers.NewSharedInformerFactoryWithOptions(client, 0, informers.WithNamespace(opts.namespace))
	pods := factory.Core().V1().Pods()
	a := agent.New(agent.Config{Istiods: opts.istiods, RPS: opts.rps, IstioVersion: opts.istioVersion},
		podLister{pods.Lister()}, traffic.NewMetrics(registry),
		func(s xds.Spec) agent.Sidecar { return xds.NewProxy(s) }, log)
	wake := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { a.Wake() },
		UpdateFunc: func(any, any) { a.Wake() },
		DeleteFunc: func(any) { a.Wake() },
	}
	if _, err := pods.Informer().AddEventHandler(wake); err != nil {
		return err
	}
	synced := []cache.InformerSynced{pods.Informer().HasSynced}
	if opts.faultsConfigMap != "" {
		cmSynced, err := watchFaults(client, opts.faultsConfigMap, a.Faults(), log, ctx)
		if err != nil {
			return err
		}
		synced = append(synced, cmSynced)
	}
	factory.Start(ctx.Done())

	listener, err := net.Listen("tcp", opts.listen)
	if err != nil {
		return fmt.Errorf("control port: %w", err)
	}
	ready := func() bool {
		for _, s := range synced {
			if !s() {
				return false
			}
		}
		return true
	}
	server := &http.Server{Handler: a.Handler(registry, ready), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := server.Serve(listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("control port", "err", err)
			stop()
		}
	}()
	log.Info("mesh agent listening", "addr", listener.Addr().String(), "istiods", opts.istiods.String(), "rps", opts.rps)

	if !cache.WaitForCacheSync(ctx.Done(), synced...) {
		return errors.New("stopped before the pod informer synced")
	}
	a.Run(ctx)
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return server.Shutdown(shutdown)
}

// watchFaults keeps the fault book's ConfigMap list in line with the ConfigMap NAMESPACE/NAME.
func watchFaults(client kubernetes.Interface, ref string, book *agent.FaultBook, log *slog.Logger,
	ctx context.Context) (cache.InformerSynced, error) {
	ns, name, ok := strings.Cut(ref, "/")
	if !ok || ns == "" || name == "" {
		return nil, fmt.Errorf("--faults-configmap %q: want NAMESPACE/NAME", ref)
	}
	factory := informers.NewSharedInformerFactoryWithOptions(client, 0, informers.WithNamespace(ns),
		informers.WithTweakListOptions(func(o *metav1.ListOptions) { o.FieldSelector = "metadata.name=" + name }))
	informer := factory.Core().V1().ConfigMaps().Informer()
	load := func(obj any) {
		cm, ok := obj.(*corev1.ConfigMap)
		if !ok {
			return
		}
		if err := book.SetConfigMap(cm.Data[FaultsKey]); err != nil {
			log.Warn("faults ConfigMap ignored, previous faults kept", "configmap", ref, "err", err)
			return
		}
		log.Info("faults loaded from ConfigMap", "configmap", ref)
	}
	if _, err := informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    load,
		UpdateFunc: func(_, obj any) { load(obj) },
		DeleteFunc: func(any) { book.ClearConfigMap() },
	}); err != nil {
		return nil, err
	}
	factory.Start(ctx.Done())
	return informer.HasSynced, nil
}
