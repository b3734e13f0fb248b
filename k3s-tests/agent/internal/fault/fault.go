// Package fault holds the faults the mesh agent plays: plain data, read by the agent's one loop.
//
// A fault selects pods by namespace, workload and the revision their sidecar was injected by (empty = any) and
// says how their proxy misbehaves towards istiod and how their traffic looks. A fault with a revision applies
// to a pod only while that pod runs that revision, so it appears once pods move there and vanishes when they
// move back.
package fault

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// ProxyMode is how a proxy behaves on its xDS stream.
type ProxyMode string

const (
	// Healthy subscribes CDS and LDS (RDS and EDS follow) and ACKs every push.
	Healthy ProxyMode = ""
	// Stale ACKs the first push of each type, then never ACKs again: istiod shows STALE.
	Stale ProxyMode = "stale"
	// NotSent never subscribes the types in NotSentTypes: istiod shows NOT SENT for them.
	NotSent ProxyMode = "notsent"
	// Disconnected opens no stream at all: the proxy is missing from istiod's syncz.
	Disconnected ProxyMode = "disconnected"
	// Slow ACKs every push only after SlowSeconds.
	Slow ProxyMode = "slow"
	// NeverAck subscribes the types in NeverAckTypes but never ACKs them: istiod shows them sent and never
	// acknowledged (STALE).
	NeverAck ProxyMode = "neverack"
	// Lingering keeps a second ADS stream for the same node id, as a reconnect whose old stream was never closed:
	// the old stream ACKs only the first push of each type (stale), the new one every push, so istiod's syncz
	// lists the proxy twice, STALE and SYNCED.
	Lingering ProxyMode = "lingering"
)

// xDS type short names accepted in notSentTypes and neverAckTypes.
var typeNames = []string{"cds", "eds", "lds", "rds", "ecds"}

// Fault is one entry of the fault list (the ConfigMap key faults.yaml, or the body of PUT /faults).
type Fault struct {
	Namespace    string    `json:"namespace,omitempty"`
	Revision     string    `json:"revision,omitempty"`
	Workload     string    `json:"workload,omitempty"`
	Proxy        ProxyMode `json:"proxy,omitempty"`
	SlowSeconds  float64   `json:"slowSeconds,omitempty"`
	NotSentTypes []string  `json:"notSentTypes,omitempty"`
	// NeverAckTypes are the types a neverack proxy requests and never ACKs.
	NeverAckTypes []string `json:"neverAckTypes,omitempty"`
	// ErrorRate is the share of requests (0..1) answered with ResponseCode / ResponseFlags.
	ErrorRate     *float64 `json:"errorRate,omitempty"`
	ResponseCode  int      `json:"responseCode,omitempty"`
	ResponseFlags string   `json:"responseFlags,omitempty"`
	// LatencyMs is added to every request's duration.
	LatencyMs *float64 `json:"latencyMs,omitempty"`
}

// Target is what a fault is matched against: one pod.
type Target struct {
	Namespace string
	Workload  string
	Revision  string
}

// Matches reports whether the fault selects the target.
func (f Fault) Matches(t Target) bool {
	return (f.Namespace == "" || f.Namespace == t.Namespace) &&
		(f.Workload == "" || f.Workload == t.Workload) &&
		(f.Revision == "" || f.Revision == t.Revision)
}

// List is an ordered fault list. Later entries override the fields earlier ones set.
type List []Fault

// ProxyBehaviour is the effective xDS behaviour of one proxy. It is comparable: a change restarts the stream.
type ProxyBehaviour struct {
	Mode    ProxyMode
	SlowFor time.Duration
	// NotSent holds the short type names (cds, eds, lds, rds, ecds) never subscribed, sorted, comma-joined.
	NotSent string
	// NeverAck holds the short type names subscribed but never ACKed, sorted, comma-joined.
	NeverAck string
}

// NotSentTypes returns the short type names of NotSent.
func (b ProxyBehaviour) NotSentTypes() []string { return splitTypes(b.NotSent) }

// NeverAckTypes returns the short type names of NeverAck.
func (b ProxyBehaviour) NeverAckTypes() []string { return splitTypes(b.NeverAck) }

func splitTypes(joined string) []string {
	if joined == "" {
		return nil
	}
	return strings.Split(joined, ",")
}

