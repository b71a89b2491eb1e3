package org.hzpy.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.hzpy.Py;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A member's {@code /metrics} in the Prometheus text format: hzpy's meters and the JVM's own
 * (memory, GC, threads), on Micrometer's Prometheus registry, served by the JDK's HTTP server on
 * one daemon thread. Started by the plugin when {@code hzpy.metrics.prometheus-port} is set;
 * nothing of it exists otherwise.
 */
public final class PrometheusEndpoint implements AutoCloseable {
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gc;
    private final HttpServer server;
    private final ExecutorService thread;
    private final URI uri;

    private PrometheusEndpoint(PrometheusMeterRegistry registry, JvmGcMetrics gc, HttpServer server, ExecutorService thread) {
        this.registry = registry;
        this.gc = gc;
        this.server = server;
        this.thread = thread;
        InetSocketAddress a = server.getAddress();
        this.uri = URI.create("http://" + a.getHostString() + ":" + a.getPort() + "/metrics");
    }

    /**
     * @param port 0 for any free port
     * @throws UncheckedIOException if the address cannot be bound (in use, not this machine's)
     */
    public static PrometheusEndpoint start(Py py, String host, int port, String threadName) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        JvmGcMetrics gc = new JvmGcMetrics();
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 0);
        } catch (IOException e) {
            registry.close();
            gc.close();
            throw new UncheckedIOException("the Prometheus endpoint could not listen on " + host + ":" + port + ": " + e, e);
        }
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        HzpyMetrics.of(py).bindTo(registry);
        ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(thread);
        server.createContext("/metrics", exchange -> serve(exchange, registry));
        server.start();
        return new PrometheusEndpoint(registry, gc, server, thread);
    }

    private static void serve(HttpExchange exchange, PrometheusMeterRegistry registry) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(200, head ? -1 : body.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    /** Where it serves, with the port actually bound (e.g. http://127.0.0.1:41234/metrics). */
    public URI uri() {
        return uri;
    }

    @Override
    public void close() {
        server.stop(0);
        thread.shutdownNow();
        gc.close();
        registry.close();
    }
}
