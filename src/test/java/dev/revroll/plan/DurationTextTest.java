package dev.revroll.plan;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DurationTextTest {

    @Test
    void parsesAndFormats() {
        assertEquals(Duration.ofSeconds(30), DurationText.parse("30s"));
        assertEquals(Duration.ofMinutes(2), DurationText.parse("2m"));
        assertEquals(Duration.ofMinutes(90), DurationText.parse("1h30m"));
        assertEquals(Duration.ofMillis(500), DurationText.parse("500ms"));
        assertEquals(Duration.ZERO, DurationText.parse("0"));
        assertEquals(Duration.ofMillis(61_500), DurationText.parse("1m1s500ms"));
        assertEquals("1h30m", DurationText.format(Duration.ofMinutes(90)));
        assertEquals("0s", DurationText.format(Duration.ZERO));
        assertEquals("1m1s500ms", DurationText.format(Duration.ofMillis(61_500)));
    }

    @Test
    void rejectsWithWhatIsValid() {
        assertEquals("'30' is not a duration (a unit is required: 30s?); write numbers with units ms, s, m, h, such as 500ms, 30s, 2m, 1h30m",
                assertThrows(IllegalArgumentException.class, () -> DurationText.parse("30")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> DurationText.parse("1d"));
        assertThrows(IllegalArgumentException.class, () -> DurationText.parse("-5s"));
        assertThrows(IllegalArgumentException.class, () -> DurationText.parse("1.5h"));
        assertThrows(IllegalArgumentException.class, () -> DurationText.parse(""));
    }
}
