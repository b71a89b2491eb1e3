package org.hzpy.cluster;

import com.hazelcast.internal.serialization.DataSerializerHook;
import com.hazelcast.nio.serialization.DataSerializableFactory;
import org.hzpy.PyOutcome;

/**
 * Registers hzpy's wire types with Hazelcast on members and clients alike (found through
 * {@code META-INF/services/com.hazelcast.DataSerializerHook}), so no serialization configuration
 * is needed and nothing travels with Java serialization.
 */
public final class HzpySerializerHook implements DataSerializerHook {
    /** hzpy's factory id: a user factory must not use it. */
    public static final int FACTORY_ID = WireIds.FACTORY_ID;

    static final int PY_TASK = 1;
    static final int PY_OUTCOME = WireIds.PY_OUTCOME;
    static final int APPLY_EXEC_LOG = 3;
    static final int CANCEL_REMOTE_CALL = 4;
    static final int LIMIT_OP = 5;
    static final int LIMIT_FUNCTION = 6;
    static final int STATE_INCREMENT = org.hzpy.state.StateIncrement.CLASS_ID;
    static final int PY_BATCH_TASK = 8;
    static final int FUNCTION_TASK = 9;
    static final int MEMORY_STATS_TASK = 10;
    static final int TRUST_SECRET_REQUEST = 11;
    static final int CALLBACK_OP = 19;
    static final int MEMBER_BATCH_OP = 20;
    static final int STREAM_OPEN = 21;
    static final int STREAM_PULL = 22;
    static final int STREAM_CLOSE = 23;
    static final int STREAM_OPEN_OP = 24;
    static final int MODULES_TASK = 25;

    @Override
    public int getFactoryId() {
        return FACTORY_ID;
    }

    @Override
    public DataSerializableFactory createFactory() {
        return typeId -> switch (typeId) {
            case PY_TASK -> new PyTask();
            case PY_OUTCOME -> new PyOutcome();
            case APPLY_EXEC_LOG -> new ApplyExecLog();
            case CANCEL_REMOTE_CALL -> new CancelRemoteCall();
            case LIMIT_OP -> new LimitOp();
            case LIMIT_FUNCTION -> new LimitFunction();
            case STATE_INCREMENT -> new org.hzpy.state.StateIncrement();
            case PY_BATCH_TASK -> new PyBatchTask();
            case FUNCTION_TASK -> new FunctionTask();
            case MEMORY_STATS_TASK -> new MemoryStatsTask();
            case TRUST_SECRET_REQUEST -> new TrustSecretRequest();
            case CALLBACK_OP -> new CallbackOp();
            case MEMBER_BATCH_OP -> new MemberBatchOp();
            case STREAM_OPEN -> new StreamOpen();
            case STREAM_PULL -> new StreamPull();
            case STREAM_CLOSE -> new StreamClose();
            case STREAM_OPEN_OP -> new StreamOpenOp();
            case MODULES_TASK -> new ModulesTask();
            default -> null;
        };
    }
}
