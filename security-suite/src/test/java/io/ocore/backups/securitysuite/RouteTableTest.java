package io.ocore.backups.securitysuite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteTableTest {

    private static final String SAMPLE = """
            # a comment
            ocore.gateway.routes[1].pattern=/api/things/**
            ocore.gateway.routes[1].service=things
            ocore.gateway.routes[0].pattern = /api/things/*/special
            ocore.gateway.routes[0].service = special
            ocore.gateway.routes[2].pattern=/api/wal/**
            ocore.gateway.routes[2].service=wal
            ocore.gateway.routes[2].authenticate=false
            ocore.gateway.routes[2].max-body-size=64M
            ocore.gateway.max-body-size=1M
            """;

    @Test
    void readsTheRoutesInTableOrderWithTheirService() {
        RouteTable table = RouteTable.parse(SAMPLE);

        assertThat(table.routes()).extracting(RouteTable.Route::pattern)
                .containsExactly("/api/things/*/special", "/api/things/**", "/api/wal/**");
        assertThat(table.routes()).extracting(RouteTable.Route::service).containsExactly("special", "things", "wal");
        assertThat(table.routes()).extracting(RouteTable.Route::authenticate).containsExactly(true, true, false);
    }

    @Test
    void aRouteWithoutAServiceIsAnErrorNotSkipped() {
        assertThatThrownBy(() -> RouteTable.parse("ocore.gateway.routes[0].pattern=/api/x\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("route 0");
        assertThatThrownBy(() -> RouteTable.parse("quarkus.http.port=8080\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no ocore.gateway.routes");
    }

    @Test
    void documentedPathsGoToTheFirstRouteThatMatchesThemAsInTheGateway() throws Exception {
        RouteTable table = RouteTable.parse(SAMPLE);
        JsonNode openApi = Api.JSON.readTree("""
                {"paths": {"/api/things/{id}/special": {}, "/api/things/{id}/other/{x}": {}, "/api/nowhere": {}}}""");

        Map<RouteTable.Route, List<List<String>>> templates = table.templates(RouteTable.openApiPaths(openApi));

        assertThat(templates.get(table.routes().get(0)))
                .containsExactly(List.of("api", "things", "*", "special"));
        assertThat(templates.get(table.routes().get(1)))
                .containsExactly(List.of("api", "things", "*"), List.of("api", "things", "*", "other", "*"));
        assertThat(templates.get(table.routes().get(2))).containsExactly(List.of("api", "wal", "*"));
    }

    @Test
    void readsTheGatewaysOwnTable() throws Exception {
        RouteTable table = RouteTable.parse(Files.readString(Path.of("../gateway/src/main/resources/application.properties")));

        assertThat(table.routes()).hasSizeGreaterThanOrEqualTo(20);
        assertThat(table.routes()).extracting(RouteTable.Route::pattern)
                .contains("/api/backup-destinations/**", "/api/environments/*/backups", "/api/restores/**", "/api/wal/**");
        assertThat(table.resolve(List.of("api", "backups", "*", "restore")).service()).isEqualTo("restore");
        assertThat(table.resolve(List.of("api", "backups", "*")).service()).isEqualTo("backup");
    }
}
