package dev.revroll.output;

import dev.revroll.engine.RunEvent;
import dev.revroll.engine.RunListener;
import dev.revroll.json.Json;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/** How run events reach a person or a pipeline: a live view in a terminal, one JSON object per line otherwise. */
public final class EventStream {

    private EventStream() {
    }

    /** One JSON event per line (pipelines, {@code -o json}, no TTY). */
    public static RunListener jsonLines(PrintWriter out) {
        return event -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", event.type().name());
            m.put("at", event.at().toString());
            m.put("run", event.runId());
            if (event.step() != null) {
                m.put("step", event.step());
            }
            if (event.action() != null) {
                m.put("action", event.action());
            }
            m.put("message", event.message());
            if (!event.data().isEmpty()) {
                m.put("data", event.data());
            }
            synchronized (out) {
                out.println(Json.compact(m));
                out.flush();
            }
        };
    }

    /** A terminal: event lines plus a status line redrawn every second (steps in flight, elapsed, next gate evaluation). */
    public static RunListener live(PrintWriter out) {
        return new LiveView(out);
    }

    /** Plain lines, one per event, with the elapsed time (what the live view prints above its status line). */
    public static RunListener lines(PrintWriter out) {
        Instant start = Instant.now();
        return event -> {
            String elapsed = format(Duration.between(start, event.at()));
            String line = switch (event.type()) {
                case RUN_STARTED -> "▶ " + event.message();
                case PREFLIGHT_WARNING -> "  ! " + event.message();
                case WAVE_STARTED -> "═ " + event.message();
                case STEP_STARTED -> "  ▸ " + event.message();
                case ACTION_STARTED -> "    · " + event.step() + " " + event.action() + ": " + event.message();
                case ACTION_DONE -> "    ✓ " + event.step() + " " + event.action();
                case ACTION_SKIPPED -> "    = " + event.step() + " " + event.message();
                case WAITING -> "    … " + event.step() + " " + event.action() + ": " + event.message();
                case GATE_EVALUATION -> "    ◆ " + event.step() + " " + event.message() + nextEvaluation(event);
                case GATE_RESULT -> "    ◆ " + event.step() + " gate " + event.message();
                case STEP_DONE -> "  ✔ " + event.message();
                case STEP_FAILED -> "  ✘ " + event.step() + ": " + event.message();
                case UNDO_STARTED, UNDO_DONE -> "    ↶ " + event.step() + " " + event.message();
                case STEP_ROLLED_BACK -> "  ↶ " + event.message();
                case UNDO_FAILED -> "  ✘✘ " + event.step() + ": " + event.message();
                case PAUSED -> "⏸ " + event.message();
                case WARNING -> "  ! " + event.message();
                case RUN_FINISHED -> "■ " + event.message();
            };
            synchronized (out) {
                out.println("[" + elapsed + "] " + line);
                out.flush();
            }
        };
    }

    /** "  (next in 5s)" when the event names the next evaluation's instant. */
    private static String nextEvaluation(RunEvent event) {
        Object next = event.data().get("next");
        if (next == null) {
            return "";
        }
        try {
            return "  (next in " + Math.max(0, Duration.between(event.at(), Instant.parse(next.toString())).toSeconds()) + "s)";
        } catch (DateTimeParseException e) {
            return "  (next " + next + ")";
        }
    }

    static String format(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return String.format("%02d:%02d", s / 60, s % 60);
    }
}
