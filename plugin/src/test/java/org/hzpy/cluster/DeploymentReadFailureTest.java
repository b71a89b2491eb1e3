package org.hzpy.cluster;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import org.hzpy.Py;
import org.hzpy.support.Await;
import org.hzpy.support.FailingReads;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A member that cannot read a deployment's files for a while loads them once it can, without
 * waiting for the next deployment ({@code members/deploy-join.yaml}, a cluster of the test's own).
 */
class DeploymentReadFailureTest {
    private final List<HazelcastInstance> members = new ArrayList<>();

    @AfterEach
    void stop() {
        FailFileReads.armed = false;
        members.forEach(m -> m.getLifecycleService().terminate());
    }

    private HazelcastInstance startMember() {
        HazelcastInstance m = Hazelcast.newHazelcastInstance(TestMembers.config("members/deploy-join.yaml"));
        members.add(m);
        return m;
    }

    @Test
    void aJoinerThatCannotReadTheFiles_loadsThemOnceTheMapAnswers() {
        // Given a deployment, and a files map that does not answer reads for now
        HazelcastInstance first = startMember();
        TestMembers.py(first).modules().deploy("greeting", Map.of("greeting.py", "def hello(name):\n    return 'hi ' + name\n"));
        IMap<Object, Object> files = first.getMap(ClusterDeployments.FILES_MAP);
        String interceptor = files.addInterceptor(new FailFileReads());
        FailFileReads.armed = true;

        // When a member joins meanwhile, and the map answers again afterwards
        HazelcastInstance late = startMember();
        Py onLate = TestMembers.py(late);
        FailFileReads.armed = false;
        files.removeInterceptor(interceptor);

        // Then the joiner loads the deployment, with no change made since
        Await.until(Duration.ofSeconds(30), "the joiner to load the deployment it could not read", () -> {
            try {
                return "hi x".equals(onLate.call("greeting", "hello", "x"));
            } catch (org.hzpy.PyException e) { // not loaded yet: ModuleNotFoundError
                return false;
            }
        });
    }

    /** Fails every read of a deployment's files (a [digest, {path: bytes}] value) while armed. */
    static final class FailFileReads extends FailingReads {
        static volatile boolean armed;

        @Override
        protected boolean fails(Object value) {
            return armed && value instanceof List<?> l && l.size() == 2 && l.get(1) instanceof Map;
        }
    }
}
