package org.hzpy.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.Logger;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import org.hzpy.HzpySettings;
import org.hzpy.PyDeployException;
import org.hzpy.PyException;
import org.hzpy.PyModuleInfo;
import org.hzpy.PyOutcome;
import org.hzpy.PyResourceException;
import org.hzpy.PyTimeoutException;
import org.hzpy.PyUnavailableException;
import org.hzpy.deploy.PackageFiles;
import org.hzpy.runtime.PythonRuntime;
import org.hzpy.cluster.DeploymentRecords.Meta;
import org.hzpy.cluster.DeploymentRecords.Pointer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The cluster's deployed Python code ({@code Py.modules()}), kept in two of hzpy's own IMaps (one
 * backup at least, no expiry): {@value #MAP} holds each deployment's pointer (key: its name; value:
 * current version, 0 once removed, highest version, change number, kept versions) and each kept
 * version's description (key {@code name@version}); {@value #FILES_MAP} holds each kept version's
 * files (key {@code name@version}). Every member applies the pointers to its own runtime — at
 * once for changes made here or asked by the member that made them (the caller waits for every
 * member), through a map listener for anything missed, and all of them when the member joins —
 * writing each version's files to a directory of its own, which the runtime takes over.
 *
 * <p>Clients can write to any IMap, so pointers and descriptions carry the HMAC of their fields
 * under the {@link ClusterTrust} secret that only members hold, and files count only when their
 * SHA-256 is the one a signed description names: nothing a client writes there runs. A pointer
 * older than one this member applied (a replay) is ignored; a deleted pointer removes nothing.
 * Changes to one deployment are serialized cluster-wide by a lock on its pointer's key.
 *
 * <p>After a split-brain merge ({@link #rejoin}) the member follows the merged cluster's
 * deployments: what it had deployed on its side of the split and the cluster does not hold is
 * dropped, with a warning. While it merges it holds no secret: changes fail with
 * {@link PyUnavailableException} and catch-ups wait for the rejoin. Thread-safe.
 */
public final class ClusterDeployments implements ModuleStore {
    /** Pointers (key: name) and version descriptions (key: name@version). */
    static final String MAP = "hzpy.modules";
    /** Each kept version's files (key: name@version): [sha-256 hex, {path: bytes}]. */
    static final String FILES_MAP = "hzpy.module-files";
    private static final ILogger LOGGER = Logger.getLogger(ClusterDeployments.class);
    /** How long a change waits for another change of the same deployment (the lock on its pointer). */
    private static final Duration LOCK_WAIT = Duration.ofSeconds(30);
    /** How long a change waits for the other members to switch (asked on the control executor). */
    private static final Duration SPREAD_WAIT = Duration.ofSeconds(30);
    /** How long {@link #list()} waits for members to say what they loaded. */
    private static final Duration ANSWER_WAIT = Duration.ofSeconds(10);
    private static final int LOGGED_SKIPS = 20;
    /** How long a catch-up that the maps did not answer waits before it reads them again. */
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);

    private final HazelcastInstance member;
    private final PythonRuntime runtime;
    private final ClusterTrust trust;
    private final HzpySettings settings;
    private final ScheduledExecutorService listenerWork;
    /** A catch-up is scheduled because a read was not answered: one at a time. */
    private final java.util.concurrent.atomic.AtomicBoolean retryPending = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile IMap<String, Object> map;
    private volatile IMap<String, Object> files;
    private Path root;
    /** The change number of the last pointer applied here, per deployment: an older one is a replay. */
    private final Map<String, Long> applied = new HashMap<>();
    /**
     * The files' SHA-256 of the version current here, per deployment: after a merge the same version
     * number may name other files (both sides of a split deployed it).
     */
    private final Map<String, String> appliedDigests = new HashMap<>();
    private long skipped;

    ClusterDeployments(HazelcastInstance member, PythonRuntime runtime, ClusterTrust trust) {
        this.member = member;
        this.runtime = runtime;
        this.trust = trust;
        this.settings = runtime.settings();
        this.listenerWork = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hzpy-" + member.getName() + "-modules");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Once the member has joined and holds the cluster's secret: applies every deployment the
     * cluster holds, then follows changes. Never throws: what cannot be applied is logged.
     */
    void start() {
        try {
            root = Files.createTempDirectory("hzpy-modules-");
        } catch (IOException e) {
            throw new PyUnavailableException("hzpy could not make a directory for deployed modules: " + e);
        }
        map = member.getMap(MAP);
        files = member.getMap(FILES_MAP);
        map.addEntryListener((EntryAddedListener<String, Object>) this::changed, false);
        map.addEntryListener((EntryUpdatedListener<String, Object>) this::changed, false);
        catchUp();
    }

    void stop() {
        listenerWork.shutdownNow();
        Path r = root;
        if (r != null) { // the runtime, closed first, deleted the versions it held
            deleteQuietly(r);
        }
    }

    private void changed(EntryEvent<String, Object> event) {
        if (event.getKey() != null && !event.getKey().contains("@")) {
            try {
                listenerWork.execute(this::catchUp);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // stopping
            }
        }
    }

    // ------------------------------------------------------------------ changes

    @Override
    public long deploy(String name, PackageFiles packageFiles) {
        return deploy(name, packageFiles, "member " + member.getCluster().getLocalMember().getAddress());
    }

    long deploy(String name, PackageFiles packageFiles, String by) {
        ModuleStore.checkName(name);
        checkModules(name, packageFiles.topLevelNames());
        IMap<String, Object> m = started();
        long version;
        Pointer before;
        lock(name);
        try {
            before = pointer(name);
            version = (before == null ? 0 : before.highest()) + 1;
            List<Long> kept = new ArrayList<>(before == null ? List.of() : before.kept());
            kept.add(version);
            List<Long> pruned = new ArrayList<>();
            while (kept.size() > settings.deployHistory() + 1) {
                pruned.add(kept.remove(0));
            }
            checkStoredBytes(name, kept, packageFiles.totalBytes());
            files.set(key(name, version), new ArrayList<>(List.of(packageFiles.digest(), new HashMap<>(packageFiles.files()))));
            Meta meta = new Meta(name, version, packageFiles.totalBytes(), packageFiles.digest(),
                    List.copyOf(new TreeSet<>(packageFiles.topLevelNames())), by, System.currentTimeMillis());
            m.set(key(name, version), meta.signed(trust));
            m.set(name, new Pointer(name, version, version, seq(before) + 1, kept).signed(trust));
            for (long v : pruned) {
                m.delete(key(name, v));
                files.delete(key(name, v));
            }
        } finally {
            unlock(name);
        }
        switchEverywhere(name, before);
        return version;
    }

    @Override
    public void rollback(String name, long version) {
        ModuleStore.checkName(name);
        Pointer before;
        lock(name);
        try {
            before = existing(name, "roll back");
            if (!before.kept().contains(version)) {
                throw new PyDeployException("version " + version + " of " + name + " is not kept: the cluster keeps "
                        + before.kept() + " (hzpy.deploy-history=" + settings.deployHistory() + " earlier versions)");
            }
            Meta meta = meta(name, version);
            if (meta == null) {
                throw new PyDeployException("version " + version + " of " + name + " cannot be read from the cluster");
            }
            checkModules(name, Set.copyOf(meta.modules()));
            started().set(name, new Pointer(name, version, before.highest(), seq(before) + 1, before.kept()).signed(trust));
        } finally {
            unlock(name);
        }
        switchEverywhere(name, before);
    }

    @Override
    public void remove(String name) {
        ModuleStore.checkName(name);
        Pointer before;
        lock(name);
        try {
            before = existing(name, "remove");
            started().set(name, new Pointer(name, 0, before.highest(), seq(before) + 1, List.of()).signed(trust));
            for (long v : before.kept()) {
                started().delete(key(name, v));
                files.delete(key(name, v));
            }
        } finally {
            unlock(name);
        }
        switchEverywhere(name, null);
    }

    /**
     * Applies the change here, then asks every other member to, and waits (bounded). When this
     * member cannot apply it, the pointer goes back to {@code before} everywhere and the failure is thrown.
     */
    private void switchEverywhere(String name, Pointer before) {
        Map<String, String> problems = catchUp();
        if (problems.containsKey(name)) {
            if (before != null) {
                lock(name);
                try {
                    Pointer now = pointer(name);
                    started().set(name, new Pointer(name, before.current(), Math.max(before.highest(), now == null ? 0 : now.highest()),
                            seq(now) + 1, before.kept()).signed(trust));
                } finally {
                    unlock(name);
                }
                catchUp();
                spread();
            }
            throw new PyDeployException("the change of " + name + " was undone: this member could not apply it: " + problems.get(name));
        }
        spread();
    }

    private void spread() {
        Map<Member, Future<PyOutcome>> sent = member.getExecutorService(MemberParts.CONTROL_EXECUTOR)
                .submitToMembers(ModulesTask.apply(), MemberOps.otherDataMembers(member));
        long deadline = System.nanoTime() + SPREAD_WAIT.toNanos();
        for (Map.Entry<Member, Future<PyOutcome>> e : sent.entrySet()) {
            try {
                PyOutcome o = e.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (o.isOk() && o.value() instanceof Map<?, ?> problems && !problems.isEmpty()) {
                    LOGGER.warning("hzpy: " + e.getKey().getAddress() + " could not apply deployments: " + problems);
                }
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception ex) { // a member left or is slow: its listener or its start-up catches up
                LOGGER.warning("hzpy: " + e.getKey().getAddress() + " did not confirm a deployment change: " + ex);
            }
        }
    }

    /** A deployment may provide neither a reserved name nor one another current deployment provides. */
    private void checkModules(String name, Set<String> modules) {
        Set<String> reserved = new TreeSet<>(modules);
        reserved.retainAll(runtime.reservedModuleNames());
        if (!reserved.isEmpty()) {
            throw new PyDeployException(name + " would shadow " + String.join(", ", reserved) + " (the standard library's"
                    + " or hzpy's own): a deployment may not provide those names; rename the module");
        }
        for (Pointer p : pointers().values()) {
            if (p.name().equals(name) || p.current() == 0) {
                continue;
            }
            Meta other = meta(p.name(), p.current());
            if (other == null) {
                continue;
            }
            Set<String> both = new TreeSet<>(modules);
            both.retainAll(other.modules());
            if (!both.isEmpty()) {
                throw new PyDeployException(name + " provides " + String.join(", ", both) + ", which deployment "
                        + p.name() + " provides already: remove that one first, or deploy them as one");
            }
        }
    }

    /** The kept versions of every deployment, with {@code name}'s replaced by {@code kept} and a new one of {@code adding} bytes, within the limit. */
    private void checkStoredBytes(String name, List<Long> kept, long adding) {
        long total = adding;
        for (Pointer p : pointers().values()) {
            for (long v : p.name().equals(name) ? kept : p.kept()) {
                Meta meta = meta(p.name(), v);
                total += meta == null ? 0 : meta.size();
            }
        }
        if (total > settings.deployMaxBytes()) {
            throw new PyResourceException("the deployment of " + name + " (" + adding + " bytes) would make the cluster keep "
                    + total + " bytes of deployed code, more than hzpy.deploy-max-bytes=" + settings.deployMaxBytes()
                    + ": remove deployments, lower hzpy.deploy-history, or raise the limit");
        }
    }

    // ------------------------------------------------------------------ applying what the cluster holds

    /**
     * Makes this member's runtime hold what every verified pointer says, applying each pointer newer
     * than the last one applied here. Returns the deployments it could not apply, with why.
     */
    synchronized Map<String, String> catchUp() {
        Map<String, String> problems = new TreeMap<>();
        if (!trust.ready()) {
            return problems; // merging: nothing verifies now, and the rejoin reads every pointer
        }
        for (Pointer p : pointers(problems).values()) {
            if (p.seq() <= applied.getOrDefault(p.name(), 0L)) {
                continue;
            }
            try {
                apply(p);
                applied.put(p.name(), p.seq());
            } catch (UnansweredRead e) { // not the deployment's fault: applied once the maps answer
                problems.put(p.name(), notAnswered(e));
            } catch (RuntimeException e) {
                String why = e instanceof PyException ? e.getMessage() : e.toString();
                problems.put(p.name(), why);
                LOGGER.warning("hzpy: could not apply version " + p.current() + " of deployment " + p.name() + ": " + why);
            }
        }
        return problems;
    }

    private void apply(Pointer p) {
        if (p.current() == 0) {
            runtime.removeDeployment(p.name());
            appliedDigests.remove(p.name());
            return;
        }
        Meta meta = meta(p.name(), p.current());
        boolean sameNumber = Long.valueOf(p.current()).equals(runtime.deployedVersions().get(p.name()));
        if (sameNumber && (meta == null || meta.digest().equals(appliedDigests.get(p.name())))) {
            return;
        }
        if (meta == null) {
            throw new PyDeployException("its description is missing or not signed by a member of this cluster");
        }
        Object value = read(files, key(p.name(), p.current()));
        if (!(value instanceof List<?> l) || l.size() != 2 || !(l.get(1) instanceof Map<?, ?> raw)) {
            throw new PyDeployException("its files are missing or unreadable");
        }
        Map<String, byte[]> content = new HashMap<>();
        for (Map.Entry<?, ?> e : raw.entrySet()) {
            if (!(e.getKey() instanceof String path) || !(e.getValue() instanceof byte[] bytes)) {
                throw new PyDeployException("its files are not paths and bytes");
            }
            content.put(path, bytes);
        }
        PackageFiles checked = PackageFiles.of(content, settings.deployMaxBytes());
        if (!checked.digest().equals(meta.digest())) {
            throw new PyDeployException("its files are not the ones deployed (their SHA-256 differs from the signed one)");
        }
        Path dir;
        try {
            dir = Files.createTempDirectory(root, p.name() + "@" + p.current() + "-");
            checked.writeTo(dir);
        } catch (IOException e) {
            throw new PyDeployException("its files could not be written here: " + e);
        }
        try {
            if (sameNumber) { // other files under the same number: deployed on both sides of a split
                runtime.replaceDeployment(p.name(), p.current(), dir, checked.topLevelNames());
            } else {
                runtime.switchDeployment(p.name(), p.current(), dir, checked.topLevelNames());
            }
        } catch (RuntimeException e) {
            deleteQuietly(dir);
            throw e;
        }
        appliedDigests.put(p.name(), meta.digest());
    }

    /**
     * After a split-brain merge, once the member holds the merged cluster's secret: its runtime takes
     * every deployment as the cluster holds it (the cluster's version wins over one of the same name
     * deployed on this member's side of the split, even under the same version number), and drops
     * those the cluster lacks. Logs what it had that the cluster does not hold.
     *
     * @return the deployments it could not apply, with why (a read not answered: applied by a later catch-up)
     */
    synchronized Map<String, String> rejoin() {
        Map<String, Long> before = runtime.deployedVersions();
        Map<String, String> digestsBefore = new HashMap<>(appliedDigests);
        applied.clear(); // change numbers of the former cluster mean nothing here
        Map<String, String> problems = catchUp();
        Map<String, Pointer> now = pointers(problems);
        for (String name : before.keySet()) {
            Pointer p = now.get(name);
            if ((p == null || p.current() == 0) && !problems.containsKey(name)) {
                runtime.removeDeployment(name);
                appliedDigests.remove(name);
            }
        }
        List<String> dropped = new ArrayList<>();
        before.forEach((name, version) -> {
            Long kept = runtime.deployedVersions().get(name);
            if (!version.equals(kept) || !java.util.Objects.equals(digestsBefore.get(name), appliedDigests.get(name))) {
                dropped.add(name + " version " + version + (kept == null ? " (the cluster has no such deployment)"
                        : " (the cluster's version " + kept + " replaces it)"));
            }
        });
        if (!dropped.isEmpty()) {
            LOGGER.warning("hzpy: this member merged into another cluster and follows its deployments; it dropped what"
                    + " the cluster does not hold: " + String.join(", ", dropped));
        }
        return problems;
    }

    /**
     * Says why a read was not answered, and has the catch-up run again in {@link #RETRY_PAUSE}
     * (one pending at a time, until the member stops).
     */
    private String notAnswered(UnansweredRead e) {
        String why = e.getMessage() + "; read again every " + RETRY_PAUSE.toMillis() + " ms";
        if (retryPending.compareAndSet(false, true)) {
            LOGGER.warning("hzpy: " + why);
            try {
                listenerWork.schedule(() -> {
                    retryPending.set(false);
                    catchUp();
                }, RETRY_PAUSE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                retryPending.set(false);
            }
        }
        return why;
    }

    /**
     * Every verified pointer, by name; what does not verify is skipped (and logged, a few times),
     * and a pointer the map did not answer for goes into {@code problems} (and is read again later).
     */
    private Map<String, Pointer> pointers() {
        return pointers(null); // a read not answered fails the operation (PyUnavailableException: try again)
    }

    private Map<String, Pointer> pointers(Map<String, String> problems) {
        IMap<String, Object> m = started();
        Map<String, Pointer> out = new TreeMap<>();
        List<String> names = new ArrayList<>();
        for (String key : m.keySet()) {
            if (!key.contains("@")) {
                names.add(key);
            }
        }
        for (String name : names) {
            Object value;
            try {
                value = read(m, name);
            } catch (UnansweredRead e) {
                if (problems == null) {
                    throw e;
                }
                problems.put(name, notAnswered(e));
                continue;
            }
            Pointer p = Pointer.read(name, value, trust);
            if (p == null) {
                skip(name, value);
            } else {
                out.put(name, p);
            }
        }
        return out;
    }

    /** The pointer of a deployment that exists now, or a {@link PyDeployException} naming those that do. */
    private Pointer existing(String name, String toDo) {
        Pointer p = pointer(name);
        if (p == null || p.current() == 0) {
            throw new PyDeployException("there is no deployment named " + name + " to " + toDo + known());
        }
        return p;
    }

    private Pointer pointer(String name) {
        return Pointer.read(name, read(started(), name), trust);
    }

    private Meta meta(String name, long version) {
        return Meta.read(name, version, read(started(), key(name, version)), trust);
    }

    private static Object read(IMap<String, Object> m, String key) {
        return UnansweredRead.read(m, key);
    }

    private void skip(String key, Object value) {
        skipped++;
        if (skipped <= LOGGED_SKIPS) {
            LOGGER.warning("hzpy: the entry " + key + " of " + MAP + " is skipped: it was not written by a member of this cluster ("
                    + (value instanceof Throwable t ? "unreadable: " + t : value == null ? "gone" : value.getClass().getName()) + ")");
        }
    }

    // ------------------------------------------------------------------ reading

    @Override
    public List<PyModuleInfo> list() {
        Map<String, Map<?, ?>> loaded = loadedByMember();
        List<PyModuleInfo> out = new ArrayList<>();
        for (Pointer p : pointers().values()) {
            if (p.current() == 0) {
                continue;
            }
            Meta meta = meta(p.name(), p.current());
            if (meta == null) {
                continue;
            }
            List<String> by = new ArrayList<>();
            loaded.forEach((address, versions) -> {
                if (Long.valueOf(p.current()).equals(versions.get(p.name()))) {
                    by.add(address);
                }
            });
            by.sort(Comparator.naturalOrder());
            out.add(new PyModuleInfo(p.name(), p.current(), meta.size(), Set.copyOf(meta.modules()), meta.by(),
                    Instant.ofEpochMilli(meta.atMillis()), p.kept(), by));
        }
        return out;
    }

    /** What each member that answers in time has loaded: address → {name: version}. */
    private Map<String, Map<?, ?>> loadedByMember() {
        Map<Member, Future<PyOutcome>> answers = member.getExecutorService(MemberParts.CONTROL_EXECUTOR)
                .submitToAllMembers(ModulesTask.loaded());
        long deadline = System.nanoTime() + ANSWER_WAIT.toNanos();
        Map<String, Map<?, ?>> out = new TreeMap<>();
        for (Map.Entry<Member, Future<PyOutcome>> e : answers.entrySet()) {
            try {
                PyOutcome o = e.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (o.isOk() && o.value() instanceof Map<?, ?> versions) {
                    out.put(e.getKey().getAddress().toString(), versions);
                }
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new org.hzpy.PyCancelledException("interrupted while asking the members what they loaded");
            } catch (Exception ex) {
                LOGGER.warning("hzpy: " + e.getKey().getAddress() + " did not say which deployments it loaded: " + ex);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ helpers

    private static String key(String name, long version) {
        return name + "@" + version;
    }

    private static long seq(Pointer p) {
        return p == null ? 0 : p.seq();
    }

    private String known() {
        List<String> names = new ArrayList<>();
        pointers().values().forEach(p -> {
            if (p.current() != 0) {
                names.add(p.name());
            }
        });
        return names.isEmpty() ? " (there are none)" : " (there are " + String.join(", ", names) + ")";
    }

    private void lock(String name) {
        try {
            if (!started().tryLock(name, LOCK_WAIT.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new PyTimeoutException("another change of deployment " + name + " did not finish within "
                        + LOCK_WAIT.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new org.hzpy.PyCancelledException("interrupted while waiting for another change of deployment " + name);
        }
    }

    private void unlock(String name) {
        started().unlock(name);
    }

    private IMap<String, Object> started() {
        IMap<String, Object> m = map;
        if (m == null) {
            throw new PyUnavailableException("hzpy's deployments are not ready: the member is still starting");
        }
        if (!trust.ready()) {
            throw new PyUnavailableException("hzpy's deployments are not ready: this member is merging into another"
                    + " cluster (a split-brain healed) and holds no secret of that cluster yet; try again in a moment");
        }
        return m;
    }

    private static void deleteQuietly(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException e) {
            LOGGER.fine("hzpy: could not delete " + dir + ": " + e);
        }
    }
}
