package io.ocore.backups.securitysuite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LoopbackTest {

    @Test
    void loopbackAddressesAreAccepted() {
        assertThat(Loopback.require("http://127.0.0.1:8080").getPort()).isEqualTo(8080);
        assertThat(Loopback.require("http://localhost:8081").getHost()).isEqualTo("localhost");
        assertThat(Loopback.require("http://[::1]:8082").getPort()).isEqualTo(8082);
    }

    @Test
    void anythingElseIsRefusedBeforeARequestIsSent() {
        assertThatThrownBy(() -> Loopback.require("http://10.0.0.1:8080")).hasMessageContaining("not a loopback address");
        assertThatThrownBy(() -> Loopback.require("http://169.254.169.254/")).hasMessageContaining("not a loopback address");
        assertThatThrownBy(() -> Loopback.require("https://127.0.0.1:8443")).hasMessageContaining("http://host:port");
        assertThatThrownBy(() -> Loopback.require("not a url")).isInstanceOf(IllegalArgumentException.class);
    }
}
