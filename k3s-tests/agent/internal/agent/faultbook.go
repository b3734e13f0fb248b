package agent

import (
	"sync"

	"revroll.dev/k3s-tests/agent/internal/fault"
)

// FaultBook holds the two fault lists the agent plays: the watched ConfigMap's and the one set on the control
// port. The loop reads their concatenation (ConfigMap first, so faults set on the port override it).
type FaultBook struct {
	mu             sync.Mutex
	fromConfigMap  fault.List
	configMapError string
	fromAPI        fault.List
	changed        func()
}

// NewFaultBook returns an empty book that calls changed after every change.
func NewFaultBook(changed func()) *FaultBook {
	return &FaultBook{fromConfigMap: fault.List{}, fromAPI: fault.List{}, changed: changed}
}

// Effective is the list the loop applies.
func (b *FaultBook) Effective() fault.List {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := append(fault.List{}, b.fromConfigMap...)
	return append(out, b.fromAPI...)
}

// API is the list set on the control port.
func (b *FaultBook) API() fault.List {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append(fault.List{}, b.fromAPI...)
}

// ConfigMap is the ConfigMap's list and the error of its last parse ("" when it parsed).
func (b *FaultBook) ConfigMap() (fault.List, string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append(fault.List{}, b.fromConfigMap...), b.configMapError
}

// SetConfigMap replaces the ConfigMap's list with the parsed text; a text that does not parse keeps the
// previous list and records the error.
func (b *FaultBook) SetConfigMap(text string) error {
	list, err := fault.Parse([]byte(text))
	b.update(func() {
		if err != nil {
			b.configMapError = err.Error()
			return
		}
		b.fromConfigMap, b.configMapError = list, ""
	})
	return err
}

// ClearConfigMap forgets the ConfigMap's list (the ConfigMap was deleted).
func (b *FaultBook) ClearConfigMap() {
	b.update(func() { b.fromConfigMap, b.configMapError = fault.List{}, "" })
}

// Put replaces the control port's list.
func (b *FaultBook) Put(list fault.List) {
	b.update(func() { b.fromAPI = append(fault.List{}, list...) })
}

// Add appends to the control port's list.
func (b *FaultBook) Add(list fault.List) { b.update(func() { b.fromAPI = append(b.fromAPI, list...) }) }

// Delete removes the control port's faults: all of them, or those of one namespace.
func (b *FaultBook) Delete(namespace string) {
	b.update(func() {
		if namespace == "" {
			b.fromAPI = fault.List{}
			return
		}
		b.fromAPI = b.fromAPI.WithoutNamespace(namespace)
	})
}

func (b *FaultBook) update(f func()) {
	b.mu.Lock()
	f()
	b.mu.Unlock()
	if b.changed != nil {
		b.changed()
	}
}
