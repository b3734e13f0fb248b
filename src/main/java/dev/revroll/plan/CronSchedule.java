package dev.revroll.plan;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A 5-field cron expression (minute hour day-of-month month day-of-week) read in local time: {@code *}, numbers,
 * ranges {@code 1-4}, lists {@code 1,3,5}, steps {@code *}{@code /15} and {@code 8-18/2}, names {@code JAN}-{@code DEC} and
 * {@code SUN}-{@code SAT} (0 and 7 are Sunday). As in Vixie cron, when both day fields are restricted a day matching
 * either one matches.
 */
public final class CronSchedule {

    private static final List<String> MONTHS = List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");
    private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");
    /** Long enough to see every day-of-month/month/weekday combination (leap years included). */
    private static final int SEARCH_DAYS = 366 * 8;

    private final String text;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet daysOfMonth;
    private final BitSet months;
    private final BitSet daysOfWeek;
    private final boolean dayOfMonthStar;
    private final boolean dayOfWeekStar;

    private CronSchedule(String text, BitSet minutes, BitSet hours, BitSet daysOfMonth, BitSet months, BitSet daysOfWeek,
                         boolean dayOfMonthStar, boolean dayOfWeekStar) {
        this.text = text;
        this.minutes = minutes;
        this.hours = hours;
        this.daysOfMonth = daysOfMonth;
        this.months = months;
        this.daysOfWeek = daysOfWeek;
        this.dayOfMonthStar = dayOfMonthStar;
        this.dayOfWeekStar = dayOfWeekStar;
    }

    /** Throws {@link IllegalArgumentException} naming the field and what is valid. */
    public static CronSchedule parse(String text) {
        String[] f = text.trim().split("\\s+");
        if (f.length != 5 || text.isBlank()) {
            throw new IllegalArgumentException("'" + text + "' has " + (text.isBlank() ? 0 : f.length)
                    + " fields; a cron has 5: minute hour day-of-month month day-of-week, e.g. \"0 22 * * 1-4\"");
        }
        BitSet dow = field(f[4], "day-of-week", 0, 7, DAYS, text);
        if (dow.get(7)) {
            dow.set(0);
            dow.clear(7);
        }
        return new CronSchedule(text,
                field(f[0], "minute", 0, 59, null, text),
                field(f[1], "hour", 0, 23, null, text),
                field(f[2], "day-of-month", 1, 31, null, text),
                field(f[3], "month", 1, 12, MONTHS, text),
                dow, f[2].startsWith("*"), f[4].startsWith("*"));
    }

    private static BitSet field(String field, String name, int min, int max, List<String> names, String whole) {
        BitSet bits = new BitSet(max + 1);
        for (String item : field.split(",", -1)) {
            String range = item;
            int step = 1;
            int slash = item.indexOf('/');
            if (slash >= 0) {
                range = item.substring(0, slash);
                step = number(item.substring(slash + 1), name, 1, max, null, whole, "step");
            }
            int from;
            int to;
            if (range.equals("*")) {
                from = min;
                to = max == 7 ? 6 : max;
            } else if (range.contains("-")) {
                String[] ends = range.split("-", 2);
                from = number(ends[0], name, min, max, names, whole, null);
                to = number(ends[1], name, min, max, names, whole, null);
                if (to < from) {
                    throw new IllegalArgumentException("cron '" + whole + "': " + name + " range '" + range + "' goes backwards");
                }
            } else {
                from = number(range, name, min, max, names, whole, null);
                to = slash >= 0 ? (max == 7 ? 6 : max) : from;
            }
            for (int v = from; v <= to; v += step) {
                bits.set(v);
            }
        }
        return bits;
    }

    private static int number(String s, String field, int min, int max, List<String> names, String whole, String what) {
        if (names != null) {
            int i = names.indexOf(s.toUpperCase(Locale.ROOT));
            if (i >= 0) {
                return names == MONTHS ? i + 1 : i;
            }
        }
        try {
            int v = Integer.parseInt(s);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        String valid = what != null ? "a number from 1 to " + max
                : min + "-" + max + (names != null ? " or " + names.get(0) + "-" + names.get(names.size() - 1) : "");
        throw new IllegalArgumentException("cron '" + whole + "': '" + s + "' is not a valid " + field + (what != null ? " " + what : "")
                + " (" + valid + ")");
    }

    public boolean matchesDate(LocalDate d) {
        if (!months.get(d.getMonthValue())) {
            return false;
        }
        boolean dom = daysOfMonth.get(d.getDayOfMonth());
        boolean dow = daysOfWeek.get(d.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : d.getDayOfWeek().getValue());
        if (dayOfMonthStar || dayOfWeekStar) {
            return dom && dow;
        }
        return dom || dow;
    }

    public boolean matches(LocalDateTime t) {
        return matchesDate(t.toLocalDate()) && hours.get(t.getHour()) && minutes.get(t.getMinute());
    }

    /** The first matching minute at or after {@code from} (seconds rounded up), in local time. */
    public Optional<LocalDateTime> nextAtOrAfter(LocalDateTime from) {
        LocalDateTime start = from.getSecond() == 0 && from.getNano() == 0 ? from : from.withSecond(0).withNano(0).plusMinutes(1);
        LocalDate date = start.toLocalDate();
        for (int i = 0; i < SEARCH_DAYS; i++, date = date.plusDays(1)) {
            if (!matchesDate(date)) {
                continue;
            }
            for (int h = hours.nextSetBit(0); h >= 0; h = hours.nextSetBit(h + 1)) {
                for (int m = minutes.nextSetBit(0); m >= 0; m = minutes.nextSetBit(m + 1)) {
                    LocalDateTime t = LocalDateTime.of(date, LocalTime.of(h, m));
                    if (!t.isBefore(start)) {
                        return Optional.of(t);
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** The last matching minute at or before {@code from} (seconds rounded down), in local time. */
    public Optional<LocalDateTime> previousAtOrBefore(LocalDateTime from) {
        LocalDateTime start = from.withSecond(0).withNano(0);
        LocalDate date = start.toLocalDate();
        for (int i = 0; i < SEARCH_DAYS; i++, date = date.minusDays(1)) {
            if (!matchesDate(date)) {
                continue;
            }
            for (int h = hours.previousSetBit(23); h >= 0; h = hours.previousSetBit(h - 1)) {
                for (int m = minutes.previousSetBit(59); m >= 0; m = minutes.previousSetBit(m - 1)) {
                    LocalDateTime t = LocalDateTime.of(date, LocalTime.of(h, m));
                    if (!t.isAfter(start)) {
                        return Optional.of(t);
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** False for expressions such as {@code 0 0 31 2 *} that name no real date. */
    public boolean everMatches() {
        return nextAtOrAfter(LocalDateTime.of(2000, 1, 1, 0, 0)).isPresent();
    }

    @Override
    public String toString() {
        return text;
    }
}
