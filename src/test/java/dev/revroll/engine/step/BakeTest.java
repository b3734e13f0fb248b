package dev.revroll.engine.step;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BakeTest {

    @Test
    void workloadIsAnAlternationOfTheStepsWorkloadNames() {
        String p = Bake.workloadPattern(List.of("Deployment/web", "StatefulSet/web-db", "DaemonSet/web", "Deployment/a.b"));
        assertEquals("a[.]b|web|web-db", p);
        // Prometheus anchors a =~ pattern at both ends: ^(?:pattern)$
        Pattern anchored = Pattern.compile("^(?:" + p + ")$");
        assertTrue(anchored.matcher("web-db").matches());
        assertTrue(anchored.matcher("a.b").matches());
        assertFalse(anchored.matcher("axb").matches());
        assertFalse(anchored.matcher("web-db-2").matches());
    }

    @Test
    void aStepWithoutWorkloadsMatchesNoName() {
        Pattern anchored = Pattern.compile("^(?:" + Bake.workloadPattern(List.of()) + ")$");
        assertFalse(anchored.matcher("").matches());
        assertFalse(anchored.matcher("none").matches());
    }
}
