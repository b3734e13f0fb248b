// world-controller keeps the test world's istiod pods in line with the istiod processes that run on this machine.
//
// For every revision it is told about (--istiod), it
//   - creates a kwok PortForward for each istiod-<rev> pod, so `kubectl port-forward pod/istiod-...` reaches the local
//     process (15010 plaintext xDS, 15012 secure xDS, 15014 monitoring/debug, 15017 webhook, 8080 http);
//   - sets the pod's Ready condition to whether the local process answers /ready (kwok made it Ready on start);
//   - rewrites every webhook whose clientConfig points at the service istiod-<rev> to url https://127.0.0.1:<port><path>,
//     since nothing here routes Service ClusterIPs (istiod's webhook patcher keeps the url and fills the caBundle).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
)

// revision is one istiod process on this machine and its local ports.
type revision struct {
	Name       string
	GRPC       int // 15010
	Secure     int // 15012
	Monitoring int // 15014
	Webhook    int // 15017
	HTTP       int // 8080
}

type revisionFlags []revision

func (r *revisionFlags) String() string { return fmt.Sprint(*r) }

// Set parses rev=1-27-0,grpc=P,secure=P,monitoring=P,webhook=P,http=P.
func (r *revisionFlags) Set(v string) error {
	var rev revision
	for _, kv := range strings.Split(v, ",") {
		k, val, ok := strings.Cut(kv, "=")
		if !ok {
			return fmt.Errorf("--istiod %q: expected key=value pairs", v)
		}
		if k == "rev" {
			rev.Name = val
			continue
		}
		p, err := strconv.Atoi(val)
		if err != nil {
			return fmt.Errorf("--istiod %q: port %q: %v", v, val, err)
		}
		switch k {
		case "grpc":
			rev.GRPC = p
		case "secure":
			rev.Secure = p
		case "monitoring":
			rev.Monitoring = p
		case "webhook":
			rev.Webhook = p
		case "http":
			rev.HTTP = p
		default:
			return fmt.Errorf("--istiod %q: unknown key %q", v, k)
		}
	}
	if rev.Name == "" || rev.GRPC == 0 || rev.Secure == 0 || rev.Monitoring == 0 || rev.Webhook == 0 || rev.HTTP == 0 {
		return fmt.Errorf("--istiod %q: need rev, grpc, secure, monitoring, webhook and http", v)
	}
	*r = append(*r, rev)
	return nil
}

var portForwards = schema.GroupVersionResource{Group: "kwok.x-k8s.io", Version: "v1alpha1", Resource: "portforwards"}

type controller struct {
	ns         string
	revisions  map[string]revision
	kube       kubernetes.Interface
	dyn        dynamic.Interface
	pods       cache.Indexer
	mutating   cache.Indexer
	validating cache.Indexer

	mu        sync.Mutex
	healthy   map[string]bool
	forwarded map[types.UID]bool
	kick      chan struct{}
}

func main() {
	var revs revisionFlags
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of the world's cluster")
	ns := flag.String("namespace", "istio-system", "control-plane namespace")
	flag.Var(&revs, "istiod", "rev=R,grpc=P,secure=P,monitoring=P,webhook=P,http=P (repeat per revision)")
	flag.Parse()
	if *kubeconfig == "" || len(revs) == 0 {
		log.Fatal("usage: world-controller --kubeconfig F --istiod rev=R,grpc=P,secure=P,monitoring=P,webhook=P,http=P ...")
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		log.Fatalf("kubeconfig: %v", err)
	}
	cfg.QPS, cfg.Burst = 50, 100
	c := &controller{
		ns:        *ns,
		revisions: map[string]revision{},
		kube:      kubernetes.NewForConfigOrDie(cfg),
		dyn:       dynamic.NewForConfigOrDie(cfg),
		healthy:   map[string]bool{},
		forwarded: map[types.UID]bool{},
		kick:      make(chan struct{}, 1),
	}
	for _, r := range revs {
		c.revisions[r.Name] = r
	}
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer cancel()

	poke := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { c.poke() },
		UpdateFunc: func(any, any) { c.poke() },
		DeleteFunc: func(any) { c.poke() },
	}
	nsFactory := informers.NewSharedInformerFactoryWithOptions(c.kube, 30*time.Second, informers.WithNamespace(c.ns),
		informers.WithTweakListOptions(func(o *metav1.ListOptions) { o.LabelSelector = "app=istiod" }))
	podInf := nsFactory.Core().V1().Pods().Informer()
	podInf.AddEventHandler(poke)
	c.pods = podInf.GetIndexer()
	factory := informers.NewSharedInformerFactory(c.kube, 30*time.Second)
	mwc := factory.Admissionregistration().V1().MutatingWebhookConfigurations().Informer()
	mwc.AddEventHandler(poke)
	c.mutating = mwc.GetIndexer()
	vwc := factory.Admissionregistration().V1().ValidatingWebhookConfigurations().Informer()
	vwc.AddEventHandler(poke)
	c.validating = vwc.GetIndexer()
	nsFactory.Start(ctx.Done())
	factory.Start(ctx.Done())
	nsFactory.WaitForCacheSync(ctx.Done())
	factory.WaitForCacheSync(ctx.Done())
	log.Printf("world-controller: watching %s for %d istiod revision(s)", c.ns, len(c.revisions))

	c.probeOnce() // know the processes' state before the first reconcile
	go c.probe(ctx)
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			log.Print("world-controller: stopping")
			return
		case <-c.kick:
		case <-tick.C:
		}
		c.reconcile(ctx)
	}
}

