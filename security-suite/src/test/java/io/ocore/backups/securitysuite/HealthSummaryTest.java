package io.ocore.backups.securitysuite;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HealthSummaryTest {

    @Test
    void aFlatUpOrDownIsASummaryAndAnythingNamingServicesIsNot() throws Exception {
        assertThat(RefusalProbes.perServiceDetail(Api.JSON.readTree("{\"status\":\"UP\"}"))).isEmpty();
        assertThat(RefusalProbes.perServiceDetail(Api.JSON.readTree(
                "{\"status\":\"UP\",\"services\":{\"backup\":{\"status\":\"UP\",\"httpStatus\":200}}}"))).contains("services");
        assertThat(RefusalProbes.perServiceDetail(Api.JSON.readTree("{\"status\":\"DOWN\",\"backup\":\"DOWN\"}"))).contains("backup");
        assertThat(RefusalProbes.perServiceDetail(Api.JSON.readTree("{\"status\":\"UP\",\"checks\":[]}"))).contains("checks");
    }
}