// joinTypes is the comparable form of a type list: lower case, sorted, comma-joined.
func joinTypes(types []string) string {
	out := append([]string(nil), types...)
	for i := range out {
		out[i] = strings.ToLower(out[i])
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

func (b ProxyBehaviour) String() string {
	switch b.Mode {
	case Healthy:
		return "healthy"
	case Slow:
		return fmt.Sprintf("slow(%s)", b.SlowFor)
	case NotSent:
		return fmt.Sprintf("notsent(%s)", b.NotSent)
	case NeverAck:
		return fmt.Sprintf("neverack(%s)", b.NeverAck)
	default:
		return string(b.Mode)
	}
}

// TrafficEffect is the effective traffic behaviour of one pod.
type TrafficEffect struct {
	ErrorRate     float64
	ResponseCode  int
	ResponseFlags string
	LatencyMs     float64
}

// Effect is everything the fault list does to one pod.
type Effect struct {
	Proxy   ProxyBehaviour
	Traffic TrafficEffect
}

// DefaultErrorCode is the response code of failed requests when a fault gives none.
const DefaultErrorCode = 503

// EffectOn merges, in list order, every fault that matches the target.
func (l List) EffectOn(t Target) Effect {
	e := Effect{Traffic: TrafficEffect{ResponseCode: DefaultErrorCode, ResponseFlags: "-"}}
	for _, f := range l {
		if !f.Matches(t) {
			continue
		}
		if f.Proxy != Healthy || f.SlowSeconds > 0 || len(f.NotSentTypes) > 0 || len(f.NeverAckTypes) > 0 {
			e.Proxy = f.proxyBehaviour()
		}
		if f.ErrorRate != nil {
			e.Traffic.ErrorRate = *f.ErrorRate
		}
		if f.ResponseCode != 0 {
			e.Traffic.ResponseCode = f.ResponseCode
		}
		if f.ResponseFlags != "" {
			e.Traffic.ResponseFlags = f.ResponseFlags
		}
		if f.LatencyMs != nil {
			e.Traffic.LatencyMs = *f.LatencyMs
		}
	}
	return e
}

func (f Fault) proxyBehaviour() ProxyBehaviour {
	b := ProxyBehaviour{Mode: f.Proxy}
	switch f.Proxy {
	case Slow:
		b.SlowFor = time.Duration(f.SlowSeconds * float64(time.Second))
	case NotSent:
		b.NotSent = joinTypes(f.NotSentTypes)
	case NeverAck:
		b.NeverAck = joinTypes(f.NeverAckTypes)
	}
	return b
}

// Parse reads a fault list from YAML or JSON: either a list, or an object with the list under "faults".
// Unknown fields and invalid values are errors that name the entry.
func Parse(data []byte) (List, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return List{}, nil
	}
	jsonData, err := yaml.YAMLToJSON(trimmed)
	if err != nil {
		return nil, fmt.Errorf("faults are not valid YAML or JSON: %w", err)
	}
	var list List
	if bytes.HasPrefix(bytes.TrimSpace(jsonData), []byte("{")) {
		var doc struct {
			Faults List `json:"faults"`
		}
		if err := strictUnmarshal(jsonData, &doc); err != nil {
			return nil, err
		}
		list = doc.Faults
	} else if err := strictUnmarshal(jsonData, &list); err != nil {
		return nil, err
	}
	if list == nil {
		list = List{}
	}
	return list, list.Validate()
}

// strictUnmarshal decodes case-sensitively and refuses unknown or duplicate fields: a misspelt key is an
// error, never a fault silently not played.
func strictUnmarshal(data []byte, into any) error {
	strict, err := kjson.UnmarshalStrict(data, into)
	if err == nil && len(strict) > 0 {
		err = errors.Join(strict...)
	}
	if err != nil {
		return fmt.Errorf("faults: %w (expected a list of {namespace, revision, workload, proxy, slowSeconds, "+
			"notSentTypes, neverAckTypes, errorRate, responseCode, responseFlags, latencyMs})", err)
	}
	return nil
}

// Validate checks every entry and names the first bad one.
func (l List) Validate() error {
	for i, f := range l {
		if err := f.validate(); err != nil {
			return fmt.Errorf("faults[%d]: %w", i, err)
		}
	}
	return nil
}

func (f Fault) validate() error {
	switch f.Proxy {
	case Healthy, Stale, Disconnected, Lingering:
	case Slow:
		if f.SlowSeconds <= 0 {
			return fmt.Errorf("proxy: slow needs slowSeconds > 0")
		}
	case NotSent:
		if len(f.NotSentTypes) == 0 {
			return fmt.Errorf("proxy: notsent needs notSentTypes (any of %s)", strings.Join(typeNames, ", "))
		}
	case NeverAck:
		if len(f.NeverAckTypes) == 0 {
			return fmt.Errorf("proxy: neverack needs neverAckTypes (any of %s)", strings.Join(typeNames, ", "))
		}
	default:
		return fmt.Errorf("proxy: %q is not one of stale, notsent, neverack, lingering, disconnected, slow", f.Proxy)
	}
	if f.SlowSeconds != 0 && f.Proxy != Slow {
		return fmt.Errorf("slowSeconds only goes with proxy: slow")
	}
	if len(f.NotSentTypes) > 0 && f.Proxy != NotSent {
		return fmt.Errorf("notSentTypes only goes with proxy: notsent")
	}
	if len(f.NeverAckTypes) > 0 && f.Proxy != NeverAck {
		return fmt.Errorf("neverAckTypes only goes with proxy: neverack")
	}
	for field, types := range map[string][]string{"notSentTypes": f.NotSentTypes, "neverAckTypes": f.NeverAckTypes} {
		for _, t := range types {
			if !knownType(strings.ToLower(t)) {
				return fmt.Errorf("%s: %q is not one of %s", field, t, strings.Join(typeNames, ", "))
			}
		}
	}
	if f.ErrorRate != nil && (*f.ErrorRate < 0 || *f.ErrorRate > 1) {
		return fmt.Errorf("errorRate: %v is not between 0 and 1", *f.ErrorRate)
	}
	if f.ResponseCode != 0 && (f.ResponseCode < 100 || f.ResponseCode > 599) {
		return fmt.Errorf("responseCode: %d is not an HTTP status code", f.ResponseCode)
	}
	if f.LatencyMs != nil && *f.LatencyMs < 0 {
		return fmt.Errorf("latencyMs: %v is negative", *f.LatencyMs)
	}
	return nil
}

func knownType(t string) bool {
	for _, n := range typeNames {
		if n == t {
			return true
		}
	}
	return false
}

// WithoutNamespace returns the list minus the faults whose namespace is ns.
func (l List) WithoutNamespace(ns string) List {
	out := List{}
	for _, f := range l {
		if f.Namespace != ns {
			out = append(out, f)
		}
	}
	return out
}
