package dev.revroll.output.report;

import dev.revroll.json.Json;

/** The JSON report: the whole {@link ReportModel}, field for field (its shape is in docs/reports.md). */
public final class JsonReport {

    private JsonReport() {
    }

    public static String render(ReportModel model) {
        return Json.pretty(model) + "\n";
    }
}
