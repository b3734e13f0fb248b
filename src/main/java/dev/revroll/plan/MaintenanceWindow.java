package dev.revroll.plan;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * When steps may start: the window opens at each time its cron names (read in its time zone) and stays open for its
 * duration (elapsed time). Daylight-saving rules: an opening that falls in a skipped hour opens when the clock
 * resumes (02:30 on the spring-forward night opens at 03:30); an opening in a repeated hour opens once, the first time.
 */
public final class MaintenanceWindow {

    /** Overlapping openings chain into one window; this bounds the chain (e.g. {@code * * * * *} for 1h is always open). */
    private static final Duration HORIZON = Duration.ofDays(366);

    private final CronSchedule schedule;
    private final Duration duration;
    private final ZoneId zone;

    private MaintenanceWindow(CronSchedule schedule, Duration duration, ZoneId zone) {
        if (duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException("a maintenance window must last longer than 0s");
        }
        this.schedule = schedule;
        this.duration = duration;
        this.zone = zone;
    }

    public static MaintenanceWindow of(Plan.Window window) {
        return of(window.cron(), window.duration(), window.timeZone());
    }

    public static MaintenanceWindow of(String cron, Duration duration, ZoneId zone) {
        return new MaintenanceWindow(CronSchedule.parse(cron), duration, zone);
    }

    public boolean isOpen(Instant now) {
        return openedAt(now).isPresent();
    }

    /** When the window that is open at {@code now} closes; empty when it is closed at {@code now}. */
    public Optional<Instant> closesAt(Instant now) {
        Optional<Instant> opened = openedAt(now);
        if (opened.isEmpty()) {
            return Optional.empty();
        }
        Instant start = opened.get();
        Instant end = start.plus(duration);
        Instant limit = now.plus(HORIZON);
        while (end.isBefore(limit)) {
            Optional<Instant> next = firstOpeningAtOrAfter(start.plusNanos(1));
            if (next.isEmpty() || next.get().isAfter(end)) {
                break;
            }
            start = next.get();
            Instant nextEnd = start.plus(duration);
            if (nextEnd.isAfter(end)) {
                end = nextEnd;
            }
        }
        return Optional.of(end);
    }

    /** {@code now} when the window is open, else the next time it opens. Empty only for a cron that never fires. */
    public Optional<Instant> nextOpening(Instant now) {
        return isOpen(now) ? Optional.of(now) : firstOpeningAtOrAfter(now);
    }

    public Duration duration() {
        return duration;
    }

    public ZoneId zone() {
        return zone;
    }

    @Override
    public String toString() {
        return "'" + schedule + "' (" + zone.getId() + ") for " + DurationText.format(duration);
    }

    /** The earliest opening {@code s} with {@code now - duration < s <= now}. */
    private Optional<Instant> openedAt(Instant now) {
        return firstOpeningAtOrAfter(now.minus(duration).plusNanos(1)).filter(s -> !s.isAfter(now));
    }

    private Optional<Instant> firstOpeningAtOrAfter(Instant t) {
        // Start a little earlier in local time: DST shifts can move an opening's instant past its local order.
        LocalDateTime local = LocalDateTime.ofInstant(t, zone).minusHours(3);
        for (int guard = 0; guard < 100_000; guard++) {
            Optional<LocalDateTime> next = schedule.nextAtOrAfter(local);
            if (next.isEmpty()) {
                return Optional.empty();
            }
            Instant at = ZonedDateTime.of(next.get(), zone).toInstant(); // gap: shifted forward; overlap: earlier offset
            if (!at.isBefore(t)) {
                return Optional.of(at);
            }
            local = next.get().plusMinutes(1);
        }
        return Optional.empty();
    }
}
