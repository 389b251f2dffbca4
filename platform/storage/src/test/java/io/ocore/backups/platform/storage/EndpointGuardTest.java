package io.ocore.backups.platform.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The address guard and the resolve-once pinning every connection to a user-supplied host goes through. */
class EndpointGuardTest {

    final ScriptedResolver dns = new ScriptedResolver()
            .answer("public.example.test", "203.0.113.10")
            .answer("metadata-alias.example.test", "169.254.169.254")
            .answer("rebinding.example.test", "203.0.113.10", "127.0.0.1");

    @Test
    void aNameThatDoesNotResolveIsRefused() {
        assertThat(EndpointGuard.check(URI.create("http://no-such-host.example.test:9000"), true, dns))
                .contains("does not resolve");
        assertThat(EndpointGuard.checkHost("no-such-host.example.test", true, dns)).contains("does not resolve");
        assertThat(EndpointGuard.check(URI.create("https://public.example.test"), false, dns)).isEmpty();
    }

    @Test
    void linkLocalAndMetadataAreRefusedByNameAddressAndResolution() {
        for (String host : List.of("169.254.169.254", "metadata.google.internal", "METADATA.google.internal.",
                "fd00:ec2::254", "[fd00:ec2::254]", "fe80::1", "metadata-alias.example.test")) {
            assertThat(EndpointGuard.checkHost(host, true, dns)).as(host).isPresent();
        }
        for (String host : List.of("127.0.0.1", "10.0.0.1", "192.168.1.1", "100.64.0.1", "::1", "fc00::1")) {
            assertThat(EndpointGuard.checkHost(host, false, dns)).as(host).isPresent();
            assertThat(EndpointGuard.checkHost(host, true, dns)).as(host + " where allowed").isEmpty();
        }
        // without DNS: literals and metadata names are judged, other names wait for the connection
        assertThat(EndpointGuard.checkHostWithoutResolving("169.254.169.254", true)).isPresent();
        assertThat(EndpointGuard.checkHostWithoutResolving("metadata.google.internal", true)).isPresent();
        assertThat(EndpointGuard.checkHostWithoutResolving("metadata-alias.example.test", true)).isEmpty();
    }

    @Test
    void aPinnedResolverAnswersTheFirstCheckedAddressesEverAfter() throws Exception {
        PinnedResolver pinned = new PinnedResolver(false, dns);
        for (int i = 0; i < 3; i++) {
            assertThat(pinned.resolve("rebinding.example.test")).extracting(InetAddress::getHostAddress)
                    .containsExactly("203.0.113.10");
        }
        assertThat(dns.lookups("rebinding.example.test")).isEqualTo(1);
    }

    @Test
    void aPinnedResolverRefusesAnAnswerTheGuardRefusesAndDoesNotResolveUnknownNames() {
        ScriptedResolver rebinding = new ScriptedResolver().answer("evil.example.test", "127.0.0.1", "203.0.113.10");
        PinnedResolver pinned = new PinnedResolver(false, rebinding);
        assertThatThrownBy(() -> pinned.resolve("evil.example.test")).isInstanceOf(BlockedAddressException.class)
                .hasMessageContaining("loopback");
        assertThatThrownBy(() -> new PinnedResolver(true, dns).resolve("metadata-alias.example.test"))
                .isInstanceOf(BlockedAddressException.class).hasMessageContaining("link-local");
        assertThatThrownBy(() -> pinned.resolve("no-such-host.example.test"))
                .isInstanceOf(UnknownHostException.class).isNotInstanceOf(BlockedAddressException.class);
    }
}
