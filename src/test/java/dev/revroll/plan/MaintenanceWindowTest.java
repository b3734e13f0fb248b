package dev.revroll.plan;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MaintenanceWindowTest {

    private static final ZoneId OSLO = ZoneId.of("Europe/Oslo");

    private static Instant at(String isoInstant) {
        return Instant.parse(isoInstant);
    }

    @Test
    void weekdayEveningWindowInWinterAndSummer() {
        MaintenanceWindow w = MaintenanceWindow.of("0 22 * * 1-4", Duration.ofHours(4), OSLO);
        // Wednesday 2026-01-14, 22:00 Oslo = 21:00Z (CET, +01:00)
        assertFalse(w.isOpen(at("2026-01-14T20:59:59Z")));
        assertTrue(w.isOpen(at("2026-01-14T21:00:00Z")));
        assertEquals(Optional.of(at("2026-01-15T01:00:00Z")), w.closesAt(at("2026-01-14T23:30:00Z")));
        assertTrue(w.isOpen(at("2026-01-15T00:59:59Z")));
        assertFalse(w.isOpen(at("2026-01-15T01:00:00Z")));
        assertEquals(Optional.empty(), w.closesAt(at("2026-01-15T01:00:00Z")));
        // Wednesday 2026-07-15, 22:00 Oslo = 20:00Z (CEST, +02:00)
        assertTrue(w.isOpen(at("2026-07-15T20:00:00Z")));
        assertFalse(w.isOpen(at("2026-07-15T19:59:00Z")));
    }

    @Test
    void aWindowOfFreezesOnlyIsOpenExceptWhileOneIsInForce() {
        Plan.Freeze yearEnd = new Plan.Freeze.Dates(java.time.LocalDate.of(2026, 12, 20), java.time.LocalDate.of(2027, 1, 4), Optional.of("year end"));
        MaintenanceWindow w = MaintenanceWindow.of(new Plan.Window(Optional.empty(), OSLO, java.util.List.of(yearEnd), Optional.empty()));
        // open now, until the freeze begins (2026-12-20 00:00 Oslo = 2026-12-19T23:00Z)
        assertTrue(w.isOpen(at("2026-12-01T12:00:00Z")));
        assertEquals(Optional.of(at("2026-12-19T23:00:00Z")), w.closesAt(at("2026-12-01T12:00:00Z")));
        assertEquals(Optional.of(at("2026-12-01T12:00:00Z")), w.nextOpening(at("2026-12-01T12:00:00Z")));
        // closed in the freeze; opens again when it ends (the day after 2027-01-04, Oslo)
        assertFalse(w.isOpen(at("2026-12-24T12:00:00Z")));
        assertEquals(Optional.empty(), w.closesAt(at("2026-12-24T12:00:00Z")));
        assertEquals(Optional.of(at("2027-01-04T23:00:00Z")), w.nextOpening(at("2026-12-24T12:00:00Z")));
        // after the freeze: open, and no freeze ahead, so as far as the window looks (31 days)
        assertTrue(w.isOpen(at("2027-02-01T00:00:00Z")));
        assertEquals(Optional.of(at("2027-03-04T00:00:00Z")), w.closesAt(at("2027-02-01T00:00:00Z")));
        assertEquals(Duration.ofDays(31), w.longestOpening(at("2026-12-01T00:00:00Z"), 10));
        assertEquals("open but for 1 freeze (Europe/Oslo)", w.toString());
        // openings: now until the freeze, then from its end on
        assertEquals(at("2026-12-19T23:00:00Z"), w.openings(at("2026-12-01T12:00:00Z"), 2).get(0).end());
        assertEquals(at("2027-01-04T23:00:00Z"), w.openings(at("2026-12-01T12:00:00Z"), 2).get(1).start());
    }

    @Test
    void nextOpeningSkipsFridayToMonday() {
        MaintenanceWindow w = MaintenanceWindow.of("0 22 * * MON-THU", Duration.ofHours(4), OSLO);
        // Friday 2026-01-16 12:00Z: next opening is Monday 2026-01-19 22:00 Oslo = 21:00Z
        assertEquals(Optional.of(at("2026-01-19T21:00:00Z")), w.nextOpening(at("2026-01-16T12:00:00Z")));
        // Thursday night after midnight, still open: nextOpening is now
        Instant open = at("2026-01-16T00:30:00Z");
        assertTrue(w.isOpen(open));
        assertEquals(Optional.of(open), w.nextOpening(open));
    }

    @Test
    void springForwardOpeningInTheSkippedHourOpensWhenTheClockResumes() {
        // 2026-03-29: Oslo clocks jump from 02:00 CET to 03:00 CEST; 02:30 does not exist.
        MaintenanceWindow w = MaintenanceWindow.of("30 2 * * *", Duration.ofMinutes(60), OSLO);
        Instant opening = w.nextOpening(at("2026-03-28T23:00:00Z")).orElseThrow();
        assertEquals(at("2026-03-29T01:30:00Z"), opening); // 03:30 CEST
        assertEquals(LocalDateTime.of(2026, 3, 29, 3, 30), LocalDateTime.ofInstant(opening, OSLO));
        assertEquals(Optional.of(at("2026-03-29T02:30:00Z")), w.closesAt(opening));
        // the day before and after at 02:30 local
        assertEquals(Optional.of(at("2026-03-28T01:30:00Z")), w.nextOpening(at("2026-03-28T00:00:00Z"))); // 02:30 CET
        assertEquals(Optional.of(at("2026-03-30T00:30:00Z")), w.nextOpening(at("2026-03-29T03:00:00Z"))); // 02:30 CEST
    }

    @Test
    void fallBackOpeningInTheRepeatedHourOpensOnce() {
        // 2026-10-25: Oslo clocks go from 03:00 CEST back to 02:00 CET; 02:30 happens twice.
        MaintenanceWindow w = MaintenanceWindow.of("30 2 * * *", Duration.ofMinutes(30), OSLO);
        assertEquals(Optional.of(at("2026-10-25T00:30:00Z")), w.nextOpening(at("2026-10-24T22:00:00Z"))); // first 02:30 (CEST)
        assertTrue(w.isOpen(at("2026-10-25T00:45:00Z")));
        assertFalse(w.isOpen(at("2026-10-25T01:45:00Z"))); // second 02:45 (CET): not a new opening
        assertEquals(Optional.of(at("2026-10-26T01:30:00Z")), w.nextOpening(at("2026-10-25T01:00:00Z"))); // next day 02:30 CET
    }

    @Test
    void windowAcrossTheFallBackNightLastsElapsedTime() {
        MaintenanceWindow w = MaintenanceWindow.of("0 1 * * *", Duration.ofHours(3), OSLO);
        // 01:00 CEST = 23:00Z; 3h later is 02:00Z = 03:00 CET (the local clock shows only 2h passed)
        assertEquals(Optional.of(at("2026-10-25T02:00:00Z")), w.closesAt(at("2026-10-24T23:00:00Z")));
    }

    @Test
    void overlappingOpeningsChainIntoOneWindow() {
        MaintenanceWindow w = MaintenanceWindow.of("0 */2 * * *", Duration.ofHours(3), ZoneId.of("UTC"));
        // opens every 2h for 3h: always open, the chain reaches the horizon (31 days, longer than any step)
        assertTrue(w.isOpen(at("2026-05-01T01:00:00Z")));
        Instant close = w.closesAt(at("2026-05-01T01:00:00Z")).orElseThrow();
        assertEquals(at("2026-06-01T01:00:00Z"), close);
        MaintenanceWindow business = MaintenanceWindow.of("0 9-11 * * *", Duration.ofMinutes(90), ZoneId.of("UTC"));
        assertEquals(Optional.of(at("2026-05-01T12:30:00Z")), business.closesAt(at("2026-05-01T09:10:00Z")));
    }

    @Test
    void fromPlanWindow() {
        MaintenanceWindow w = MaintenanceWindow.of(new Plan.Window("0 22 * * 1-4", Duration.ofHours(4), OSLO));
        assertEquals("'0 22 * * 1-4' (Europe/Oslo) for 4h", w.toString());
        assertThrows(IllegalArgumentException.class, () -> MaintenanceWindow.of("0 22 * * *", Duration.ZERO, OSLO));
    }
}
