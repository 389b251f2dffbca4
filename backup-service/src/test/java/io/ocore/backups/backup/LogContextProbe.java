package io.ocore.backups.backup;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.HashMap;
import java.util.Map;
import org.jboss.logging.MDC;

/** Test code only: what a log line written while handling this request would carry (its MDC). */
@Path("/test/log-context")
public class LogContextProbe {

    @GET
    @PermitAll
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> get() {
        Map<String, Object> mdc = new HashMap<>();
        for (String key : new String[] {"requestId", "traceId", "spanId"}) {
            Object v = MDC.get(key);
            mdc.put(key, v == null ? "" : v.toString());
        }
        return mdc;
    }
}
