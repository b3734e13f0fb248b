package dev.revroll.plan;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * When steps may start: the window opens at each time its cron names (read in its time zone) and stays open for its
 * duration (elapsed time), except during its freezes, in which nothing starts. A freeze cuts an opening short: the
 * window is open until the next freeze begins, and opens again when the freeze ends if the cron's opening still lasts.
 * Daylight-saving rules: an opening that falls in a skipped hour opens when the clock resumes (02:30 on the
 * spring-forward night opens at 03:30); an opening in a repeated hour opens once, the first time. A window of freezes
 * only (no cron) is open whenever no freeze is in force.
 */
public final class MaintenanceWindow {

    /**
     * Overlapping openings chain into one window; this bounds the chain (e.g. {@code * * * * *} for 1h is always open,
     * and is said to close 31 days ahead, longer than any step).
     */
    private static final Duration HORIZON = Duration.ofDays(31);
    /** How far ahead {@link #nextOpening} looks for the window to open (past closed stretches and freezes). */
    private static final Duration LOOK_AHEAD = Duration.ofDays(4 * 366);
    /** How many times {@link #nextOpening} steps over a closed stretch or a freeze before it gives up. */
    private static final int STEPS = 10_000;

    /** Empty: always open, but for the freezes. */
    private final Optional<Recurrence> window;
    private final ZoneId zone;
    private final List<Blackout> freezes;

    private MaintenanceWindow(Optional<Recurrence> window, ZoneId zone, List<Blackout> freezes) {
        this.window = window;
        this.zone = zone;
        this.freezes = freezes;
    }

    public static MaintenanceWindow of(Plan.Window window) {
        List<Blackout> freezes = new ArrayList<>();
        for (Plan.Freeze f : window.freezes()) {
            freezes.add(blackout(f, window.timeZone()));
        }
        return new MaintenanceWindow(window.opens().map(o -> new Recurrence(CronSchedule.parse(o.cron()), o.duration(), window.timeZone())),
                window.timeZone(), List.copyOf(freezes));
    }

    public static MaintenanceWindow of(String cron, Duration duration, ZoneId zone) {
        return new MaintenanceWindow(Optional.of(new Recurrence(CronSchedule.parse(cron), duration, zone)), zone, List.of());
    }

    /** The start of the opening in force at {@code now} ({@code now} itself for a window of freezes only), if any. */
    private Optional<Instant> openedAt(Instant now) {
        return window.isEmpty() ? Optional.of(now) : window.get().openedAt(now);
    }

    /** A freeze that covers an instant: which one, and until when nothing starts. */
    public record Frozen(Plan.Freeze freeze, Instant until) {
    }

    public boolean isOpen(Instant now) {
        return frozenAt(now).isEmpty() && openedAt(now).isPresent();
    }

