package io.ocore.backups.destination;

import io.ocore.backups.platform.testing.fakes.FakeGraphServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Files;
import java.util.Map;

/** The protocol-faithful Microsoft Graph and token endpoint of platform-testing, as the service's Graph. */
public class GraphResource implements QuarkusTestResourceLifecycleManager {

    static FakeGraphServer graph;

    @Override
    public Map<String, String> start() {
        try {
            graph = new FakeGraphServer(Files.createTempDirectory("ocore-graph-"), "client-1", "client-secret-1",
                    "refresh-1");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return Map.of("ocore.destinations.graph-base-url", graph.graphUrl().toString(),
                "ocore.destinations.microsoft-authority", graph.baseUrl().toString());
    }

    @Override
    public void stop() {
        if (graph != null) {
            graph.close();
        }
    }
}
