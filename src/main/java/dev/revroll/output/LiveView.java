package dev.revroll.output;

import dev.revroll.engine.RunEvent;
import dev.revroll.engine.RunListener;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The terminal view of a run: every event as a line (from {@link EventStream#live}), and under them one status line
 * redrawn every second: the wave, the steps in flight with their current action, elapsed time and when the next
 * gate evaluation is due.
 */
final class LiveView implements RunListener {

    private static final String CLEAR_LINE = "\r\u001b[2K";
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final PrintWriter out;
    private final RunListener lines;
    private final Instant start = Instant.now();
    private final Map<String, String> inFlight = new TreeMap<>();
    private String wave = "";
    private Instant nextGate;
    private ScheduledExecutorService ticker;

    LiveView(PrintWriter out) {
        this.out = out;
        this.lines = EventStream.lines(out);
    }

    @Override
    public synchronized void on(RunEvent event) {
        out.print(CLEAR_LINE);
        lines.on(event);
        switch (event.type()) {
            case RUN_STARTED -> startTicker();
            case WAVE_STARTED -> wave = String.valueOf(event.data().getOrDefault("wave", ""));
            case ACTION_STARTED, WAITING -> inFlight.put(event.step(), event.action());
            case GATE_EVALUATION -> {
                Object next = event.data().get("next");
                nextGate = next == null ? null : Instant.parse(next.toString());
            }
            case STEP_DONE, STEP_ROLLED_BACK, STEP_FAILED -> {
                inFlight.remove(event.step());
                nextGate = null;
            }
            case RUN_FINISHED, PAUSED -> stopTicker();
            default -> { }
        }
        if (ticker != null) {
            drawStatus();
        }
        out.flush();
    }

    private void startTicker() {
        if (ticker != null) {
            return;
        }
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "revroll-live-view");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(() -> {
            synchronized (this) {
                if (ticker != null) {
                    drawStatus();
                    out.flush();
                }
            }
        }, 1, 1, TimeUnit.SECONDS);
    }

    private void stopTicker() {
        if (ticker != null) {
            ticker.shutdownNow();
            ticker = null;
        }
        out.print(CLEAR_LINE);
    }

    private void drawStatus() {
        StringBuilder sb = new StringBuilder(CLEAR_LINE).append("⏱ ").append(EventStream.format(Duration.between(start, Instant.now())));
        if (!wave.isEmpty()) {
            sb.append("  wave ").append(wave);
        }
        inFlight.forEach((step, action) -> sb.append("  ▸ ").append(step).append(": ").append(action));
        if (nextGate != null && nextGate.isAfter(Instant.now())) {
            sb.append("  next gate evaluation ").append(CLOCK.format(LocalTime.ofInstant(nextGate, ZoneId.systemDefault())));
        }
        out.print(sb);
    }
}
