package dev.revroll.engine;

import dev.revroll.plan.MaintenanceWindow;
import dev.revroll.plan.Plan;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The step-start decision: start only when the estimate fits in what is left of the window. */
class WindowGateTest {

    /** Every day 22:00-23:00 UTC; 2026-12-24 frozen. */
    static final RunWindow NIGHTLY = RunWindow.of(MaintenanceWindow.of(new Plan.Window("0 22 * * *", Duration.ofHours(1), ZoneId.of("UTC"),
            List.of(new Plan.Freeze.Dates(LocalDate.of(2026, 12, 24), LocalDate.of(2026, 12, 24), Optional.of("christmas eve"))), Optional.empty())));

    static StepEstimator.Estimate estimate(long seconds) {
        return new StepEstimator.Estimate(Duration.ofSeconds(seconds), Duration.ZERO, Duration.ofSeconds(seconds), 1, Optional.empty(), 0);
    }

    @Test
    void startsWhenTheEstimateFitsInWhatIsLeft() {
        WindowGate.Decision d = WindowGate.decide("w/a", false, Instant.parse("2026-12-02T22:40:00Z"), NIGHTLY, estimate(20 * 60));
        assertEquals(new WindowGate.Start(Optional.of(Instant.parse("2026-12-02T23:00:00Z"))), d);
    }

    @Test
    void holdsAStepThatDoesNotFitAndNamesTheNextOpeningItFitsIn() {
        WindowGate.Decision d = WindowGate.decide("w/a", false, Instant.parse("2026-12-02T22:40:00Z"), NIGHTLY, estimate(20 * 60 + 1));
        WindowGate.Hold hold = assertInstanceOf(WindowGate.Hold.class, d);
        assertEquals("w/a", hold.hold().step());
        assertEquals(1201, hold.hold().estimateSeconds());
        assertEquals(1200L, hold.hold().leftSeconds());
        assertEquals("2026-12-02T23:00:00Z", hold.hold().closesAt());
        assertEquals("2026-12-03T22:00:00Z", hold.hold().nextOpening());
        assertTrue(hold.message().startsWith("step w/a not started: its estimate (20m1s: ") && hold.message().contains(
                "does not fit in what is left of the maintenance window (20m, it closes at 2026-12-02T23:00:00Z); "
                        + "the next opening it fits in starts at 2026-12-03T22:00:00Z"), hold.message());
    }

    @Test
    void aClosedWindowOrAFreezeHoldsAndSaysWhy() {
        WindowGate.Hold closed = assertInstanceOf(WindowGate.Hold.class,
                WindowGate.decide("w/a", false, Instant.parse("2026-12-02T12:00:00Z"), NIGHTLY, estimate(60)));
        assertTrue(closed.message().startsWith("step w/a not started: maintenance window closed; the next opening it fits in starts at 2026-12-02T22:00:00Z"),
                closed.message());
        assertNull(closed.hold().leftSeconds());
        WindowGate.Hold frozen = assertInstanceOf(WindowGate.Hold.class,
                WindowGate.decide("w/a", false, Instant.parse("2026-12-24T22:10:00Z"), NIGHTLY, estimate(60)));
        assertTrue(frozen.message().contains("freeze 2026-12-24 (christmas eve) is in force until 2026-12-25T00:00:00Z"), frozen.message());
        assertEquals("2026-12-25T22:00:00Z", frozen.hold().nextOpening());
    }

    @Test
    void aStepLongerThanAnyOpeningHasNoNextOpening() {
        WindowGate.Hold hold = assertInstanceOf(WindowGate.Hold.class,
                WindowGate.decide("w/a", false, Instant.parse("2026-12-02T22:00:00Z"), NIGHTLY, estimate(2 * 3600)));
        assertNull(hold.hold().nextOpening());
        assertTrue(hold.message().endsWith("no opening in sight is long enough for it (2h)"), hold.message());
    }

    @Test
    void aStepAlreadyBegunIsAlwaysFinished() {
        assertEquals(new WindowGate.Start(Optional.empty()),
                WindowGate.decide("w/a", true, Instant.parse("2026-12-02T12:00:00Z"), NIGHTLY, estimate(60)));
        assertEquals(new WindowGate.Start(Optional.empty()),
                WindowGate.decide("w/a", false, Instant.parse("2026-12-02T12:00:00Z"), RunWindow.ALWAYS, estimate(1_000_000)));
    }
}
