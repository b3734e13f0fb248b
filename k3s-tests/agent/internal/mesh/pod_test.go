package mesh

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func pod(owner *metav1.OwnerReference, labels map[string]string, status string) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "cart-7d9f8-abcde", Namespace: "shop", Labels: labels,
			Annotations: map[string]string{}},
		Status: corev1.PodStatus{PodIP: "10.0.0.7", Conditions: []corev1.PodCondition{
			{Type: corev1.PodReady, Status: corev1.ConditionTrue},
		}},
	}
	if owner != nil {
		yes := true
		owner.Controller = &yes
		p.OwnerReferences = []metav1.OwnerReference{*owner}
	}
	if status != "" {
		p.Annotations[SidecarStatusAnnotation] = status
	}
	return p
}

func TestWorkloadNameFollowsTheController(t *testing.T) {
	cases := map[string]*corev1.Pod{
		"cart":     pod(&metav1.OwnerReference{Kind: "ReplicaSet", Name: "cart-7d9f8"}, map[string]string{"pod-template-hash": "7d9f8"}, ""),
		"db":       pod(&metav1.OwnerReference{Kind: "StatefulSet", Name: "db"}, nil, ""),
		"logs":     pod(&metav1.OwnerReference{Kind: "DaemonSet", Name: "logs"}, nil, ""),
		"report":   pod(&metav1.OwnerReference{Kind: "Job", Name: "report-29160000"}, nil, ""),
		"web":      pod(nil, map[string]string{"app": "web"}, ""),
		"orphan-x": pod(nil, nil, ""),
	}
	cases["orphan-x"].Name = "orphan-x"
	for want, p := range cases {
		if got := WorkloadName(p); got != want {
			t.Errorf("WorkloadName = %q, want %q", got, want)
		}
	}
}

func TestInjectedPodReadsTheRevisionFromTheSidecarStatus(t *testing.T) {
	p := pod(nil, map[string]string{"app": "cart", "istio.io/rev": "misleading"},
		`{"initContainers":["istio-init"],"containers":["istio-proxy"],"revision":"1-28-0"}`)
	got, ok := InjectedPod(p)
	if !ok || got.Revision != "1-28-0" || !got.Serving || got.Service != "cart" || got.CanonicalRevision != "latest" {
		t.Fatalf("%+v %v", got, ok)
	}
	if _, ok := InjectedPod(pod(nil, nil, "")); ok {
		t.Fatal("a pod without sidecar.istio.io/status is not injected")
	}
	if _, ok := InjectedPod(pod(nil, nil, "not json")); ok {
		t.Fatal("an unreadable status is not an injection")
	}
}

func TestServingNeedsReadyIPAndNoDeletion(t *testing.T) {
	status := `{"revision":"1-27-0"}`
	notReady := pod(nil, nil, status)
	notReady.Status.Conditions[0].Status = corev1.ConditionFalse
	noIP := pod(nil, nil, status)
	noIP.Status.PodIP = ""
	deleting := pod(nil, nil, status)
	now := metav1.Now()
	deleting.DeletionTimestamp = &now
	for name, p := range map[string]*corev1.Pod{"not ready": notReady, "no ip": noIP, "deleting": deleting} {
		if got, _ := InjectedPod(p); got.Serving {
			t.Errorf("%s pod serves", name)
		}
	}
}

func TestIstioVersionFromRevisionName(t *testing.T) {
	for rev, want := range map[string]string{"1-28-0": "1.28.0", "1-27": "1.27", "canary": "9.9.9", "1-x-0": "9.9.9"} {
		if got := IstioVersion(rev, "9.9.9"); got != want {
			t.Errorf("IstioVersion(%q) = %q, want %q", rev, got, want)
		}
	}
}
