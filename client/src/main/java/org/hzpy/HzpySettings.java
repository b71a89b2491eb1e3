package org.hzpy;

import com.hazelcast.config.InvalidConfigurationException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The plugin's settings, read from the {@code hzpy.*} entries of the member's
 * {@code properties:} in {@code hazelcast.yaml}. Every entry is checked at once; an unknown
 * {@code hzpy.} key or a bad value stops the member with one message naming each key, its value
 * and what is allowed. Immutable and thread-safe.
 *
 * <table>
 * <caption>Keys</caption>
 * <tr><th>key</th><th>values</th><th>default</th></tr>
 * <tr><td>hzpy.execution-mode</td><td>isolated | shared</td><td>isolated</td></tr>
 * <tr><td>hzpy.contexts</td><td>1..256 (isolated mode)</td><td>number of cores</td></tr>
 * <tr><td>hzpy.executors</td><td>1..1024 threads in the shared context</td><td>4</td></tr>
 * <tr><td>hzpy.max-concurrent</td><td>1..1000000</td><td>cores × 2 + 1</td></tr>
 * <tr><td>hzpy.call-timeout</td><td>duration: 500ms, 30s, 5m, 1h or ISO-8601</td><td>30s</td></tr>
 * <tr><td>hzpy.max-call-timeout</td><td>duration, at least hzpy.call-timeout: the longest any call may
 * run, whatever timeout its caller asks for (local calls, remote calls, eval and exec alike)</td><td>1h</td></tr>
 * <tr><td>hzpy.module-path</td><td>comma-separated existing directories, .zip files and pure-Python wheels
 * (.whl), importable read-only</td><td>none</td></tr>
 * <tr><td>hzpy.prewarm</td><td>true | false</td><td>true</td></tr>
 * <tr><td>hzpy.warmup-modules</td><td>default | none | comma-separated module names: with pre-warm, modules each
 * context imports and (those hzpy knows) runs for a bounded time in idle moments after its start-up warm-up, so
 * their code is compiled before a first call needs it</td><td>default: builtins, json, re, datetime,
 * collections, dataclasses, typing, decimal, itertools, functools and other everyday modules</td></tr>
 * <tr><td>hzpy.warmup-jobs</td><td>0..100000: with pre-warm, on a member with Jet and its resource upload on,
 * how many times each context runs a Jet job's per-context work (a module scope in, its module imported and
 * called, the scope out) in idle moments, so the member's first jobs find that code compiled; 0: never</td>
 * <td>3000</td></tr>
 * <tr><td>hzpy.engine</td><td>per-context | shared</td><td>per-context</td></tr>
 * <tr><td>hzpy.json-decoder</td><td>auto | native | python: json's scanner (auto: the native one until
 * pre-warm has trained the Python one to be faster)</td><td>auto</td></tr>
 * <tr><td>hzpy.sandbox</td><td>strict | trusted</td><td>strict</td></tr>
 * <tr><td>hzpy.memory-guard</td><td>off | 50% .. 99% of the maximum heap</td><td>90%</td></tr>
 * <tr><td>hzpy.remote-eval</td><td>true | false: eval and exec arriving through the cluster (from
 * clients, or keyed calls from other members)</td><td>false</td></tr>
 * <tr><td>hzpy.remote-modules</td><td>module-path | any | comma-separated module names: what calls
 * arriving through the cluster may call (functions defined by exec, in {@code __main__}, always); {@code any}
 * lets clients run any code, as remote-eval does</td><td>module-path</td></tr>
 * <tr><td>hzpy.remote-callbacks</td><td>true | false: clients may call the Java functions registered on
 * the member ({@code Py.registerFunction}); Python on members always may</td><td>false</td></tr>
 * <tr><td>hzpy.cluster-max-concurrent</td><td>off | 1..1000000 Python calls running in the whole
 * cluster (the first member to start sets it; {@code Py.clusterSemaphore()} changes it)</td><td>off</td></tr>
 * <tr><td>hzpy.cluster-limit-backend</td><td>auto | atomic-long | imap-entry-processor: where the
 * cluster-wide limit is kept; auto takes an IAtomicLong where the cluster's CP subsystem serves one
 * (Enterprise with CP, community before 5.5), else an IMap entry</td><td>auto</td></tr>
 * <tr><td>hzpy.state-map</td><td>the IMap that holds the shared state (its backups: under {@code map:})</td><td>hzpy.state</td></tr>
 * <tr><td>hzpy.metrics.prometheus-port</td><td>off | 0..65535: serve the member's meters at
 * {@code /metrics} in the Prometheus text format (0: a free port, logged)</td><td>off</td></tr>
 * <tr><td>hzpy.metrics.prometheus-host</td><td>the address that endpoint listens on</td><td>127.0.0.1</td></tr>
 * <tr><td>hzpy.exec-log-limit</td><td>1..100000 entries in the cluster's exec log</td><td>1000</td></tr>
 * <tr><td>hzpy.abandon-after</td><td>duration from 1s: how long a stopped call may ignore its interrupt
 * before its context is given up</td><td>10s</td></tr>
 * <tr><td>hzpy.stream-idle-timeout</td><td>positive duration: a stream ({@code Py.stream}) with no pull for
 * this long is closed (its generator's {@code finally} runs) and its permit freed</td><td>60s</td></tr>
 * <tr><td>hzpy.async-max-pending</td><td>1..1000000: coroutine calls and {@code hzpy.call_async} awaits
 * pending at once on the member, together (more are refused)</td><td>100000</td></tr>
 * <tr><td>hzpy.remote-deploy</td><td>true | false: clients may deploy, roll back and remove Python code
 * cluster-wide ({@code Py.modules()}); member code always may</td><td>false</td></tr>
 * <tr><td>hzpy.deploy-max-bytes</td><td>1KB..1GB (plain bytes, or with KB, MB, GB): the Python code the
 * cluster keeps deployed, every kept version of every deployment together</td><td>64MB</td></tr>
 * <tr><td>hzpy.deploy-history</td><td>0..100: earlier versions kept per deployment for rollback</td><td>5</td></tr>
 * </table>
 */
public final class HzpySettings {
    /** {@link #remoteModules()}: the modules found on {@code hzpy.module-path}. */
    public static final String MODULE_PATH = "module-path";
    /** {@link #remoteModules()}: any module but the runtime's internals. */
    public static final String ANY_MODULE = "any";

    /** Prefix of every hzpy property. */
    public static final String PREFIX = "hzpy.";

    private static final int CORES = Runtime.getRuntime().availableProcessors();
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");
    /** {@code hzpy.warmup-modules: default}: the everyday modules, in the order they are warmed up. */
    public static final List<String> DEFAULT_WARMUP_MODULES = List.of("builtins", "json", "re", "datetime",
            "collections", "dataclasses", "typing", "decimal", "itertools", "functools", "math", "statistics", "string",
            "enum", "copy", "random", "heapq", "bisect", "operator", "textwrap", "base64", "hashlib", "csv", "fractions",
            "io", "struct");

    /** Whether contexts share one polyglot engine (less memory, shared code) or own one each. */
    public enum EngineSharing { SHARED, PER_CONTEXT }

    /** Which scanner json.loads uses; each decodes, and fails, as CPython's json does. */
    public enum JsonDecoder {
        /** The native scanner, until pre-warm has trained the Python one to beat it (per context). */
        AUTO,
        /** GraalPy's native scanner: fast from the first call, but slow and quadratic on long arrays. */
        NATIVE,
        /** json's own Python scanner: slow until the JIT has compiled it, then several times faster. */
        PYTHON
    }

    /** How much host access Python code gets. */
    public enum Sandbox {
        /** No host classes, processes, threads, sockets, native code or environment; read-only module path. */
        STRICT,
        /** Full host access, for trusted code only. */
        TRUSTED
    }

    private final ExecutionMode executionMode;
    private final int contexts;
    private final int executors;
    private final int maxConcurrent;
    private final Duration callTimeout;
    private final Duration maxCallTimeout;
    private final List<Path> modulePath;
    private final boolean prewarm;
    private final List<String> warmupModules;
    private final int warmupJobs;
    private final EngineSharing engineSharing;
    private final JsonDecoder jsonDecoder;
    private final Sandbox sandbox;
    private final double memoryGuard;
    private final Duration abandonAfter;
    private final Duration streamIdleTimeout;
    private final boolean remoteEval;
    private final boolean remoteCallbacks;
    private final int execLogLimit;
    private final int asyncMaxPending;
    private final boolean remoteDeploy;
    private final long deployMaxBytes;
    private final int deployHistory;
    private final int clusterMaxConcurrent;
    private final String clusterLimitBackend;
    private final String stateMap;
    private final List<String> remoteModules;
    /** -1: no endpoint. */
    private final int prometheusPort;
    private final String prometheusHost;

    private HzpySettings(Reader r) {
        executionMode = r.get("execution-mode", "isolated | shared", ExecutionMode.ISOLATED,
                v -> ExecutionMode.valueOf(v.toUpperCase(Locale.ROOT)));
        contexts = r.get("contexts", "an integer from 1 to 256", CORES, v -> intIn(v, 1, 256));
        executors = r.get("executors", "an integer from 1 to 1024", 4, v -> intIn(v, 1, 1024));
        maxConcurrent = r.get("max-concurrent", "an integer from 1 to 1000000", CORES * 2 + 1,
                v -> intIn(v, 1, 1_000_000));
        callTimeout = r.get("call-timeout", "a positive duration such as 500ms, 30s, 5m, 1h or PT30S",
                Duration.ofSeconds(30), HzpySettings::duration);
        maxCallTimeout = r.get("max-call-timeout", "a positive duration such as 10m, 1h or PT1H, at least hzpy.call-timeout",
                Duration.ofHours(1), HzpySettings::duration);
        if (callTimeout.compareTo(maxCallTimeout) > 0) {
            r.problem("hzpy.call-timeout = " + callTimeout + " is longer than hzpy.max-call-timeout = " + maxCallTimeout
                    + "; raise hzpy.max-call-timeout or lower hzpy.call-timeout");
        }
        modulePath = r.get("module-path", "comma-separated existing directories, .zip files and pure-Python wheels (.whl)",
                List.of(), HzpySettings::modulePathEntries);
        prewarm = r.get("prewarm", "true | false", true, HzpySettings::bool);
        warmupModules = r.get("warmup-modules", "default, none, or comma-separated module names such as json, re, mylib.util",
                DEFAULT_WARMUP_MODULES, HzpySettings::warmupModuleNames);
        warmupJobs = r.get("warmup-jobs", "an integer from 0 to 100000", 3000, v -> intIn(v, 0, 100_000));
        engineSharing = r.get("engine", "per-context | shared", EngineSharing.PER_CONTEXT,
                v -> EngineSharing.valueOf(v.toUpperCase(Locale.ROOT).replace('-', '_')));
        jsonDecoder = r.get("json-decoder", "auto | native | python", JsonDecoder.AUTO,
                v -> JsonDecoder.valueOf(v.toUpperCase(Locale.ROOT)));
        sandbox = r.get("sandbox", "strict | trusted", Sandbox.STRICT,
                v -> Sandbox.valueOf(v.toUpperCase(Locale.ROOT)));
        memoryGuard = r.get("memory-guard", "off, or a share of the maximum heap from 50% to 99% (e.g. 90%)", 0.9,
                HzpySettings::heapShare);
        abandonAfter = r.get("abandon-after", "a duration of at least 1s such as 10s, 1m or PT10S",
                Duration.ofSeconds(10), v -> atLeast(duration(v), Duration.ofSeconds(1)));
        streamIdleTimeout = r.get("stream-idle-timeout", "a positive duration such as 500ms, 60s, 5m or PT60S",
                Duration.ofSeconds(60), HzpySettings::duration);
        clusterMaxConcurrent = r.get("cluster-max-concurrent", "off, or an integer from 1 to 1000000", 0,
                v -> v.trim().equalsIgnoreCase("off") ? 0 : intIn(v, 1, 1_000_000));
        clusterLimitBackend = r.get("cluster-limit-backend", "auto | atomic-long | imap-entry-processor", "auto",
                v -> oneOf(v, "auto", "atomic-long", "imap-entry-processor"));
        stateMap = r.get("state-map", "an IMap name", "hzpy.state", HzpySettings::mapName);
        execLogLimit = r.get("exec-log-limit", "an integer from 1 to 100000", 1000, v -> intIn(v, 1, 100_000));
        remoteEval = r.get("remote-eval", "true | false", false, HzpySettings::bool);
        remoteCallbacks = r.get("remote-callbacks", "true | false", false, HzpySettings::bool);
        remoteModules = r.get("remote-modules", "module-path, any, or comma-separated module names",
                List.of(MODULE_PATH), HzpySettings::moduleNames);
        prometheusPort = r.get("metrics.prometheus-port", "off, or a port from 0 (any free port) to 65535", -1,
                v -> v.trim().equalsIgnoreCase("off") ? -1 : intIn(v, 0, 65_535));
        prometheusHost = r.get("metrics.prometheus-host", "an address of this machine, such as 127.0.0.1 or 0.0.0.0", "127.0.0.1",
                HzpySettings::address);
        asyncMaxPending = r.get("async-max-pending", "an integer from 1 to 1000000", 100_000, v -> intIn(v, 1, 1_000_000));
        remoteDeploy = r.get("remote-deploy", "true | false", false, HzpySettings::bool);
        deployMaxBytes = r.get("deploy-max-bytes", "a size from 1KB to 1GB (bytes, or with KB, MB or GB)", 64L << 20,
                v -> sizeIn(v, 1L << 10, 1L << 30));
        deployHistory = r.get("deploy-history", "an integer from 0 to 100", 5, v -> intIn(v, 0, 100));
        r.rejectUnknownKeys();
        r.throwIfInvalid();
    }

    /** The defaults: what a member gets with no {@code hzpy.*} properties. */
    public static HzpySettings defaults() {
        return new HzpySettings(new Reader(Map.of()));
    }

    /**
     * Reads the {@code hzpy.*} entries of {@code properties}; other keys are ignored.
     *
     * @throws InvalidConfigurationException naming every bad or unknown {@code hzpy.} key
     */
    public static HzpySettings fromProperties(Properties properties) {
        Map<String, String> mine = new TreeMap<>();
        for (String key : properties.stringPropertyNames()) {
            if (key.startsWith(PREFIX)) {
                mine.put(key, properties.getProperty(key));
            }
        }
        return new HzpySettings(new Reader(mine));
    }

    public ExecutionMode executionMode() {
        return executionMode;
    }

    /** Contexts in ISOLATED mode (SHARED mode always has one). */
    public int contexts() {
        return executionMode == ExecutionMode.SHARED ? 1 : contexts;
    }

    /** Threads that may be in a context at once: {@code executors} in SHARED mode, one per context in ISOLATED mode. */
    public int executors() {
        return executionMode == ExecutionMode.SHARED ? executors : contexts;
    }

    public int maxConcurrent() {
        return maxConcurrent;
    }

    public Duration callTimeout() {
        return callTimeout;
    }

    /** The longest any call may run here: a longer timeout asked for by its caller is cut to this. */
    public Duration maxCallTimeout() {
        return maxCallTimeout;
    }

    public List<Path> modulePath() {
        return modulePath;
    }

    public boolean prewarm() {
        return prewarm;
    }

    /** Modules each context warms up in idle moments after its start-up warm-up (with pre-warm); empty: none. */
    public List<String> warmupModules() {
        return warmupModules;
    }

    /**
     * How many times each context runs a Jet job's per-context work in idle moments (with pre-warm,
     * on a member with Jet and its resource upload on); 0: never.
     */
    public int warmupJobs() {
        return warmupJobs;
    }

    public EngineSharing engineSharing() {
        return engineSharing;
    }

    public JsonDecoder jsonDecoder() {
        return jsonDecoder;
    }

    public Sandbox sandbox() {
        return sandbox;
    }

    /**
     * The memory guard's limit as a share of the maximum heap (0 when off): past it, running Python
     * calls are interrupted and new ones refused with {@link PyResourceException}.
     */
    public double memoryGuard() {
        return memoryGuard;
    }

    /**
     * How long a call that was told to stop (timeout, cancellation, memory guard) may go on ignoring
     * its interrupt, as a builtin operation that never checks for one does, before hzpy gives up on
     * its context: the caller's permit is released, an asynchronous caller is answered, and a fresh
     * context takes the old one's place.
     */
    public Duration abandonAfter() {
        return abandonAfter;
    }

    /** How long a stream may go without a pull before it is closed and its permit freed. */
    public Duration streamIdleTimeout() {
        return streamIdleTimeout;
    }

    /** The cluster-wide limit this member starts with, 0 when off. */
    public int clusterMaxConcurrent() {
        return clusterMaxConcurrent;
    }

    /** Where the cluster-wide limit is kept: auto, atomic-long or imap-entry-processor. */
    public String clusterLimitBackend() {
        return clusterLimitBackend;
    }

    /** The IMap that holds the shared state ({@code py.state()}, {@code hzpy.state_*} in Python). */
    public String stateMap() {
        return stateMap;
    }

    /** How many exec entries the cluster's log holds at most (the same on every member, please). */
    public int execLogLimit() {
        return execLogLimit;
    }

    /**
     * How many coroutine calls ({@code async def} through call/callAsync) and {@code hzpy.call_async}
     * awaits may be pending on this member at once, together; more are refused.
     */
    public int asyncMaxPending() {
        return asyncMaxPending;
    }

    /** Whether clients may deploy, roll back and remove Python code cluster-wide (member code always may). */
    public boolean remoteDeploy() {
        return remoteDeploy;
    }

    /** The most bytes of Python code the cluster keeps deployed (every kept version of every deployment). */
    public long deployMaxBytes() {
        return deployMaxBytes;
    }

    /** How many earlier versions of a deployment are kept for rollback. */
    public int deployHistory() {
        return deployHistory;
    }

    /** Whether eval and exec may arrive through the cluster (from clients or other members). */
    public boolean remoteEval() {
        return remoteEval;
    }

    /** Whether clients may call the Java functions registered on this member (members always may). */
    public boolean remoteCallbacks() {
        return remoteCallbacks;
    }

    /**
     * What calls arriving through the cluster may call: {@link #MODULE_PATH}, {@link #ANY_MODULE},
     * or module names. Functions defined by exec ({@code __main__}) are always callable; the
     * runtime's internals never are.
     */
    public List<String> remoteModules() {
        return remoteModules;
    }

    @Override
    public String toString() {
        return "execution-mode=" + executionMode.name().toLowerCase(Locale.ROOT) + ", contexts=" + contexts()
                + ", executors=" + executors() + ", max-concurrent=" + maxConcurrent + ", call-timeout=" + callTimeout + ", max-call-timeout=" + maxCallTimeout
                + ", module-path=" + modulePath + ", prewarm=" + prewarm + ", warmup-modules="
                + (warmupModules.equals(DEFAULT_WARMUP_MODULES) ? "default" : warmupModules) + ", warmup-jobs=" + warmupJobs
                + ", engine="
                + engineSharing.name().toLowerCase(Locale.ROOT).replace('_', '-') + ", json-decoder="
                + jsonDecoder.name().toLowerCase(Locale.ROOT) + ", sandbox="
                + sandbox.name().toLowerCase(Locale.ROOT) + ", memory-guard="
                + (memoryGuard == 0 ? "off" : Math.round(memoryGuard * 100) + "%") + ", abandon-after=" + abandonAfter + ", stream-idle-timeout=" + streamIdleTimeout + ", cluster-max-concurrent=" + (clusterMaxConcurrent == 0 ? "off" : clusterMaxConcurrent)
                + ", cluster-limit-backend=" + clusterLimitBackend + ", state-map=" + stateMap + ", exec-log-limit=" + execLogLimit + ", async-max-pending=" + asyncMaxPending + ", remote-deploy=" + remoteDeploy + ", deploy-max-bytes=" + deployMaxBytes + ", deploy-history=" + deployHistory + ", remote-eval=" + remoteEval + ", remote-callbacks=" + remoteCallbacks + ", remote-modules="
                + String.join(",", remoteModules) + ", metrics.prometheus-port="
                + (prometheusPort < 0 ? "off" : prometheusPort + " on " + prometheusHost);
    }

    /** The port of the member's Prometheus endpoint (0: any free one); empty: no endpoint. */
    public java.util.OptionalInt prometheusPort() {
        return prometheusPort < 0 ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(prometheusPort);
    }

    public String prometheusHost() {
        return prometheusHost;
    }

    private static String address(String v) {
        String a = v.trim();
        if (a.isEmpty() || a.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("not an address");
        }
        return a;
    }

    private static String mapName(String v) {
        String name = v.trim();
        if (name.isEmpty() || name.length() > 255 || name.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException();
        }
        return name;
    }

    private static String oneOf(String v, String... allowed) {
        String value = v.trim().toLowerCase(Locale.ROOT);
        if (!List.of(allowed).contains(value)) {
            throw new IllegalArgumentException();
        }
        return value;
    }

    private static int intIn(String v, int min, int max) {
        int n = Integer.parseInt(v.trim());
        if (n < min || n > max) {
            throw new IllegalArgumentException();
        }
        return n;
    }

    /** A size such as 65536, 64KB, 64MB or 1GB (binary units), from {@code min} to {@code max} bytes. */
    private static long sizeIn(String v, long min, long max) {
        String t = v.trim().toUpperCase(Locale.ROOT);
        int shift = t.endsWith("KB") ? 10 : t.endsWith("MB") ? 20 : t.endsWith("GB") ? 30 : 0;
        long n = Long.parseLong(shift == 0 ? t : t.substring(0, t.length() - 2).trim());
        if (n < 0 || n > (max >> shift) || (n << shift) < min) {
            throw new IllegalArgumentException();
        }
        return n << shift;
    }

    private static List<String> moduleNames(String v) {
        List<String> names = new ArrayList<>();
        for (String part : v.split(",")) {
            String name = part.trim();
            if (name.isEmpty()) {
                continue;
            }
            if (!name.equals(MODULE_PATH) && !name.equals(ANY_MODULE)
                    && !name.matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*")) {
                throw new BadValue("not a module name: " + name);
            }
            names.add(name);
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException();
        }
        return Collections.unmodifiableList(names);
    }

    private static List<String> warmupModuleNames(String v) {
        String trimmed = v.trim().toLowerCase(Locale.ROOT);
        if (trimmed.equals("default")) {
            return DEFAULT_WARMUP_MODULES;
        }
        if (trimmed.equals("none")) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        for (String part : v.split(",")) {
            String name = part.trim();
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*")) {
                throw new BadValue(name.isEmpty() ? "an empty module name" : "not a module name: " + name);
            }
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        return Collections.unmodifiableList(names);
    }

    private static Duration atLeast(Duration d, Duration min) {
        if (d.compareTo(min) < 0) {
            throw new IllegalArgumentException();
        }
        return d;
    }

    private static double heapShare(String v) {
        String s = v.trim().toLowerCase(Locale.ROOT);
        if (s.equals("off") || s.equals("false")) {
            return 0;
        }
        int percent = intIn(s.endsWith("%") ? s.substring(0, s.length() - 1) : s, 50, 99);
        return percent / 100.0;
    }

    private static boolean bool(String v) {
        switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true": return true;
            case "false": return false;
            default: throw new IllegalArgumentException();
        }
    }

    static Duration duration(String v) {
        String s = v.trim().toLowerCase(Locale.ROOT);
        Duration d;
        Matcher m = DURATION.matcher(s);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            switch (m.group(2)) {
                case "ms": d = Duration.ofMillis(n); break;
                case "s": d = Duration.ofSeconds(n); break;
                case "m": d = Duration.ofMinutes(n); break;
                default: d = Duration.ofHours(n); break;
            }
        } else {
            try {
                d = Duration.parse(v.trim());
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(e);
            }
        }
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException();
        }
        return d;
    }

    /** Directories, and archives that zipimport reads in place (a wheel with native code stops the member). */
    private static List<Path> modulePathEntries(String v) {
        List<Path> entries = new ArrayList<>();
        for (String part : v.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            Path p = Path.of(part.trim()).toAbsolutePath().normalize();
            if (Files.isRegularFile(p) && org.hzpy.deploy.ModulePathArchive.isArchiveName(p)) {
                try {
                    org.hzpy.deploy.ModulePathArchive.check(p);
                } catch (PyDeployException e) {
                    throw new BadValue(e.getMessage());
                }
            } else if (!Files.isDirectory(p)) {
                throw new BadValue("not a directory, .zip or .whl: " + p);
            }
            entries.add(p);
        }
        return Collections.unmodifiableList(entries);
    }

    /** A value that is wrong for a reason worth naming in the message. */
    private static final class BadValue extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        BadValue(String detail) {
            super(detail);
        }
    }

    /** Reads keys one by one, collecting every problem before failing. */
    private static final class Reader {
        private final Map<String, String> values;
        private final List<String> known = new ArrayList<>();
        private final List<String> problems = new ArrayList<>();

        Reader(Map<String, String> values) {
            this.values = values;
        }

        <T> T get(String name, String allowed, T fallback, Function<String, T> parse) {
            String key = PREFIX + name;
            known.add(key);
            String raw = values.get(key);
            if (raw == null) {
                return fallback;
            }
            try {
                return parse.apply(raw);
            } catch (RuntimeException e) {
                String detail = e instanceof BadValue ? " (" + e.getMessage() + ")" : "";
                problems.add(key + " = '" + raw + "' is invalid" + detail + "; allowed: " + allowed);
                return fallback;
            }
        }

        void problem(String message) {
            problems.add(message);
        }

        void rejectUnknownKeys() {
            for (String key : values.keySet()) {
                if (!known.contains(key)) {
                    problems.add(key + " = '" + values.get(key) + "' is not an hzpy setting; known keys: "
                            + String.join(", ", known));
                }
            }
        }

        void throwIfInvalid() {
            if (!problems.isEmpty()) {
                throw new InvalidConfigurationException("Invalid hzpy settings in hazelcast.yaml properties:\n  - "
                        + String.join("\n  - ", problems));
            }
        }
    }
}
