package dev.revroll.output;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class WarningGroupsTest {

    private static final String HOLD = "holdApplicationUntilProxyStarts is not set (mesh defaultConfig or proxy.istio.io/config); "
            + "the app may start before its proxy during the restart";

    @Test
    void identicalWarningsAboutManyWorkloadsBecomeOneLineWithACount() {
        List<String> warnings = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            warnings.add("ns-" + i + "/Deployment/web: " + HOLD);
        }
        warnings.add("ns-7/Deployment/batch will not move: sidecar.istio.io/inject=false");
        warnings.add("ns-8/Deployment/batch will not move: sidecar.istio.io/inject=false");
        warnings.add("the new istiod has one replica");

        List<WarningGroups.Group> groups = WarningGroups.of(warnings);

        assertEquals(3, groups.size());
        assertEquals(300, groups.get(0).count());
        assertEquals("300 workloads: " + HOLD + " (ns-0/Deployment/web, ns-1/Deployment/web, ns-2/Deployment/web, "
                + "ns-3/Deployment/web, ns-4/Deployment/web and 295 more)", groups.get(0).line());
        assertEquals("2 workloads: will not move: sidecar.istio.io/inject=false (ns-7/Deployment/batch, ns-8/Deployment/batch)",
                groups.get(1).line());
        assertEquals("the new istiod has one replica", groups.get(2).line());
        assertEquals("303 warnings (3 different)", WarningGroups.summary(warnings));
    }

    @Test
    void aSingleWarningReadsAsItWasWritten() {
        List<String> one = List.of("shop/Deployment/web: terminationDrainDuration 1s is short; connections may be cut when old pods stop");
        assertEquals(one.get(0), WarningGroups.of(one).get(0).line());
        assertEquals("1 warning", WarningGroups.summary(one));
    }
}
