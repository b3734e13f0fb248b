// Package mesh reads what the agent needs from Kubernetes pods: which revision injected them, which workload
// they belong to and whether they serve.
package mesh

import (
	"encoding/json"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// SidecarStatusAnnotation is written by the injector on every injected pod; its JSON names the revision.
const SidecarStatusAnnotation = "sidecar.istio.io/status"

// Pod is an injected pod as the agent sees it.
type Pod struct {
	Namespace string
	Name      string
	UID       string
	IP        string
	// Revision is the control-plane revision that injected the pod.
	Revision string
	// Workload is the Deployment, StatefulSet, DaemonSet (…) the pod belongs to.
	Workload string
	// Service is the destination_service_name traffic is reported under.
	Service string
	// CanonicalRevision is the app's version (service.istio.io/canonical-revision), not the control plane's.
	CanonicalRevision string
	Labels            map[string]string
	// Serving is true when the pod is Ready, has an IP and is not being deleted.
	Serving bool
}

// InjectedPod returns the agent's view of p, and false when no revision injected it.
func InjectedPod(p *corev1.Pod) (Pod, bool) {
	rev, ok := InjectedRevision(p)
	if !ok {
		return Pod{}, false
	}
	return Pod{
		Namespace:         p.Namespace,
		Name:              p.Name,
		UID:               string(p.UID),
		IP:                p.Status.PodIP,
		Revision:          rev,
		Workload:          WorkloadName(p),
		Service:           serviceName(p),
		CanonicalRevision: canonicalRevision(p),
		Labels:            p.Labels,
		Serving:           p.DeletionTimestamp == nil && p.Status.PodIP != "" && isReady(p),
	}, true
}

// InjectedRevision reads the revision from the sidecar.istio.io/status annotation.
func InjectedRevision(p *corev1.Pod) (string, bool) {
	raw, ok := p.Annotations[SidecarStatusAnnotation]
	if !ok {
		return "", false
	}
	var status struct {
		Revision string `json:"revision"`
	}
	if err := json.Unmarshal([]byte(raw), &status); err != nil || status.Revision == "" {
		return "", false
	}
	return status.Revision, true
}

func isReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// WorkloadName derives the owning workload the way Istio's telemetry does: a ReplicaSet's Deployment (the
// ReplicaSet name without its pod-template-hash), a Job's CronJob, otherwise the controller's own name;
// pods without a controller fall back to the app label, then to their own name.
func WorkloadName(p *corev1.Pod) string {
	if owner := metav1.GetControllerOf(p); owner != nil {
		switch owner.Kind {
		case "ReplicaSet":
			if hash := p.Labels["pod-template-hash"]; hash != "" && strings.HasSuffix(owner.Name, "-"+hash) {
				return strings.TrimSuffix(owner.Name, "-"+hash)
			}
			return owner.Name
		case "Job":
			if i := strings.LastIndex(owner.Name, "-"); i > 0 && isDigits(owner.Name[i+1:]) {
				return owner.Name[:i]
			}
			return owner.Name
		default:
			return owner.Name
		}
	}
	if app := appLabel(p); app != "" {
		return app
	}
	return p.Name
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func appLabel(p *corev1.Pod) string {
	for _, k := range []string{"service.istio.io/canonical-name", "app.kubernetes.io/name", "app"} {
		if v := p.Labels[k]; v != "" {
			return v
		}
	}
	return ""
}

func serviceName(p *corev1.Pod) string {
	if app := p.Labels["app"]; app != "" {
		return app
	}
	if app := appLabel(p); app != "" {
		return app
	}
	return WorkloadName(p)
}

func canonicalRevision(p *corev1.Pod) string {
	for _, k := range []string{"service.istio.io/canonical-revision", "app.kubernetes.io/version", "version"} {
		if v := p.Labels[k]; v != "" {
			return v
		}
	}
	return "latest"
}

// IstioVersion turns a revision name such as 1-28-0 into the proxy version 1.28.0 it stands for; other
// names give def.
func IstioVersion(revision, def string) string {
	parts := strings.Split(revision, "-")
	if len(parts) < 2 || len(parts) > 3 {
		return def
	}
	for _, p := range parts {
		if !isDigits(p) {
			return def
		}
	}
	return strings.Join(parts, ".")
}
