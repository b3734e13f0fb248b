package dev.revroll.engine;

/** Receives run events (the output module renders them). Called from step threads: implementations synchronize. */
@FunctionalInterface
public interface RunListener {

    RunListener NONE = e -> { };

    void on(RunEvent event);
}
