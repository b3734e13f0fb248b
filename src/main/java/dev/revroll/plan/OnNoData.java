package dev.revroll.plan;

/** What a metric gate does with a NO_DATA sample: count it as a failure, as a pass, or wait for the next one. */
public enum OnNoData {
    FAIL, PASS, WAIT
}