    /** The freeze in force at {@code now} (the one that lasts longest when several are), if any. */
    public Optional<Frozen> frozenAt(Instant now) {
        Frozen found = null;
        for (Blackout b : freezes) {
            Optional<Instant> end = b.coveringEnd(now);
            if (end.isPresent() && (found == null || end.get().isAfter(found.until()))) {
                found = new Frozen(b.freeze(), end.get());
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * When the window that is open at {@code now} closes: its (chained) opening's end, or the start of the next freeze
     * if that comes first; empty when it is closed (or frozen) at {@code now}.
     */
    public Optional<Instant> closesAt(Instant now) {
        if (frozenAt(now).isPresent()) {
            return Optional.empty();
        }
        return openedAt(now).map(start -> {
            Instant end = window.map(w -> w.chainEnd(start, now)).orElse(now.plus(HORIZON));
            for (Blackout b : freezes) {
                Optional<Instant> next = b.nextStart(now);
                if (next.isPresent() && next.get().isBefore(end)) {
                    end = next.get();
                }
            }
            return end;
        });
    }

    /** {@code now} when the window is open, else the next time it opens (freezes skipped). Empty when it never does. */
    public Optional<Instant> nextOpening(Instant now) {
        Instant t = now;
        Instant limit = now.plus(LOOK_AHEAD);
        for (int i = 0; i < STEPS && !t.isAfter(limit); i++) {
            Optional<Frozen> frozen = frozenAt(t);
            if (frozen.isPresent()) {
                t = frozen.get().until();
                continue;
            }
            if (openedAt(t).isPresent()) {
                return Optional.of(t);
            }
            Optional<Instant> next = window.get().firstStartAtOrAfter(t); // a window of freezes only is open when not frozen
            if (next.isEmpty()) {
                return Optional.empty();
            }
            t = next.get();
        }
        return Optional.empty();
    }

    /** An opening: from when to when steps may start (freezes already cut out). */
    public record Opening(Instant start, Instant end) {
        public Duration length() {
            return Duration.between(start, end);
        }
    }

    /** The next {@code max} openings from {@code from} on (the first one is the one open now, from now, if it is). */
    public List<Opening> openings(Instant from, int max) {
        List<Opening> out = new ArrayList<>();
        Instant t = from;
        while (out.size() < max) {
            Optional<Instant> start = nextOpening(t);
            if (start.isEmpty()) {
                break;
            }
            Optional<Instant> end = closesAt(start.get());
            if (end.isEmpty() || !end.get().isAfter(start.get())) {
                break;
            }
            out.add(new Opening(start.get(), end.get()));
            t = end.get();
        }
        return out;
    }

    /**
     * The longest the window stays open in one piece over its next {@code count} openings from {@code from}, freezes
     * left aside (they only make it shorter); what {@code validate} compares a step's estimate with.
     */
    public Duration longestOpening(Instant from, int count) {
        if (window.isEmpty()) {
            return HORIZON;
        }
        Recurrence window = this.window.get();
        Duration longest = Duration.ZERO;
        Instant t = from;
        for (int i = 0; i < count; i++) {
            Optional<Instant> start = window.firstStartAtOrAfter(t);
            if (start.isEmpty()) {
                break;
            }
            Instant end = window.chainEnd(start.get(), start.get());
            Duration d = Duration.between(start.get(), end);
            if (d.compareTo(longest) > 0) {
                longest = d;
            }
            if (!end.isBefore(start.get().plus(HORIZON))) {
                break; // always open
            }
            t = end;
        }
        return longest;
    }

    public ZoneId zone() {
        return zone;
    }

    public int freezeCount() {
        return freezes.size();
    }

    @Override
    public String toString() {
        String freezeText = freezes.size() + " freeze" + (freezes.size() == 1 ? "" : "s");
        return window.map(w -> w + (freezes.isEmpty() ? "" : ", " + freezeText))
                .orElse("open but for " + freezeText + " (" + zone.getId() + ")");
    }

    /** Describes a freeze for a person: how the plan wrote it, and its reason. */
    public static String describe(Plan.Freeze f) {
        return "freeze " + f.describe() + f.reason().map(r -> " (" + r + ")").orElse("");
    }

    // ---------------------------------------------------------------- periods

    /** Openings of a cron, each lasting {@code duration}; overlapping ones chain. */
    private static final class Recurrence {
        private final CronSchedule schedule;
        private final Duration duration;
        private final ZoneId zone;

        Recurrence(CronSchedule schedule, Duration duration, ZoneId zone) {
            if (duration.isZero() || duration.isNegative()) {
                throw new IllegalArgumentException("a maintenance window must last longer than 0s");
            }
            this.schedule = schedule;
            this.duration = duration;
            this.zone = zone;
        }

        /** The earliest opening {@code s} with {@code now - duration < s <= now}. */
        Optional<Instant> openedAt(Instant now) {
            return firstStartAtOrAfter(now.minus(duration).plusNanos(1)).filter(s -> !s.isAfter(now));
        }

        /**
         * The end of the chain of overlapping openings that begins with {@code start}, looked at from {@code now}: the
         * last opening at or before the current end extends it, until none does (bounded by {@link #HORIZON}).
         */
        Instant chainEnd(Instant start, Instant now) {
            Instant end = start.plus(duration);
            Instant limit = now.plus(HORIZON);
            while (end.isBefore(limit)) {
                Optional<Instant> last = lastStartAtOrBefore(end);
                if (last.isEmpty() || !last.get().plus(duration).isAfter(end)) {
                    break;
                }
                end = last.get().plus(duration);
            }
            return end.isAfter(limit) ? limit : end;
        }

        Optional<Instant> firstStartAtOrAfter(Instant t) {
            // Near a DST change start a little earlier in local time: the shift can move an opening's instant past its
            // local order. Elsewhere local order is instant order.
            LocalDateTime local = LocalDateTime.ofInstant(t, zone).minusHours(slackHours(t));
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

        Optional<Instant> lastStartAtOrBefore(Instant t) {
            LocalDateTime local = LocalDateTime.ofInstant(t, zone).plusHours(slackHours(t));
            for (int guard = 0; guard < 100_000; guard++) {
                Optional<LocalDateTime> previous = schedule.previousAtOrBefore(local);
                if (previous.isEmpty()) {
                    return Optional.empty();
                }
                Instant at = ZonedDateTime.of(previous.get(), zone).toInstant();
                if (!at.isAfter(t)) {
                    return Optional.of(at);
                }
                local = previous.get().minusMinutes(1);
            }
            return Optional.empty();
        }

        /** 3 when the zone changes its offset within a day of {@code t}, else 0. */
        private long slackHours(Instant t) {
            java.time.zone.ZoneOffsetTransition next = zone.getRules().nextTransition(t.minus(Duration.ofDays(1)));
            return next != null && next.getInstant().isBefore(t.plus(Duration.ofDays(1))) ? 3 : 0;
        }

        @Override
        public String toString() {
            return "'" + schedule + "' (" + zone.getId() + ") for " + DurationText.format(duration);
        }
    }

    /** A freeze as instants: whether it covers a time (and until when), and when it next begins. */
    private interface Blackout {
        Plan.Freeze freeze();

        Optional<Instant> coveringEnd(Instant t);

        /** The first start strictly after {@code t}. */
        Optional<Instant> nextStart(Instant t);
    }

    private record Fixed(Plan.Freeze freeze, Instant from, Instant to) implements Blackout {
        @Override
        public Optional<Instant> coveringEnd(Instant t) {
            return !t.isBefore(from) && t.isBefore(to) ? Optional.of(to) : Optional.empty();
        }

        @Override
        public Optional<Instant> nextStart(Instant t) {
            return from.isAfter(t) ? Optional.of(from) : Optional.empty();
        }
    }

    private record Repeating(Plan.Freeze freeze, Recurrence recurrence) implements Blackout {
        @Override
        public Optional<Instant> coveringEnd(Instant t) {
            return recurrence.openedAt(t).map(s -> recurrence.chainEnd(s, t));
        }

        @Override
        public Optional<Instant> nextStart(Instant t) {
            return recurrence.firstStartAtOrAfter(t.plusNanos(1));
        }
    }

    private static Blackout blackout(Plan.Freeze f, ZoneId zone) {
        if (f instanceof Plan.Freeze.Dates d) {
            return new Fixed(f, d.from().atStartOfDay(zone).toInstant(), d.to().plusDays(1).atStartOfDay(zone).toInstant());
        }
        if (f instanceof Plan.Freeze.Period p) {
            return new Fixed(f, p.from().toInstant(), p.to().toInstant());
        }
        Plan.Freeze.Recurring r = (Plan.Freeze.Recurring) f;
        return new Repeating(f, new Recurrence(CronSchedule.parse(r.cron()), r.duration(), zone));
    }
}
