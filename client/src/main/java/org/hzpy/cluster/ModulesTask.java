package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import org.hzpy.PyOutcome;
import org.hzpy.deploy.PackageFiles;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * A request about deployed modules, run on a member's control executor: from a client, a deploy,
 * rollback or remove (refused unless the member sets {@code hzpy.remote-deploy: true}) or a list;
 * from the member that changed a deployment, "apply what the cluster holds" (which only reads signed
 * entries: anyone may ask) and "which versions did you load" (information only).
 */
public final class ModulesTask implements Callable<PyOutcome>, IdentifiedDataSerializable, HazelcastInstanceAware {
    static final byte DEPLOY = 1;
    static final byte REMOVE = 2;
    static final byte ROLLBACK = 3;
    static final byte LIST = 4;
    static final byte APPLY = 5;
    static final byte LOADED = 6;
    /** Bounds what a request may carry before the member's own hzpy.deploy-max-bytes is checked. */
    private static final int MAX_FILES = 10_000;

    private byte kind;
    private String name;
    private long version;
    private String by;
    private Map<String, byte[]> files = Map.of();
    /** Why the request as read is refused (malformed), or null. */
    private String refused;
    private transient HazelcastInstance member;

    public ModulesTask() {
    }

    private ModulesTask(byte kind, String name, long version, String by, Map<String, byte[]> files) {
        this.kind = kind;
        this.name = name;
        this.version = version;
        this.by = by;
        this.files = files;
    }

    static ModulesTask deploy(String name, PackageFiles files, String by) {
        return new ModulesTask(DEPLOY, name, 0, by, files.files());
    }

    static ModulesTask remove(String name) {
        return new ModulesTask(REMOVE, name, 0, null, Map.of());
    }

    static ModulesTask rollback(String name, long version) {
        return new ModulesTask(ROLLBACK, name, version, null, Map.of());
    }

    static ModulesTask list() {
        return new ModulesTask(LIST, null, 0, null, Map.of());
    }

    static ModulesTask apply() {
        return new ModulesTask(APPLY, null, 0, null, Map.of());
    }

    static ModulesTask loaded() {
        return new ModulesTask(LOADED, null, 0, null, Map.of());
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance member) {
        this.member = member;
    }

    /** Runs on the member: its handling is the member's ({@link TaskHandlers#modules}). */
    @Override
    public PyOutcome call() {
        return TaskHandlers.of(member).modules(member, this);
    }

    byte kind() {
        return kind;
    }

    String name() {
        return name;
    }

    long version() {
        return version;
    }

    /** Who asked for a deploy, as they said (a client's name and UUID), or null. */
    String by() {
        return by;
    }

    Map<String, byte[]> files() {
        return files;
    }

    /** Why the request, as read, is refused, or null. */
    String refused() {
        return refused;
    }

    @Override
    public int getFactoryId() {
        return HzpySerializerHook.FACTORY_ID;
    }

    @Override
    public int getClassId() {
        return HzpySerializerHook.MODULES_TASK;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeByte(kind);
        out.writeString(name);
        out.writeLong(version);
        out.writeString(by);
        out.writeInt(files.size());
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            out.writeString(e.getKey());
            out.writeInt(e.getValue().length);
            out.write(e.getValue());
        }
    }

    /** Reads the request as sent; what a member must not accept ends the reading, and the request is refused when it runs. */
    @Override
    public void readData(ObjectDataInput in) throws IOException {
        try {
            kind = in.readByte();
            if (kind < DEPLOY || kind > LOADED) {
                throw new WireValues.Refused("a request of unknown kind " + kind, false);
            }
            name = in.readString();
            version = in.readLong();
            by = in.readString();
            if (by != null && by.length() > 300) {
                by = by.substring(0, 300);
            }
            int n = WireValues.count(in, 8, "a file count"); // a path's length and a size each
            if (n > MAX_FILES) {
                throw new WireValues.Refused(n + " files, more than " + MAX_FILES, false);
            }
            Map<String, byte[]> read = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                String path = in.readString();
                byte[] bytes = new byte[WireValues.count(in, 1, "a file's size")];
                in.readFully(bytes);
                if (path == null || read.put(path, bytes) != null) {
                    throw new WireValues.Refused("a file without a path, or twice", false);
                }
            }
            files = read;
        } catch (WireValues.Refused e) {
            refused = e.getMessage();
        } catch (java.io.EOFException | RuntimeException e) {
            refused = "the message ends before what it announces";
        }
    }
}