func (c *controller) poke() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// probe asks every local istiod for /ready once a second and pokes the loop when an answer changes.
func (c *controller) probe(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		if c.probeOnce() {
			c.poke()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (c *controller) probeOnce() bool {
	client := &http.Client{Timeout: 700 * time.Millisecond}
	changed := false
	for name, r := range c.revisions {
		ok := false
		resp, err := client.Get(fmt.Sprintf("http://127.0.0.1:%d/ready", r.HTTP))
		if err == nil {
			ok = resp.StatusCode == http.StatusOK
			resp.Body.Close()
		}
		c.mu.Lock()
		if c.healthy[name] != ok {
			log.Printf("istiod %s local process ready=%v", name, ok)
			c.healthy[name] = ok
			changed = true
		}
		c.mu.Unlock()
	}
	return changed
}

func (c *controller) reconcile(ctx context.Context) {
	live := map[types.UID]bool{}
	for _, obj := range c.pods.List() {
		pod := obj.(*corev1.Pod)
		live[pod.UID] = true
		rev, ok := c.revisions[pod.Labels["istio.io/rev"]]
		if !ok || pod.DeletionTimestamp != nil || pod.Spec.NodeName == "" {
			continue
		}
		c.ensurePortForward(ctx, pod, rev)
		c.ensureReady(ctx, pod, rev)
	}
	c.mu.Lock()
	for uid := range c.forwarded {
		if !live[uid] {
			delete(c.forwarded, uid) // the PortForward goes with its pod (owner reference)
		}
	}
	c.mu.Unlock()
	for _, obj := range c.mutating.List() {
		c.ensureMutatingURL(ctx, obj.(*admissionv1.MutatingWebhookConfiguration))
	}
	for _, obj := range c.validating.List() {
		c.ensureValidatingURL(ctx, obj.(*admissionv1.ValidatingWebhookConfiguration))
	}
}

func (c *controller) ensurePortForward(ctx context.Context, pod *corev1.Pod, rev revision) {
	c.mu.Lock()
	done := c.forwarded[pod.UID]
	c.mu.Unlock()
	if done {
		return
	}
	forward := func(podPort, local int) map[string]any {
		return map[string]any{"ports": []any{int64(podPort)}, "target": map[string]any{"address": "127.0.0.1", "port": int64(local)}}
	}
	pf := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kwok.x-k8s.io/v1alpha1",
		"kind":       "PortForward",
		"metadata": map[string]any{
			"name":      pod.Name,
			"namespace": pod.Namespace,
			"labels":    map[string]any{"app": "istiod", "istio.io/rev": rev.Name, "revroll.dev/world": "istiod"},
			"ownerReferences": []any{map[string]any{
				"apiVersion": "v1", "kind": "Pod", "name": pod.Name, "uid": string(pod.UID),
			}},
		},
		"spec": map[string]any{"forwards": []any{
			forward(15010, rev.GRPC), forward(15012, rev.Secure), forward(15014, rev.Monitoring),
			forward(15017, rev.Webhook), forward(8080, rev.HTTP),
		}},
	}}
	_, err := c.dyn.Resource(portForwards).Namespace(pod.Namespace).Create(ctx, pf, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		log.Printf("port forward for pod %s/%s: %v", pod.Namespace, pod.Name, err)
		return
	}
	if err == nil {
		log.Printf("port forward created for pod %s/%s (revision %s)", pod.Namespace, pod.Name, rev.Name)
	}
	c.mu.Lock()
	c.forwarded[pod.UID] = true
	c.mu.Unlock()
}

