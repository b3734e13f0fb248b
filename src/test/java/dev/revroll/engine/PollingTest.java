package dev.revroll.engine;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PollingTest {

    private final Polling polling = new Polling(Duration.ofSeconds(2), Clock.systemUTC());

    @Test
    void looksAgainAtEachChangeInsteadOfBackingOff() {
        AtomicInteger looks = new AtomicInteger();
        List<Duration> waits = new ArrayList<>();
        int result = polling.untilChanged("test", Duration.ofMinutes(1), looks::incrementAndGet, n -> n == 4, max -> waits.add(max));
        assertEquals(4, result);
        assertEquals(3, waits.size(), "one wait for a change between looks");
        waits.forEach(w -> assertEquals(Duration.ofSeconds(2), w, "a wait lasts at most the poll interval"));
    }

    @Test
    void atTheDeadlineTheLastResultIsReturnedOrTheLastFailureThrown() {
        assertEquals("not yet", polling.untilChanged("test", Duration.ofMillis(50), () -> "not yet", "done"::equals, max -> Thread.sleep(10)));
        AtomicInteger looks = new AtomicInteger();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> polling.untilChanged("test", Duration.ofMillis(50), () -> {
            throw new IllegalStateException("look " + looks.incrementAndGet());
        }, x -> true, max -> Thread.sleep(10)));
        assertEquals("look " + looks.get(), e.getMessage());
    }
}
