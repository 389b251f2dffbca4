package io.ocore.backups.securitysuite;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The security suite of issue 10: probes a running stack through its gateway (and each service's
 * own port) and ends with {@code security-suite: N passed, N failed}; exit code 0 only when nothing
 * failed. Loopback only. Run by bin/lib/security-test.sh, which passes the local stack's values.
 */
public final class SecuritySuite {

    private static final String USAGE = """
            usage: java -jar security-suite.jar --gateway http://127.0.0.1:8080 --key jwt-private.pem
                     --routes gateway/src/main/resources/application.properties --demo-env ID --demo-destination ID
                     [--demo-org ID] [--keys-dir DIR] [--service-signing-key FILE] [--services-db HOST:PORT] [--service NAME=URL ...]
                     [--fuzz-count 10000] [--fuzz-concurrency 8] [--fuzz-seconds 180] [--seed N] [--fuzz-ids A,B,..] [--fuzz-case N]
                     [--groups tokens,orgs,refusals,fuzz]""";

    private SecuritySuite() {
    }

    public static void main(String[] args) {
        int code;
        try {
            code = run(args);
        } catch (IllegalArgumentException e) {
            System.err.println("security-suite: " + e.getMessage());
            System.err.println(USAGE);
            code = 2;
        } catch (Exception e) {
            e.printStackTrace();
            System.out.println("security-suite: 0 passed, 1 failed");
            code = 1;
        }
        System.exit(code);
    }

    static int run(String[] args) throws Exception {
        Map<String, List<String>> options = options(args);
        URI gatewayUri = Loopback.require(required(options, "gateway"));
        Map<String, Api> services = new LinkedHashMap<>();
        for (String service : options.getOrDefault("service", List.of())) {
            int eq = service.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--service needs NAME=URL, got " + service);
            }
            services.put(service.substring(0, eq), new Api(Loopback.require(service.substring(eq + 1))));
        }
        Report report = new Report(System.out);
        Tokens tokens = new Tokens(Tokens.readPem(Path.of(required(options, "key"))));
        Suite suite = new Suite(new Api(gatewayUri), services, tokens, report,
                UUID.fromString(single(options, "demo-org", "00000000-0000-0000-0000-00000000d0d0")),
                UUID.fromString(required(options, "demo-env")), UUID.fromString(required(options, "demo-destination")),
                single(options, "keys-dir", null), single(options, "services-db", "127.0.0.1:15432"),
                serviceKey(single(options, "service-signing-key", null)));
        String seedText = single(options, "seed", null);
        long seed = seedText == null || seedText.isBlank() ? new SecureRandom().nextLong() & Long.MAX_VALUE : Long.parseLong(seedText);
        Path routes = Path.of(required(options, "routes"));
        if (!Files.isReadable(routes)) {
            throw new IllegalArgumentException("cannot read the gateway's route table " + routes);
        }
        FuzzProbes.Settings fuzz = new FuzzProbes.Settings(routes, seed,
                Integer.parseInt(single(options, "fuzz-count", "10000")),
                Integer.parseInt(single(options, "fuzz-concurrency", "8")),
                Long.parseLong(single(options, "fuzz-seconds", "180")),
                Integer.parseInt(single(options, "fuzz-case", "-1")),
                single(options, "fuzz-ids", "").isBlank() ? List.of() : List.of(single(options, "fuzz-ids", "").split(",")));
        Set<String> groups = Set.of(single(options, "groups", "tokens,orgs,refusals,fuzz").split(","));

        if (fuzz.onlyCase() >= 0) {
            FuzzProbes.one(suite, fuzz);
            return 0;
        }
        long start = System.nanoTime();
        if (groups.contains("tokens")) {
            TokenProbes.run(suite);
        }
        DemoFixture.Demo fixture = groups.contains("orgs") || groups.contains("refusals") || groups.contains("fuzz")
                ? DemoFixture.prepare(suite)
                : null;
        if (groups.contains("orgs")) {
            CrossOrgProbes.run(suite, fixture);
        }
        if (groups.contains("fuzz")) {
            // before the refusals: on a stack without them, a production restore would run during the fuzz
            FuzzProbes.run(suite, fuzz, fixture);
        }
        if (groups.contains("refusals")) {
            RefusalProbes.run(suite, fixture);
        }
        report.note(String.format("took %.1f s", (System.nanoTime() - start) / 1e9));
        System.out.println(report.summary());
        return report.failed() == 0 ? 0 : 1;
    }

    /** The services' own signing key, when the stack has one (absent: the service-token checks are left out). */
    private static byte[] serviceKey(String file) throws java.io.IOException {
        return file == null || !Files.isReadable(Path.of(file)) ? null : Tokens.readServiceKey(Path.of(file));
    }

    static Map<String, List<String>> options(String[] args) {
        Map<String, List<String>> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + arg);
            }
            String name = arg.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq > 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException(arg + " needs a value");
            }
            options.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return options;
    }

    private static String required(Map<String, List<String>> options, String name) {
        String value = single(options, name, null);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return value;
    }

    private static String single(Map<String, List<String>> options, String name, String fallback) {
        List<String> values = options.get(name);
        return values == null || values.isEmpty() ? fallback : values.get(values.size() - 1);
    }
}
