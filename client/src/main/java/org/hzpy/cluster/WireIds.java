package org.hzpy.cluster;

/**
 * The serialization ids a wire type outside this package needs ({@code org.hzpy.PyOutcome}), in a
 * class that depends on nothing: the hook that creates the types names them too, so a type naming
 * the hook itself would close a circle. {@link HzpySerializerHook} allocates every id. Constants only.
 */
public final class WireIds {
    /** hzpy's factory id: a user factory must not use it. */
    public static final int FACTORY_ID = 7_219_001;
    public static final int PY_OUTCOME = 2;

    private WireIds() {
    }
}
