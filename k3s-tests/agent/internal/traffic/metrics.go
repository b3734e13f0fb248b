package traffic

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// Labels of istio_requests_total and istio_request_duration_milliseconds, in Istio's names.
var Labels = []string{
	"reporter",
	"source_workload", "source_workload_namespace",
	"destination_workload", "destination_workload_namespace",
	"destination_service_name", "destination_service_namespace",
	"destination_canonical_revision",
	"request_protocol", "response_code", "response_flags",
}

// DurationBuckets are Istio's default buckets for istio_request_duration_milliseconds.
var DurationBuckets = []float64{0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000,
	300000, 600000, 1800000, 3600000}

// Unknown is what Istio reports for the source of requests from outside the mesh.
const Unknown = "unknown"

// Metrics are the agent's Prometheus series. Counters are never deleted, so a workload's series stay
// monotonic however its pods come and go.
type Metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	pods     *prometheus.GaugeVec
}

// NewMetrics registers the series on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "istio_requests_total",
			Help: "Requests served by simulated sidecars (reporter=destination).",
		}, Labels),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "istio_request_duration_milliseconds",
			Help:    "Duration of requests served by simulated sidecars.",
			Buckets: DurationBuckets,
		}, Labels),
		pods: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "revroll_mesh_agent_serving_pods",
			Help: "Serving injected pods per workload and the control-plane revision that injected them.",
		}, []string{"namespace", "workload", "revision"}),
	}
	reg.MustRegister(m.requests, m.duration, m.pods)
	return m
}

// LabelValues are the values of Labels for a series.
func LabelValues(s Series) []string {
	return []string{
		"destination",
		Unknown, Unknown,
		s.Workload, s.Namespace,
		s.Service, s.Namespace,
		s.CanonicalRevision,
		"http", strconv.Itoa(s.Code), s.Flags,
	}
}

// Record adds one tick's outcomes.
func (m *Metrics) Record(outcomes []Outcome) {
	for _, o := range outcomes {
		values := LabelValues(o.Series)
		m.requests.WithLabelValues(values...).Add(float64(o.Count))
		h := m.duration.WithLabelValues(values...)
		for _, d := range o.Durations {
			h.Observe(d)
		}
	}
}

// PodCount is the number of serving pods of one workload on one revision.
type PodCount struct {
	Namespace, Workload, Revision string
	Pods                          int
}

// SetPods replaces the serving-pod gauge.
func (m *Metrics) SetPods(counts []PodCount) {
	m.pods.Reset()
	for _, c := range counts {
		m.pods.WithLabelValues(c.Namespace, c.Workload, c.Revision).Set(float64(c.Pods))
	}
}
