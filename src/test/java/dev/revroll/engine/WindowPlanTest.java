package dev.revroll.engine;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What preview shows: the openings a plan needs at its estimate, with the steps in each. */
class WindowPlanTest {

    static WindowPlan.Step step(String id, long minutes) {
        return new WindowPlan.Step(id, Duration.ofMinutes(minutes));
    }

    @Test
    void stepsGoInOrderIntoTheOpeningsTheyFitIn() {
        RunWindow nightly = WindowGateTest.NIGHTLY; // 22:00-23:00 UTC, 2026-12-24 frozen
        WindowPlan.Layout layout = WindowPlan.of(nightly, Instant.parse("2026-12-22T22:30:00Z"), List.of(
                new WindowPlan.Wave("canary", List.of(step("canary/a", 20)), 1),
                new WindowPlan.Wave("shop", List.of(step("shop/b", 20), step("shop/c", 30), step("shop/d", 25)), 2),
                new WindowPlan.Wave("huge", List.of(step("huge/e", 90)), 1)));
        // 22:30 + 20m canary/a; shop/b + shop/c together need 30m: not in the 10m left → 12-23 22:00; shop/d at 22:30;
        // 12-24 is frozen; huge/e (90m) fits in no opening
        assertEquals(2, layout.slots().size());
        assertEquals(Instant.parse("2026-12-22T22:30:00Z"), layout.slots().get(0).opening().start());
        assertEquals(List.of("canary/a"), layout.slots().get(0).steps().stream().map(WindowPlan.Placed::id).toList());
        assertEquals(List.of("shop/b", "shop/c", "shop/d"), layout.slots().get(1).steps().stream().map(WindowPlan.Placed::id).toList());
        assertEquals(Instant.parse("2026-12-23T22:30:00Z"), layout.slots().get(1).steps().get(2).startsAt());
        assertEquals(List.of("huge/e"), layout.unplaced().stream().map(WindowPlan.Step::id).toList());
        assertEquals(Duration.ofMinutes(20 + 30 + 25 + 90), layout.total());
    }

    @Test
    void withoutAWindowEverythingGoesInOneOpening() {
        WindowPlan.Layout layout = WindowPlan.of(RunWindow.ALWAYS, Instant.parse("2026-12-22T12:00:00Z"),
                List.of(new WindowPlan.Wave("w", List.of(step("w/a", 20), step("w/b", 20)), 1)));
        assertEquals(1, layout.slots().size());
        assertEquals(Instant.parse("2026-12-22T12:20:00Z"), layout.slots().get(0).steps().get(1).startsAt());
    }
}
