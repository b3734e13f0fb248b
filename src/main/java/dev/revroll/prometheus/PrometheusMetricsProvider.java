package dev.revroll.prometheus;

import dev.revroll.errors.UsageException;
import dev.revroll.plan.Plan;
import dev.revroll.ports.MetricsHistory;
import dev.revroll.ports.MetricsProvider;
import dev.revroll.prometheus.PrometheusResilience.TransientAnswer;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpRequest;
import io.micronaut.http.client.DefaultHttpClientConfiguration;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.exceptions.ReadTimeoutException;
import io.micronaut.http.client.netty.DefaultHttpClient;
import io.micronaut.http.client.netty.DefaultHttpClientBuilder;
import io.micronaut.http.client.exceptions.HttpClientResponseException;
import io.micronaut.http.uri.UriBuilder;

import java.math.BigDecimal;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * {@link MetricsProvider} over Prometheus' HTTP API ({@code GET /api/v1/query?query=&time=}, and for backtests
 * {@link MetricsHistory}: {@code GET /api/v1/query_range}) with Micronaut's HTTP
 * client, created on first use so that commands which never query start fast (the TLS files are read then).
 * Headers and credentials are {@link PrometheusAuth}'s, TLS is {@link PemTls}' (docs/prometheus-access.md);
 * {@link #describe()} never shows a secret. Every failure (a file the plan names unusable, no connection, TLS, timeout,
 * HTTP error, {@code status: error}) becomes {@link QueryResult#failed}, never an exception; retries and time limits
 * are {@link PrometheusResilience}'s.
 */
public final class PrometheusMetricsProvider implements MetricsProvider, MetricsHistory, AutoCloseable {

    public static final String TOKEN_ENV = "REVROLL_PROMETHEUS_TOKEN";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration MAX_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration READ_TIMEOUT_MARGIN = Duration.ofSeconds(1);
    private static final String TLS_HINT = " (spec.prometheus.tls.caFile must hold the CA that signed the server's certificate, "
            + "tls.serverName, or else the URL's host, a name that certificate holds, and tls.certFile/keyFile a client certificate "
            + "when the server requires one)";

    private final URL root;
    private final String basePath;
    private final String shown;
    private final PrometheusAuth auth;
    private final Optional<Plan.PrometheusTls> tls;
    private final PrometheusResilience resilience;
    private final Object lock = new Object();
    private volatile HttpClient client;

    /** The plan's Prometheus; {@value #TOKEN_ENV} and {@code basicAuth.passwordEnv} from the process environment. */
    public PrometheusMetricsProvider(Plan.PrometheusConfig config) {
        this(config, System::getenv);
    }

    /** The plan's Prometheus with this bearer token in place of {@value #TOKEN_ENV} (and no other environment). */
    public PrometheusMetricsProvider(Plan.PrometheusConfig config, Optional<String> bearerToken) {
        this(config, name -> name.equals(TOKEN_ENV) ? bearerToken.orElse(null) : null);
    }

    /** The plan's Prometheus, environment variables ({@value #TOKEN_ENV}, {@code basicAuth.passwordEnv}) read through {@code environment}. */
    public PrometheusMetricsProvider(Plan.PrometheusConfig config, Function<String, String> environment) {
        Objects.requireNonNull(config, "config");
        URI uri = parse(config.url());
        String userInfo = uri.getRawUserInfo();
        try {
            this.root = new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), null, null, null).toURL();
        } catch (URISyntaxException | MalformedURLException e) {
            throw invalid(config.url(), e.getMessage());
        }
        String path = Optional.ofNullable(uri.getRawPath()).orElse("");
        this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        this.shown = root.toString().replaceAll("/$", "") + basePath;
        this.auth = new PrometheusAuth(config, userInfo, environment);
        this.tls = config.tls();
        Duration timeout = config.timeout() == null || config.timeout().isZero() || config.timeout().isNegative()
                ? DEFAULT_TIMEOUT : config.timeout();
        this.resilience = new PrometheusResilience(timeout);
    }

    @Override
    public QueryResult query(String promql, Instant at) {
        return get(UriBuilder.of(basePath + "/api/v1/query")
                .queryParam("query", promql)
                .queryParam("time", seconds(at))
                .queryParam("timeout", resilience.attemptTimeout().toMillis() + "ms"), PrometheusResponse::parse, QueryResult::failed);
    }

    /**
     * {@code GET /api/v1/query_range?query=&start=&end=&step=}: the same expression evaluated at every step, as
     * {@link #query} would at each of those times (docs/backtest.md). Failures become {@link RangeResult#failed}, as
     * for {@link #query}, retried the same way.
     */
    @Override
    public RangeResult queryRange(String promql, Instant start, Instant end, Duration step, int maxSeries) {
        long points = (end.toEpochMilli() - start.toEpochMilli()) / Math.max(1, step.toMillis()) + 1;
        if (points > MAX_POINTS_PER_SERIES) {
            throw new IllegalArgumentException("a range query of " + points + " points per series; Prometheus allows " + MAX_POINTS_PER_SERIES);
        }
        return get(UriBuilder.of(basePath + "/api/v1/query_range")
                .queryParam("query", promql)
                .queryParam("start", seconds(start))
                .queryParam("end", seconds(end))
                .queryParam("step", BigDecimal.valueOf(step.toMillis(), 3).toPlainString())
                .queryParam("timeout", resilience.attemptTimeout().toMillis() + "ms"),
                (status, body) -> PrometheusResponse.parseRange(status, body, maxSeries), RangeResult::failed);
    }

    private static String seconds(Instant at) {
        return BigDecimal.valueOf(at.toEpochMilli(), 3).toPlainString();
    }

    /** One GET with retries; every way it can fail becomes {@code failed.apply(why)}. */
    private <T> T get(UriBuilder request, java.util.function.BiFunction<Integer, String, T> parse, Function<String, T> failed) {
        Map<String, String> headers;
        HttpClient http;
        try {
            headers = auth.headers();
            http = client();
        } catch (AccessProblem e) {
            return failed.apply(e.getMessage());
        }
        String uri = request.toString();
        try {
            Answer answer = resilience.call(() -> send(http, uri, headers));
            return parse.apply(answer.status(), answer.body());
        } catch (TransientAnswer e) {
            return failed.apply(e.getMessage() + " (" + PrometheusResilience.MAX_ATTEMPTS + " attempts)");
        } catch (TimeoutException | ReadTimeoutException e) {
            return failed.apply(noAnswer()); // the time limiter ended the attempts; the client's read timeout (a little later) is the backstop
        } catch (Exception e) {
            if (PrometheusResilience.causedBy(e, ReadTimeoutException.class)) {
                return failed.apply(noAnswer());
            }
            Optional<javax.net.ssl.SSLException> tlsFailure = PrometheusResilience.tlsFailure(e);
            if (tlsFailure.isPresent()) {
                return failed.apply("TLS handshake with " + shown + " failed: " + reason(tlsFailure.get()) + TLS_HINT);
            }
            return failed.apply("cannot query " + shown + ": " + reason(e) + " (" + PrometheusResilience.MAX_ATTEMPTS + " attempts)");
        }
    }

    private String noAnswer() {
        return "no answer from " + shown + " within " + resilience.attemptTimeout().toMillis() + "ms ("
                + PrometheusResilience.MAX_ATTEMPTS + " attempts)";
    }

    /** True when a trivial query ({@code vector(1)}) succeeds: the server answers and accepts the credentials. */
    @Override
    public boolean reachable() {
        return whyUnreachable().isEmpty();
    }

    @Override
    public Optional<String> whyUnreachable() {
        return query("vector(1)", Instant.now()).error();
    }

    @Override
    public String describe() {
        return "Prometheus at " + shown + (auth.describe().isEmpty() ? "" : " (" + auth.describe() + ")");
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (client != null) {
                client.close();
                client = null;
            }
        }
    }

    @Override
    public String toString() {
        return describe();
    }

    // ---------------------------------------------------------------- HTTP

    private record Answer(int status, String body) {
    }

    /** One attempt. 2xx and the definitive 4xx answers are returned; 429/5xx become {@link TransientAnswer} to be retried. */
    private static CompletionStage<Answer> send(HttpClient http, String uri, Map<String, String> headers) {
        MutableHttpRequest<?> request = HttpRequest.GET(uri).accept(MediaType.APPLICATION_JSON_TYPE);
        headers.forEach(request::header);
        CompletableFuture<HttpResponse<String>> exchange = SingleResponse.of(http.exchange(request, Argument.STRING, Argument.STRING));
        CompletableFuture<Answer> attempt = exchange.handle((response, error) -> {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof HttpClientResponseException e) {
                return answer(e.code(), e.getResponse());
            }
            if (cause != null) {
                throw cause instanceof RuntimeException r ? r : new CompletionException(cause);
            }
            return answer(response.code(), response);
        }).thenApply(answer -> {
            if (answer.status() == 429 || (answer.status() >= 500 && answer.status() != 501)) {
                QueryResult failed = PrometheusResponse.parse(answer.status(), answer.body());
                throw new CompletionException(new TransientAnswer(failed.error().orElse("HTTP " + answer.status())));
            }
            return answer;
        });
        attempt.whenComplete((answer, error) -> {
            if (attempt.isCancelled()) {
                exchange.cancel(true);
            }
        });
        return attempt;
    }

    private static Answer answer(int status, HttpResponse<?> response) {
        String body = response == null ? "" : response.getBody(String.class).orElse("");
        return new Answer(status, body);
    }

    /** Created on the first query; when the TLS files cannot be used, not at all (the next query tries again). */
    private HttpClient client() throws AccessProblem {
        HttpClient c = client;
        if (c == null) {
            synchronized (lock) {
                if (client == null) {
                    DefaultHttpClientConfiguration configuration = new DefaultHttpClientConfiguration();
                    Duration timeout = resilience.attemptTimeout();
                    // the time limiter decides when an attempt has waited long enough; the client's read timeout comes
                    // a second later so the two never race for which message the person sees
                    configuration.setReadTimeout(timeout.plus(READ_TIMEOUT_MARGIN));
                    configuration.setConnectTimeout(timeout.compareTo(MAX_CONNECT_TIMEOUT) < 0 ? timeout : MAX_CONNECT_TIMEOUT);
                    configuration.setExceptionOnErrorStatus(false);
                    configuration.setFollowRedirects(true);
                    DefaultHttpClientBuilder builder = DefaultHttpClient.builder().uri(toUri(root)).configuration(configuration);
                    if (tls.isPresent()) {
                        builder.nettyClientSslBuilder(PemTls.of(tls.get()));
                    }
                    client = builder.build();
                }
                c = client;
            }
        }
        return c;
    }

    private static URI toUri(URL url) {
        try {
            return url.toURI();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String reason(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && (t.getMessage() == null || t instanceof java.util.concurrent.CompletionException)) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private static URI parse(String url) {
        if (url == null || url.isBlank()) {
            throw invalid(url, "it is empty");
        }
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw invalid(url, e.getMessage());
        }
        if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            throw invalid(url, "it must be an http:// or https:// URL with a host");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw invalid(url, "it must not have a query or fragment");
        }
        return uri;
    }

    private static UsageException invalid(String url, String why) {
        String safe = url == null ? "(none)" : url.replaceAll("//[^/@]*@", "//***@");
        return new UsageException("spec.prometheus.url " + safe + " is not usable: " + why.replaceAll("//[^/@]*@", "//***@")
                + ". Give the base URL of Prometheus, e.g. http://prometheus.istio-system:9090");
    }
}
