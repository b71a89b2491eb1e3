package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import com.hazelcast.spi.impl.operationservice.Operation;

/**
 * A joining member's request for the cluster's secret (hzpy-plugin's {@code ClusterTrust}). An {@link Operation}:
 * only members can send it. Answers null where the member has no secret (yet) or no hzpy.
 */
public final class TrustSecretRequest extends Operation implements IdentifiedDataSerializable {
    private byte[] response;

    public TrustSecretRequest() {
    }

    @Override
    public void run() {
        HazelcastInstance member = getNodeEngine().getHazelcastInstance();
        // no hzpy here: no secret (as before the split, when no trust part was found)
        response = member.getUserContext().get(TaskHandlers.USER_CONTEXT_KEY) instanceof TaskHandlers handlers
                ? handlers.trustSecretForRequest(member) : null;
    }

    @Override
    public Object getResponse() {
        return response;
    }

    @Override
    public String getServiceName() {
        return MemberOps.SERVICE_NAME;
    }

    @Override
    public int getFactoryId() {
        return HzpySerializerHook.FACTORY_ID;
    }

    @Override
    public int getClassId() {
        return HzpySerializerHook.TRUST_SECRET_REQUEST;
    }
}
