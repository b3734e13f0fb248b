package dev.revroll.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The windows a plan will need at the current estimate (what {@code preview} shows): the steps are laid out in order,
 * a wave's steps {@code parallel} at a time, each group starting as soon as the one before ends if it fits in what is
 * left of that opening, else at the start of the next opening long enough for it (freezes are already cut out of the
 * openings). Pure, like {@link WindowGate}, whose rule it follows.
 */
public final class WindowPlan {

    /** How many openings are looked through before a step is called unplaceable. */
    static final int LOOK_AHEAD = 500;

    private WindowPlan() {
    }

    /** A step to place: its id and estimate. */
    public record Step(String id, Duration estimate) {
    }

    /** A wave: its steps in order, and how many run at once. */
    public record Wave(String name, List<Step> steps, int parallel) {
    }

    /** A step placed in an opening, and when it would start. */
    public record Placed(String id, Duration estimate, Instant startsAt) {
    }

    /** An opening of the window and the steps that would run in it. */
    public record Slot(RunWindow.Opening opening, List<Placed> steps) {
    }

    /** The openings used, and the steps that fit in none (with the first of them, everything after it waits too). */
    public record Layout(List<Slot> slots, List<Step> unplaced, Duration total) {
    }

    public static Layout of(RunWindow window, Instant now, List<Wave> waves) {
        List<RunWindow.Opening> openings = window.openings(now, LOOK_AHEAD);
        List<Slot> slots = new ArrayList<>();
        List<Step> unplaced = new ArrayList<>();
        Duration total = Duration.ZERO;
        Instant t = now;
        int at = 0;
        for (Wave wave : waves) {
            List<Step> steps = wave.steps();
            int parallel = Math.max(1, wave.parallel());
            for (int i = 0; i < steps.size(); i += parallel) {
                List<Step> group = steps.subList(i, Math.min(steps.size(), i + parallel));
                Duration need = group.stream().map(Step::estimate).max(Duration::compareTo).orElse(Duration.ZERO);
                total = total.plus(need);
                if (!unplaced.isEmpty()) {
                    unplaced.addAll(group);
                    continue;
                }
                Optional<Integer> found = Optional.empty();
                Instant start = t;
                for (int o = at; o < openings.size(); o++) {
                    RunWindow.Opening opening = openings.get(o);
                    Instant s = opening.start().isAfter(t) ? opening.start() : t;
                    if (opening.end().isEmpty() || !s.plus(need).isAfter(opening.end().get())) {
                        found = Optional.of(o);
                        start = s;
                        break;
                    }
                }
                if (found.isEmpty()) {
                    unplaced.addAll(group);
                    continue;
                }
                at = found.get();
                RunWindow.Opening opening = openings.get(at);
                if (slots.isEmpty() || !slots.get(slots.size() - 1).opening().equals(opening)) {
                    slots.add(new Slot(opening, new ArrayList<>()));
                }
                for (Step s : group) {
                    slots.get(slots.size() - 1).steps().add(new Placed(s.id(), s.estimate(), start));
                }
                t = start.plus(need);
            }
        }
        List<Slot> frozen = slots.stream().map(s -> new Slot(s.opening(), List.copyOf(s.steps()))).toList();
        return new Layout(frozen, List.copyOf(unplaced), total);
    }
}
