package dev.revroll.plan;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Freeze periods cut the maintenance window: nothing starts in one, and an opening ends where one begins. */
class FreezeTest {

    private static final ZoneId OSLO = ZoneId.of("Europe/Oslo");

    private static Instant at(String iso) {
        return Instant.parse(iso);
    }

    private static MaintenanceWindow nightly(Plan.Freeze... freezes) {
        // every night 22:00-02:00 Oslo time
        return MaintenanceWindow.of(new Plan.Window("0 22 * * *", Duration.ofHours(4), OSLO, List.of(freezes), Optional.empty()));
    }

    @Test
    void datesAreWholeDaysInTheWindowsTimeZoneBothEndsIncluded() {
        MaintenanceWindow w = nightly(new Plan.Freeze.Dates(LocalDate.of(2026, 12, 20), LocalDate.of(2027, 1, 4), Optional.of("year end")));
        // 2026-12-19 22:00 Oslo (21:00Z) opens; the freeze begins 2026-12-20 00:00 Oslo (2026-12-19T23:00Z) and cuts it short
        assertTrue(w.isOpen(at("2026-12-19T21:00:00Z")));
        assertEquals(Optional.of(at("2026-12-19T23:00:00Z")), w.closesAt(at("2026-12-19T21:30:00Z")));
        assertFalse(w.isOpen(at("2026-12-19T23:00:00Z")));
        assertFalse(w.isOpen(at("2027-01-04T21:30:00Z")), "the last day is frozen too, until 2027-01-05 00:00 Oslo");
        MaintenanceWindow.Frozen frozen = w.frozenAt(at("2026-12-25T21:00:00Z")).orElseThrow();
        assertEquals(at("2027-01-04T23:00:00Z"), frozen.until());
        assertEquals("freeze 2026-12-20..2027-01-04 (year end)", MaintenanceWindow.describe(frozen.freeze()));
        // the night of 2027-01-04 opens at 22:00 but is frozen until midnight; it opens at the freeze's end, 00:00 Oslo
        assertEquals(Optional.of(at("2027-01-04T23:00:00Z")), w.nextOpening(at("2026-12-21T12:00:00Z")));
        assertEquals(Optional.of(at("2027-01-05T01:00:00Z")), w.closesAt(at("2027-01-04T23:00:00Z")));
    }

    @Test
    void periodFromToWithOffsetsEndExcluded() {
        Plan.Freeze p = new Plan.Freeze.Period(ZonedDateTime.parse("2026-11-26T18:00:00-05:00"), ZonedDateTime.parse("2026-11-30T06:00:00-05:00"),
                Optional.empty());
        MaintenanceWindow w = nightly(p);
        assertFalse(w.isOpen(at("2026-11-27T21:30:00Z")));
        // 2026-11-30T06:00-05:00 = 11:00Z: that night's window (21:00Z) opens as usual
        assertEquals(Optional.of(at("2026-11-30T21:00:00Z")), w.nextOpening(at("2026-11-27T21:30:00Z")));
        // the night before the freeze: open until the freeze begins (23:00Z), not until 01:00Z
        assertEquals(Optional.of(at("2026-11-26T23:00:00Z")), w.closesAt(at("2026-11-26T21:10:00Z")));
    }

    @Test
    void recurringFreezeEachTimeItsCronNames() {
        // every night 23:00-23:30 Oslo is frozen (a backup job): the window opens 22:00-23:00 and 23:30-02:00
        MaintenanceWindow w = nightly(new Plan.Freeze.Recurring("0 23 * * *", Duration.ofMinutes(30), Optional.of("backup")));
        Instant opens = at("2026-01-14T21:00:00Z");
        assertEquals(List.of(new MaintenanceWindow.Opening(opens, at("2026-01-14T22:00:00Z")),
                        new MaintenanceWindow.Opening(at("2026-01-14T22:30:00Z"), at("2026-01-15T01:00:00Z")),
                        new MaintenanceWindow.Opening(at("2026-01-15T21:00:00Z"), at("2026-01-15T22:00:00Z"))),
                w.openings(at("2026-01-14T20:00:00Z"), 3));
        assertEquals(Optional.of(at("2026-01-14T22:30:00Z")), w.frozenAt(at("2026-01-14T22:10:00Z")).map(MaintenanceWindow.Frozen::until));
        assertEquals(Optional.of(at("2026-01-14T22:30:00Z")), w.nextOpening(at("2026-01-14T22:10:00Z")));
    }

    @Test
    void openingsStartNowWhenOpenAndTheLongestOpeningIgnoresFreezes() {
        MaintenanceWindow w = nightly(new Plan.Freeze.Recurring("0 23 * * *", Duration.ofMinutes(30), Optional.empty()));
        assertEquals(at("2026-01-14T21:40:00Z"), w.openings(at("2026-01-14T21:40:00Z"), 1).get(0).start());
        assertEquals(Duration.ofHours(4), w.longestOpening(at("2026-01-14T12:00:00Z"), 10));
        // openings that overlap chain into one: every minute for 2h is always open (said to close a month ahead)
        assertEquals(Duration.ofDays(31), MaintenanceWindow.of("* * * * *", Duration.ofHours(2), ZoneId.of("UTC"))
                .longestOpening(at("2026-01-14T12:00:00Z"), 10));
        assertEquals(Duration.ofSeconds(40), MaintenanceWindow.of("* * * * *", Duration.ofSeconds(40), ZoneId.of("UTC"))
                .longestOpening(at("2026-01-14T12:00:00Z"), 10));
    }

    @Test
    void aFrozenWindowThatNeverOpensAgainHasNoNextOpening() {
        MaintenanceWindow w = MaintenanceWindow.of(new Plan.Window("0 22 1 1 *", Duration.ofHours(1), ZoneId.of("UTC"),
                List.of(new Plan.Freeze.Recurring("0 0 1 1 *", Duration.ofDays(1), Optional.empty())), Optional.empty()));
        assertEquals(Optional.empty(), w.nextOpening(at("2026-06-01T00:00:00Z")));
    }
}
