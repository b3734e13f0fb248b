package dev.revroll.prometheus;

import dev.revroll.ports.MetricsHistory.RangeResult;
import dev.revroll.ports.MetricsHistory.Series;
import dev.revroll.ports.MetricsProvider.QueryResult;
import dev.revroll.ports.MetricsProvider.Sample;
import com.fasterxml.jackson.databind.JsonNode;
import dev.revroll.json.Json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the answer of Prometheus' {@code /api/v1/query} (and {@code /api/v1/query_range}, {@link #parseRange}): {@code vector} and {@code scalar} results become samples
 * (values are strings: numbers, {@code NaN}, {@code +Inf}, {@code -Inf}); {@code status: error} and anything that is not
 * Prometheus' JSON become a failed result naming what went wrong.
 */
final class PrometheusResponse {

    private static final int SHOWN_BODY = 200;

    private PrometheusResponse() {
    }

    static QueryResult parse(int httpStatus, String body) {
        JsonNode root = tree(body);
        Optional<String> problem = envelopeProblem(httpStatus, body, root);
        if (problem.isPresent()) {
            return QueryResult.failed(problem.get());
        }
        JsonNode data = root.get("data");
        String type = text(data.get("resultType"));
        JsonNode result = data.get("result");
        try {
            return switch (type) {
                case "vector" -> vector(result);
                case "scalar" -> new QueryResult(List.of(new Sample(Map.of(), value(result))), Optional.empty());
                default -> QueryResult.failed("the query gives a " + abbreviate(type)
                        + " result; a gate needs an instant vector or a scalar (drop the range selector or wrap it in rate()/increase())");
            };
        } catch (IllegalArgumentException e) {
            return QueryResult.failed("unreadable Prometheus result: " + e.getMessage());
        }
    }

    /**
     * Reads the answer of {@code /api/v1/query_range}: a {@code matrix}, one series per label set with its
     * {@code [time, "value"]} points. More than {@code maxSeries} series is a failed result that says how many (a
     * backtest keeps what it holds bounded, docs/backtest.md).
     */
    static RangeResult parseRange(int httpStatus, String body, int maxSeries) {
        JsonNode root = tree(body);
        Optional<String> problem = envelopeProblem(httpStatus, body, root);
        if (problem.isPresent()) {
            return RangeResult.failed(problem.get());
        }
        JsonNode data = root.get("data");
        String type = text(data.get("resultType"));
        JsonNode result = data.get("result");
        if (!"matrix".equals(type)) {
            return RangeResult.failed("the range query gives a " + abbreviate(type)
                    + " result; a gate needs an instant vector or a scalar (drop the range selector or wrap it in rate()/increase())");
        }
        try {
            if (!result.isArray()) {
                throw new IllegalArgumentException("matrix result is not a list");
            }
            if (result.size() > maxSeries) {
                return RangeResult.failed("the query answers " + result.size() + " series; a backtest keeps at most " + maxSeries
                        + " per query (aggregate it, e.g. with sum by or topk)");
            }
            List<Series> series = new ArrayList<>();
            for (JsonNode one : result) {
                Map<String, String> labels = labels(one);
                JsonNode values = one.get("values");
                if (values == null || !values.isArray()) {
                    throw new IllegalArgumentException("series " + labels + " has no values (histogram samples are not supported)");
                }
                long[] times = new long[values.size()];
                double[] vs = new double[values.size()];
                for (int i = 0; i < values.size(); i++) {
                    JsonNode pair = values.get(i);
                    vs[i] = value(pair);
                    times[i] = new java.math.BigDecimal(pair.get(0).asText()).movePointRight(3).setScale(0, java.math.RoundingMode.HALF_UP).longValueExact();
                }
                series.add(new Series(labels, times, vs));
            }
            return new RangeResult(List.copyOf(series), Optional.empty());
        } catch (IllegalArgumentException | ArithmeticException e) {
            return RangeResult.failed("unreadable Prometheus result: " + e.getMessage());
        }
    }

    private static JsonNode tree(String body) {
        try {
            return Json.tree(body == null ? "" : body);
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    /** What is wrong with the answer's envelope (not Prometheus' JSON, {@code status: error}, no data), if anything. */
    private static Optional<String> envelopeProblem(int httpStatus, String body, JsonNode root) {
        if (root == null || !root.isObject() || root.get("status") == null) {
            return Optional.of("HTTP " + httpStatus + " without a Prometheus API answer: " + abbreviate(body));
        }
        String status = text(root.get("status"));
        if (!"success".equals(status)) {
            String type = Optional.ofNullable(text(root.get("errorType"))).orElse("error");
            String error = Optional.ofNullable(text(root.get("error"))).orElse("(no message)");
            // both come from the answer: kept short, as a body is, so no answer can flood a message or the journal
            return Optional.of(abbreviate(type) + ": " + abbreviate(error) + " (HTTP " + httpStatus + ")");
        }
        JsonNode data = root.get("data");
        if (data == null || !data.isObject()) {
            return Optional.of("Prometheus answered success without data (HTTP " + httpStatus + ")");
        }
        if (text(data.get("resultType")) == null || data.get("result") == null) {
            return Optional.of("Prometheus answered without resultType/result (HTTP " + httpStatus + ")");
        }
        return Optional.empty();
    }

    private static Map<String, String> labels(JsonNode series) {
        Map<String, String> labels = new LinkedHashMap<>();
        JsonNode metric = series.get("metric");
        if (metric != null && metric.isObject()) {
            for (Map.Entry<String, JsonNode> label : metric.properties()) {
                labels.put(label.getKey(), text(label.getValue()));
            }
        }
        return labels;
    }

    private static QueryResult vector(JsonNode result) {
        if (!result.isArray()) {
            throw new IllegalArgumentException("vector result is not a list");
        }
        List<Sample> samples = new ArrayList<>();
        for (JsonNode series : result) {
            Map<String, String> labels = labels(series);
            JsonNode value = series.get("value");
            if (value == null) {
                throw new IllegalArgumentException("series " + labels + " has no value (histogram samples are not supported)");
            }
            samples.add(new Sample(labels, value(value)));
        }
        return new QueryResult(List.copyOf(samples), Optional.empty());
    }

    /** {@code [<unix time>, "<value>"]}. */
    private static double value(JsonNode pair) {
        if (!pair.isArray() || pair.size() != 2 || !pair.get(1).isTextual()) {
            throw new IllegalArgumentException("a sample must be [time, \"value\"]");
        }
        return parseValue(pair.get(1).asText());
    }

    /** Prometheus' float formatting: Go's strconv with {@code NaN}, {@code +Inf}, {@code -Inf}. */
    static double parseValue(String s) {
        return switch (s) {
            case "NaN" -> Double.NaN;
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> {
                try {
                    yield Double.parseDouble(s);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("value \"" + s + "\" is not a number");
                }
            }
        };
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.isValueNode() ? node.asText() : node.toString();
    }

    static String abbreviate(String body) {
        if (body == null || body.isBlank()) {
            return "(empty body)";
        }
        String flat = body.strip().replaceAll("\\s+", " ");
        return flat.length() <= SHOWN_BODY ? flat : flat.substring(0, SHOWN_BODY) + "…";
    }
}
