package dev.revroll.plan;

import org.junit.jupiter.api.Test;

import java.time.LocalDateTime;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CronScheduleTest {

    private static LocalDateTime t(String s) {
        return LocalDateTime.parse(s);
    }

    @Test
    void rangesListsStepsAndNames() {
        CronSchedule c = CronSchedule.parse("*/15 8-18/2 * JAN,jul mon-FRI");
        assertTrue(c.matches(t("2026-01-05T08:45"))); // Monday
        assertFalse(c.matches(t("2026-01-05T09:00"))); // odd hour
        assertFalse(c.matches(t("2026-01-05T08:10"))); // not a quarter
        assertFalse(c.matches(t("2026-01-03T08:00"))); // Saturday
        assertFalse(c.matches(t("2026-02-02T08:00"))); // February
        assertTrue(c.matches(t("2026-07-31T18:30"))); // Friday in July
    }

    @Test
    void sundayIsZeroOrSeven() {
        assertTrue(CronSchedule.parse("0 0 * * 7").matches(t("2026-01-04T00:00")));
        assertTrue(CronSchedule.parse("0 0 * * 0").matches(t("2026-01-04T00:00")));
        assertTrue(CronSchedule.parse("0 0 * * SUN").matches(t("2026-01-04T00:00")));
        assertTrue(CronSchedule.parse("0 0 * * 5-7").matches(t("2026-01-04T00:00")));
    }

    @Test
    void bothDayFieldsRestrictedMeansEither() {
        CronSchedule c = CronSchedule.parse("0 0 13 * FRI");
        assertTrue(c.matches(t("2026-02-13T00:00"))); // Friday the 13th
        assertTrue(c.matches(t("2026-01-13T00:00"))); // a Tuesday the 13th
        assertTrue(c.matches(t("2026-01-02T00:00"))); // a Friday the 2nd
        assertFalse(c.matches(t("2026-01-03T00:00")));
        CronSchedule star = CronSchedule.parse("0 0 */2 * FRI"); // day-of-month starts with *: both must hold
        assertTrue(star.matches(t("2026-01-09T00:00")));
        assertFalse(star.matches(t("2026-01-02T00:00"))); // a Friday, but an even day
        assertFalse(star.matches(t("2026-01-11T00:00"))); // an odd day, but a Sunday
    }

    @Test
    void nextAtOrAfter() {
        CronSchedule c = CronSchedule.parse("30 2 29 2 *");
        assertEquals(Optional.of(t("2028-02-29T02:30")), c.nextAtOrAfter(t("2026-03-01T00:00")));
        assertEquals(Optional.of(t("2026-01-01T00:01")), CronSchedule.parse("* * * * *").nextAtOrAfter(t("2026-01-01T00:00:30")));
        assertTrue(c.everMatches());
        assertFalse(CronSchedule.parse("0 0 30 2 *").everMatches());
    }

    @Test
    void errorsNameTheFieldAndTheValidRange() {
        assertEquals("cron '60 * * * *': '60' is not a valid minute (0-59)",
                assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse("60 * * * *")).getMessage());
        assertEquals("cron '0 0 * FOO *': 'FOO' is not a valid month (1-12 or JAN-DEC)",
                assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse("0 0 * FOO *")).getMessage());
        assertEquals("cron '0 0 * * 5-1': day-of-week range '5-1' goes backwards",
                assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse("0 0 * * 5-1")).getMessage());
        assertEquals("cron '*/0 * * * *': '0' is not a valid minute step (a number from 1 to 59)",
                assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse("*/0 * * * *")).getMessage());
        assertEquals("'@daily' has 1 fields; a cron has 5: minute hour day-of-month month day-of-week, e.g. \"0 22 * * 1-4\"",
                assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse("@daily")).getMessage());
    }
}
