package dev.revroll.engine;

import java.time.Instant;

/** When steps may start (the plan's maintenance window; always open without one). */
public interface RunWindow {

    RunWindow ALWAYS = new RunWindow() {
        @Override
        public boolean isOpen(Instant at) {
            return true;
        }

        @Override
        public String describe(Instant at) {
            return "no maintenance window";
        }
    };

    boolean isOpen(Instant at);

    /** For messages: when it opens next / closes. */
    String describe(Instant at);
}
