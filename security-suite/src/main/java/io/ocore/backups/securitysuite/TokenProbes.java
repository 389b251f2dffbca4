package io.ocore.backups.securitysuite;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Bad tokens give 401 on a route of every service, through the gateway and straight at each service. */
final class TokenProbes {

    private TokenProbes() {
    }

    /** A representative route per service; a random restore id answers 404 to a good token (authenticated, not found). */
    static Map<String, String> routes(Suite s) {
        Map<String, String> r = new java.util.LinkedHashMap<>();
        r.put("destination", "/api/backup-destinations");
        r.put("backup", "/api/environments");
        r.put("backup-list", "/api/environments/" + s.demoEnv() + "/backups");
        r.put("scheduler", "/api/environments/" + s.demoEnv() + "/backup-schedule");
        r.put("alert", "/api/backup-alerts");
        r.put("restore", "/api/restores/" + UUID.randomUUID());
        r.put("wal", "/api/environments/" + s.demoEnv() + "/wal-coverage");
        return r;
    }

    static void run(Suite s) {
        Report report = s.report();
        List<Tokens.Bad> bad = new java.util.ArrayList<>(s.tokens().bad(s.demoOrg(), Suite.ORG_USER));
        if (s.serviceKey() != null) {
            bad.add(new Tokens.Bad("a service token (HS256, aud ocore-internal)", Tokens.service(s.serviceKey())));
        }
        report.heading("tokens through the gateway " + s.gatewayUri());
        for (Map.Entry<String, String> route : routes(s).entrySet()) {
            probe(report, s.gateway(), "gateway", route.getKey(), route.getValue(), bad, s.demoToken());
        }
        report.heading("tokens straight at each service (every service checks, not only the gateway)");
        for (Map.Entry<String, Api> service : s.services().entrySet()) {
            String path = routes(s).get(service.getKey());
            if (path != null) {
                probe(report, service.getValue(), service.getKey() + " " + service.getValue().base(), service.getKey(), path,
                        bad, s.demoToken());
            }
        }
    }

    private static void probe(Report report, Api api, String where, String name, String path, List<Tokens.Bad> bad,
            String good) {
        String shownPath = path.replaceAll("[0-9a-f-]{36}", "{id}");
        for (Tokens.Bad token : bad) {
            Api.Answer a = api.get(path, token.token());
            report.check(a.status() == 401, where + ": GET " + shownPath + " with " + token.name() + " -> 401", a.seen());
        }
        Api.Answer a = api.get(path, good);
        boolean randomRestore = name.equals("restore");
        boolean ok = randomRestore ? a.status() == 404 : a.status() / 100 == 2;
        report.check(ok, where + ": GET " + shownPath + " with a valid token -> " + (randomRestore ? "404 (authenticated; no such restore)" : "2xx"),
                a.seen());
    }
}
