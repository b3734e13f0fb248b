package main

import (
	"testing"

	admissionv1 "k8s.io/api/admissionregistration/v1"
)

func TestIstiodFlag(t *testing.T) {
	var revs revisionFlags
	if err := revs.Set("rev=1-27-0,grpc=31020,secure=31021,webhook=31022,monitoring=31023,http=31024"); err != nil {
		t.Fatal(err)
	}
	want := revision{Name: "1-27-0", GRPC: 31020, Secure: 31021, Webhook: 31022, Monitoring: 31023, HTTP: 31024}
	if len(revs) != 1 || revs[0] != want {
		t.Fatalf("got %+v, want %+v", revs, want)
	}
	for _, bad := range []string{"rev=1-27-0", "rev=x,grpc=a,secure=1,webhook=1,monitoring=1,http=1", "rev=x,nope=1", "grpc"} {
		if err := revs.Set(bad); err == nil {
			t.Errorf("Set(%q) accepted", bad)
		}
	}
}

func TestLocalURLOnlyForOurIstiodServices(t *testing.T) {
	c := &controller{ns: "istio-system", revisions: map[string]revision{"1-28-0": {Name: "1-28-0", Webhook: 31032}}}
	path := "/inject/cluster/Kubernetes/net/network1"
	cases := []struct {
		svc  *admissionv1.ServiceReference
		want string
	}{
		{&admissionv1.ServiceReference{Namespace: "istio-system", Name: "istiod-1-28-0", Path: &path}, "https://127.0.0.1:31032" + path},
		{&admissionv1.ServiceReference{Namespace: "istio-system", Name: "istiod-1-28-0"}, "https://127.0.0.1:31032"},
		{&admissionv1.ServiceReference{Namespace: "istio-system", Name: "istiod-1-27-0", Path: &path}, ""},
		{&admissionv1.ServiceReference{Namespace: "other", Name: "istiod-1-28-0", Path: &path}, ""},
		{nil, ""},
	}
	for _, tc := range cases {
		if got := c.localURL(tc.svc); got != tc.want {
			t.Errorf("localURL(%+v) = %q, want %q", tc.svc, got, tc.want)
		}
	}
}
