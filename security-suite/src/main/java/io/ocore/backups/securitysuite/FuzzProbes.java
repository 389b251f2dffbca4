package io.ocore.backups.securitysuite;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The bounded fuzz run over every route of the gateway's table and every method. */
final class FuzzProbes {

    /** How the run is bounded; {@code onlyCase} >= 0 sends that one case and prints it. */
    record Settings(Path routes, long seed, int count, int concurrency, long seconds, int onlyCase, List<String> ids) {
    }

    /** Used where the demo has no such resource, so the list (and with it every case) keeps its shape. */
    private static final String NO_ID = "00000000-0000-0000-0000-000000000000";

    private FuzzProbes() {
    }

    /** The ids worth hitting: the demo's environment, destination, organisation, backup, restore and alert. */
    static List<String> ids(Suite s, DemoFixture.Demo fixture) {
        return List.of(s.demoEnv().toString(), s.demoDestination().toString(), s.demoOrg().toString(),
                fixture.backup().orElse(NO_ID), fixture.restore().orElse(NO_ID), fixture.alert().orElse(NO_ID));
    }

    static FuzzCases cases(Suite s, Settings settings, List<String> ids) throws IOException {
        RouteTable table = RouteTable.parse(Files.readString(settings.routes()));
        JsonNode openApi = s.gateway().get("/q/openapi", null).json();
        List<List<String>> documented = RouteTable.openApiPaths(openApi);
        Map<RouteTable.Route, List<List<String>>> templates = table.templates(documented);

        String full = s.token(UUID.nameUUIDFromBytes("security-suite fuzz".getBytes()), Suite.ORG_USER.toArray(String[]::new));
        String viewer = s.token(s.demoOrg(), "view:environments");
        Map<String, Object> expired = Tokens.claims(s.demoOrg(), Suite.ORG_USER);
        expired.put("exp", Instant.now().getEpochSecond() - 3600);
        List<String> authorizations = List.of("Bearer " + full, "Bearer " + viewer, "Bearer " + full, "Bearer " + viewer,
                "Bearer " + Tokens.unsigned(Tokens.claims(s.demoOrg(), Suite.ORG_USER)), "Bearer " + s.tokens().signed(expired),
                "Bearer ", "Bearer a.b.c", "Bearer e30.e30.", "Basic dXNlcjpwYXNz", "bearer " + viewer, "Bearer " + viewer + " extra",
                viewer, "Bearer " + viewer + ", Bearer x", "Bearer %00", "Bearer " + viewer.substring(0, viewer.length() / 2),
                "Bearer " + viewer.replace('.', '!'), "Negotiate YIIB");

        return new FuzzCases(settings.seed(), templates, authorizations, ids);
    }

    static void run(Suite s, Settings settings, DemoFixture.Demo fixture) throws IOException {
        Report report = s.report();
        List<String> ids = ids(s, fixture);
        FuzzCases cases = cases(s, settings, ids);
        RawHttp http = new RawHttp(s.gatewayUri().getHost(), Loopback.port(s.gatewayUri()), 20_000);
        int pairs = cases.routeCount() * FuzzCases.METHODS.size();
        report.heading("fuzz: " + settings.count() + " malformed requests over " + cases.routeCount() + " routes x "
                + FuzzCases.METHODS.size() + " methods, concurrency " + settings.concurrency() + ", at most " + settings.seconds()
                + " s, seed " + settings.seed());
        report.note("rerun one case: bin/lib/security-test.sh --seed " + settings.seed() + " --fuzz-ids " + String.join(",", ids)
                + " --fuzz-case N");
        Fuzzer fuzzer = new Fuzzer(cases, http, settings.concurrency(), settings.seconds() * 1000);
        Fuzzer.Result r = fuzzer.run(settings.count());
        report.note("answers by status: " + r.statusHistogram() + " in " + r.elapsedMillis / 1000.0 + " s; "
                + "non-2xx answers without any body (HEAD aside), by status: " + r.bodilessHistogram());
        r.bodilessExamples.forEach(line -> report.note("no body: " + line));
        report.check(r.sent.get() >= settings.count() && r.routeMethods.size() >= Math.min(pairs, settings.count()),
                "fuzz: " + settings.count() + " requests sent within " + settings.seconds() + " s, every route with every method",
                r.sent.get() + " sent, " + r.routeMethods.size() + "/" + pairs + " route x method pairs");
        report.check(r.serverErrorCount.get() == 0, "fuzz: no 5xx", r.serverErrorCount.get() + " 5xx");
        r.serverErrors.forEach(line -> report.note("5xx: " + line));
        report.check(r.droppedCount.get() == 0, "fuzz: no dropped connection, reset or timeout", r.droppedCount.get() + " dropped");
        r.dropped.forEach(line -> report.note("dropped: " + line));
        report.check(r.notProblemCount.get() == 0, "fuzz: every non-2xx answer with a body is application/problem+json",
                r.notProblemCount.get() + " were not");
        r.notProblem.forEach(line -> report.note("not problem+json: " + line));
        Api.Answer after = s.gateway().get("/api/environments/" + s.demoEnv(), s.demoToken());
        report.check(after.status() == 200, "after the fuzz run the stack still answers GET /api/environments/{demo}", after.seen());
    }

    /** Sends one case and prints it with the answer: a failure of a run, reproduced alone. */
    static void one(Suite s, Settings settings) throws IOException {
        List<String> ids = settings.ids().isEmpty() ? ids(s, new DemoFixture.Demo(java.util.Optional.empty(),
                java.util.Optional.empty(), java.util.Optional.empty())) : settings.ids();
        FuzzCases cases = cases(s, settings, ids);
        FuzzCases.FuzzCase c = cases.get(settings.onlyCase());
        RawHttp http = new RawHttp(s.gatewayUri().getHost(), Loopback.port(s.gatewayUri()), 20_000);
        RawHttp.Outcome o = http.exchange(c.method(), c.target(), c.headers(), c.body());
        s.report().note(c.describe());
        c.headers().forEach(h -> s.report().note("  " + h.name() + ": " + (h.value().length() > 200 ? h.value().substring(0, 200) + "..." : h.value())));
        s.report().note("-> " + (o.dropped() != null ? "dropped: " + o.dropped() : o.head() + " Content-Type: " + o.contentType()));
    }
}
