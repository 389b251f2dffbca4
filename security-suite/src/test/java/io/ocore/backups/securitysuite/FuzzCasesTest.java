package io.ocore.backups.securitysuite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FuzzCasesTest {

    private static final String ROUTES = """
            ocore.gateway.routes[0].pattern=/api/backup-destinations
            ocore.gateway.routes[0].service=destination
            ocore.gateway.routes[1].pattern=/api/backup-destinations/**
            ocore.gateway.routes[1].service=destination
            ocore.gateway.routes[2].pattern=/api/environments/*/backups
            ocore.gateway.routes[2].service=backup
            """;

    private final RouteTable table = RouteTable.parse(ROUTES);
    private final Map<RouteTable.Route, List<List<String>>> templates = table.templates(List.of(
            List.of("api", "backup-destinations", "*", "test")));
    private final List<String> auth = List.of("Bearer good", "Bearer ", "Basic x");

    private FuzzCases cases(long seed) {
        return new FuzzCases(seed, templates, auth, List.of("11111111-1111-1111-1111-111111111111"));
    }

    private static String bytes(FuzzCases.FuzzCase c) {
        return c.method() + " " + c.target() + " " + c.headers() + " "
                + (c.body() == null ? "-" : new String(c.body(), StandardCharsets.ISO_8859_1));
    }

    @Test
    void aSeedAndAnIndexGiveTheSameRequestEveryTimeAndAloneToo() {
        FuzzCases a = cases(42);
        FuzzCases b = cases(42);

        for (int i : List.of(0, 1, 17, 999, 9999)) {
            assertThat(bytes(b.get(i))).isEqualTo(bytes(a.get(i)));
        }
        assertThat(bytes(cases(43).get(17))).isNotEqualTo(bytes(a.get(17)));
    }

    @Test
    void routesAndMethodsAreTakenInTurnSoEveryPairIsCovered() {
        FuzzCases c = cases(1);
        int pairs = table.routes().size() * FuzzCases.METHODS.size();

        Set<String> seen = new HashSet<>();
        IntStream.range(0, pairs).mapToObj(c::get).forEach(f -> seen.add(f.route().index() + " " + f.method()));

        assertThat(seen).hasSize(pairs);
    }

    @Test
    void tenThousandCasesHoldEveryKindOfMalformation() {
        FuzzCases c = cases(7);
        List<FuzzCases.FuzzCase> all = IntStream.range(0, 10_000).mapToObj(c::get).toList();

        assertThat(all).allSatisfy(f -> assertThat(f.target()).startsWith("/"));
        assertThat(all).anySatisfy(f -> assertThat(f.target()).contains("..%2f"));
        assertThat(all).anySatisfy(f -> assertThat(f.target()).contains("%00"));
        assertThat(all).anySatisfy(f -> assertThat(f.target()).contains("%zz"));
        assertThat(all).anySatisfy(f -> assertThat(f.target()).contains("/test"));
        assertThat(all).anySatisfy(f -> assertThat(f.target()).contains("11111111-1111-1111-1111-111111111111"));
        assertThat(all).anySatisfy(f -> assertThat(f.target()).contains("?limit=abc"));
        assertThat(all).anySatisfy(f -> assertThat(f.kinds()).contains("nested"));
        assertThat(all).anySatisfy(f -> assertThat(f.kinds()).contains("huge body"));
        assertThat(all).anySatisfy(f -> assertThat(f.kinds()).contains("invalid UTF-8"));
        assertThat(all).anySatisfy(f -> assertThat(f.kinds()).contains("100 headers"));
        assertThat(all).filteredOn(f -> f.kinds().contains("huge body"))
                .allSatisfy(f -> assertThat(f.body().length).isGreaterThan(1024 * 1024));
        assertThat(all).anySatisfy(f -> assertThat(f.headers()).contains(new FuzzCases.Header("Authorization", "Bearer good")));
        assertThat(all).anySatisfy(f -> assertThat(f.headers()).contains(new FuzzCases.Header("Authorization", "Bearer ")));
        assertThat(all).anySatisfy(f -> assertThat(f.headers()).noneMatch(h -> h.name().equals("Authorization")));
        assertThat(all).anySatisfy(f -> assertThat(f.headers()).anyMatch(h -> h.name().equals("Content-Type") && h.value().equals("text/plain")));
        assertThat(all).anySatisfy(f -> assertThat(f.body()).isNull());
    }
}
