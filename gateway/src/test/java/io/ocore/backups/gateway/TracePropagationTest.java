package io.ocore.backups.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.ocore.backups.gateway.support.UpstreamsResource;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Traces (docs/operations.md "Traces"): the gateway passes its request's trace on to the service it
 * routes to, and never continues a trace a client names.
 */
@QuarkusTest
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(UpstreamsResource.class)
class TracePropagationTest {

    private static final String TOKEN = TestTokens.of(UUID.randomUUID(), "view:environments");
    private static final String TRACEPARENT = "00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]";

    private static String upstreamTraceparent(String clientTraceparent) {
        var request = given().header("Authorization", "Bearer " + TOKEN);
        if (clientTraceparent != null) {
            request = request.header("traceparent", clientTraceparent).header("tracestate", "client=1");
        }
        String body = request.get("/api/environments/" + UUID.randomUUID()).then().statusCode(200).extract().asString();
        return new JsonObject(body).getJsonObject("headers").getString("traceparent");
    }

    @Test
    void theServiceReceivesTheGatewaysTraceContext() {
        String first = upstreamTraceparent(null);
        String second = upstreamTraceparent(null);
        assertThat(first).matches(TRACEPARENT);
        assertThat(second).matches(TRACEPARENT);
        assertThat(first.split("-")[1]).as("one trace per request").isNotEqualTo(second.split("-")[1]);
    }

    @Test
    void aClientsTraceparentIsNotContinued() {
        String clientTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
        String sent = upstreamTraceparent("00-" + clientTrace + "-00f067aa0ba902b7-01");
        assertThat(sent).matches(TRACEPARENT);
        assertThat(sent.split("-")[1]).isNotEqualTo(clientTrace);
        // nor is it recorded on the client's say-so: a new trace follows the gateway's own sampling (none here)
        assertThat(sent).endsWith("-00");
    }
}