func podReady(pod *corev1.Pod) (bool, bool) {
	for _, cond := range pod.Status.Conditions {
		if cond.Type == corev1.PodReady {
			return cond.Status == corev1.ConditionTrue, true
		}
	}
	return false, false
}

func (c *controller) ensureReady(ctx context.Context, pod *corev1.Pod, rev revision) {
	c.mu.Lock()
	want := c.healthy[rev.Name]
	c.mu.Unlock()
	ready, known := podReady(pod)
	if !known || ready == want {
		return // kwok has not started the pod yet, or it already says the truth
	}
	status := corev1.ConditionFalse
	if want {
		status = corev1.ConditionTrue
	}
	now := metav1.Now()
	// containerStatuses is an atomic list: send every entry whole, only "ready" changed
	containers := make([]corev1.ContainerStatus, 0, len(pod.Status.ContainerStatuses))
	for _, cs := range pod.Status.ContainerStatuses {
		cs = *cs.DeepCopy()
		cs.Ready = want
		containers = append(containers, cs)
	}
	patch := map[string]any{"status": map[string]any{
		"conditions": []map[string]any{
			{"type": "Ready", "status": status, "lastTransitionTime": now},
			{"type": "ContainersReady", "status": status, "lastTransitionTime": now},
		},
		"containerStatuses": containers,
	}}
	body, _ := json.Marshal(patch)
	_, err := c.kube.CoreV1().Pods(pod.Namespace).Patch(ctx, pod.Name, types.StrategicMergePatchType, body, metav1.PatchOptions{}, "status")
	if err != nil {
		log.Printf("ready=%v on pod %s/%s: %v", want, pod.Namespace, pod.Name, err)
		return
	}
	log.Printf("pod %s/%s ready=%v (local istiod %s)", pod.Namespace, pod.Name, want, rev.Name)
}

// localURL is the url that replaces a service reference to istiod-<rev>, or "" when the reference is not one of ours.
func (c *controller) localURL(svc *admissionv1.ServiceReference) string {
	if svc == nil || svc.Namespace != c.ns {
		return ""
	}
	for name, r := range c.revisions {
		if svc.Name == "istiod-"+name {
			path := ""
			if svc.Path != nil {
				path = *svc.Path
			}
			return fmt.Sprintf("https://127.0.0.1:%d%s", r.Webhook, path)
		}
	}
	return ""
}

// localize points every client config that names an istiod service at the local process; it says whether any changed.
func (c *controller) localize(configs []*admissionv1.WebhookClientConfig) bool {
	changed := false
	for _, cc := range configs {
		if u := c.localURL(cc.Service); u != "" {
			cc.Service = nil
			cc.URL = &u
			changed = true
		}
	}
	return changed
}

// logUpdate reports the outcome of rewriting one webhook configuration.
func logUpdate(kind, name string, err error) {
	if err != nil {
		log.Printf("%s webhook %s: %v", kind, name, err)
		return
	}
	log.Printf("%s webhook %s now calls the local istiod", kind, name)
}

func (c *controller) ensureMutatingURL(ctx context.Context, cfg *admissionv1.MutatingWebhookConfiguration) {
	cp := cfg.DeepCopy()
	configs := make([]*admissionv1.WebhookClientConfig, len(cp.Webhooks))
	for i := range cp.Webhooks {
		configs[i] = &cp.Webhooks[i].ClientConfig
	}
	if c.localize(configs) {
		_, err := c.kube.AdmissionregistrationV1().MutatingWebhookConfigurations().Update(ctx, cp, metav1.UpdateOptions{})
		logUpdate("mutating", cfg.Name, err)
	}
}

func (c *controller) ensureValidatingURL(ctx context.Context, cfg *admissionv1.ValidatingWebhookConfiguration) {
	cp := cfg.DeepCopy()
	configs := make([]*admissionv1.WebhookClientConfig, len(cp.Webhooks))
	for i := range cp.Webhooks {
		configs[i] = &cp.Webhooks[i].ClientConfig
	}
	if c.localize(configs) {
		_, err := c.kube.AdmissionregistrationV1().ValidatingWebhookConfigurations().Update(ctx, cp, metav1.UpdateOptions{})
		logUpdate("validating", cfg.Name, err)
	}
}

func init() {
	log.SetOutput(os.Stderr)
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
}
