package dev.revroll.prometheus;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.revroll.gates.GateClock;
import dev.revroll.gates.GateEvaluation;
import dev.revroll.gates.GateOutcome;
import dev.revroll.gates.MetricGateRunner;
import dev.revroll.plan.Condition;
import dev.revroll.plan.OnNoData;
import dev.revroll.plan.Plan;
import dev.revroll.ports.MetricsProvider;
import dev.revroll.ports.MetricsProvider.QueryResult;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage-guided fuzzing (Jazzer) of what revroll reads from Prometheus: any HTTP status and body becomes a result,
 * never an exception, and a gate evaluating that result passes only on finite data (a failed read is INCONCLUSIVE,
 * nothing finite is NO_DATA); and the one-response adapter of the HTTP exchange ({@link SingleResponse}) settles on
 * the first signal whatever the publisher does. Inputs kept in
 * {@code src/test/resources/dev/revroll/prometheus/PrometheusResponseFuzzTestInputs/}.
 */
class PrometheusResponseFuzzTest {

    private static final Plan.MetricGateSpec GATE = new Plan.MetricGateSpec("fuzz", "q", new Condition(Condition.Operator.GT, 0.5),
            Duration.ofSeconds(1), 1, 0, OnNoData.FAIL, Optional.empty(), Optional.empty(), Optional.empty());

    @FuzzTest(maxDuration = "20s")
    void anyAnswerIsAResultAndPassesOnlyOnFiniteData(FuzzedDataProvider data) {
        int status = data.consumeInt(100, 599);
        String body = data.consumeRemainingAsString();
        QueryResult result = PrometheusResponse.parse(status, body);
        assertTrue(result.error().isPresent() || result.samples() != null);
        if (result.error().isPresent()) {
            assertTrue(result.samples().isEmpty());
            assertTrue(result.error().get().length() < 2000, "an error names what went wrong briefly");
        }
        MetricsProvider fixed = new MetricsProvider() {
            @Override
            public QueryResult query(String promql, Instant at) {
                return result;
            }

            @Override
            public boolean reachable() {
                return true;
            }

            @Override
            public String describe() {
                return "fuzz";
            }
        };
        GateEvaluation e = new MetricGateRunner(fixed, GateClock.system()).evaluateOnce(GATE, Map.of());
        boolean finite = result.samples().stream().anyMatch(s -> Double.isFinite(s.value()));
        if (result.error().isPresent()) {
            assertEquals(GateOutcome.INCONCLUSIVE, e.outcome(), e.detail());
        } else if (!finite) {
            assertEquals(GateOutcome.NO_DATA, e.outcome(), e.detail());
        } else if (result.samples().size() > 1) {
            // several series where one was expected (the gate's series: one): never a pass
            assertEquals(GateOutcome.INCONCLUSIVE, e.outcome(), e.detail());
        } else {
            assertNotEquals(GateOutcome.INCONCLUSIVE, e.outcome(), e.detail());
        }
    }

    @FuzzTest(maxDuration = "10s")
    void theResponseFutureSettlesOnTheFirstSignal(FuzzedDataProvider data) throws InterruptedException {
        byte[] script = data.consumeRemainingAsBytes();
        Publisher<String> publisher = new Publisher<>() {
            @Override
            public void subscribe(Subscriber<? super String> s) {
                Subscription sub = new Subscription() {
                    @Override
                    public void request(long n) {
                    }

                    @Override
                    public void cancel() {
                    }
                };
                s.onSubscribe(sub);
                for (byte b : script) {
                    switch (Math.floorMod(b, 4)) {
                        case 0 -> s.onNext("v" + b);
                        case 1 -> s.onError(new RuntimeException("e" + b));
                        case 2 -> s.onComplete();
                        default -> s.onSubscribe(sub);
                    }
                }
            }
        };
        CompletableFuture<String> f = SingleResponse.of(publisher);
        int firstSignal = 0;
        while (firstSignal < script.length && Math.floorMod(script[firstSignal], 4) == 3) {
            firstSignal++;
        }
        if (firstSignal == script.length) {
            assertTrue(!f.isDone(), "no signal, no answer yet");
            f.cancel(true);
            return;
        }
        assertTrue(f.isDone());
        int first = Math.floorMod(script[firstSignal], 4);
        try {
            String v = f.get();
            assertEquals(0, first);
            assertEquals("v" + script[firstSignal], v);
        } catch (ExecutionException ex) {
            assertNotEquals(0, first);
        }
    }
}
