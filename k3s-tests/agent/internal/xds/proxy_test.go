package xds

import (
	"context"
	"sync"
	"testing"
	"time"

	"revroll.dev/k3s-tests/agent/internal/fault"
)

// A lingering proxy opens the stale old stream first and the healthy new one only once the old one asked for the
// push it will never ACK; both stay open until the proxy closes.
func TestLingeringOpensTheOldStaleStreamThenTheNewHealthyOne(t *testing.T) {
	lingeringNewAfter = 10 * time.Millisecond
	var mu sync.Mutex
	var opened []fault.ProxyMode
	var oldStream *counters
	open := func(ctx context.Context, b fault.ProxyBehaviour, c *counters) {
		mu.Lock()
		opened = append(opened, b.Mode)
		if b.Mode == fault.Stale {
			oldStream = c
		}
		mu.Unlock()
		<-ctx.Done()
	}
	snapshot := func() []fault.ProxyMode {
		mu.Lock()
		defer mu.Unlock()
		return append([]fault.ProxyMode(nil), opened...)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var events counters
	done := make(chan struct{})
	go func() {
		lingering(ctx, open, &events)
		close(done)
	}()
	waitFor(t, func() bool { return len(snapshot()) == 1 })
	time.Sleep(300 * time.Millisecond)
	if got := snapshot(); len(got) != 1 || got[0] != fault.Stale {
		t.Fatalf("before the old stream went stale: %v", got)
	}
	mu.Lock()
	oldStream.nudged.Store(true)
	mu.Unlock()
	waitFor(t, func() bool { return len(snapshot()) == 2 })
	if got := snapshot(); got[1] != fault.Healthy {
		t.Fatalf("new stream: %v", got)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the proxy did not close both streams")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
