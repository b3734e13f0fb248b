package agent

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"revroll.dev/k3s-tests/agent/internal/fault"
)

// maxFaultBody bounds a PUT/POST /faults body.
const maxFaultBody = 1 << 20

// Handler serves the control port: /faults, /proxies, /healthz and /metrics.
// ready reports whether the informers have synced.
func (a *Agent) Handler(gatherer prometheus.Gatherer, ready func() bool) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(gatherer, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		if !ready() {
			http.Error(w, "informers not synced yet", http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /proxies", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, a.Proxies())
	})
	mux.HandleFunc("GET /faults", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("source") {
		case "api":
			writeJSON(w, http.StatusOK, a.faults.API())
		case "configmap":
			list, parseErr := a.faults.ConfigMap()
			writeJSON(w, http.StatusOK, map[string]any{"faults": list, "error": parseErr})
		default:
			writeJSON(w, http.StatusOK, a.faults.Effective())
		}
	})
	mux.HandleFunc("PUT /faults", a.faultsBody(a.faults.Put))
	mux.HandleFunc("POST /faults", a.faultsBody(a.faults.Add))
	mux.HandleFunc("DELETE /faults", func(w http.ResponseWriter, r *http.Request) {
		a.faults.Delete(r.URL.Query().Get("namespace"))
		writeJSON(w, http.StatusOK, a.faults.Effective())
	})
	return mux
}

func (a *Agent) faultsBody(apply func(fault.List)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxFaultBody))
		if err != nil {
			http.Error(w, fmt.Sprintf("reading body: %v", err), http.StatusBadRequest)
			return
		}
		list, err := fault.Parse(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		apply(list)
		writeJSON(w, http.StatusOK, a.faults.Effective())
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
