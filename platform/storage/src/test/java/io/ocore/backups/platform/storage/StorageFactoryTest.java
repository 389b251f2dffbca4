package io.ocore.backups.platform.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StorageFactoryTest {

    final StorageFactory factory = new StorageFactory(StorageOptions.builder()
            .allowedLocalRoots(List.of(Path.of("/var/backups/ocore"))).build());

    private List<String> badFields(DestinationType type, Map<String, Object> config) {
        return factory.validate(type, config).stream().map(ConfigError::field).toList();
    }

    @Test
    void everyBadFieldIsNamedAtOnce() {
        assertThat(badFields(DestinationType.s3, Map.of())).containsExactlyInAnyOrder("bucket", "region", "accessKeyId",
                "secretAccessKey");
        assertThat(badFields(DestinationType.s3_compatible, Map.of("bucket", "b-1", "accessKeyId", "a",
                "secretAccessKey", "s"))).containsExactly("endpoint");
        assertThat(badFields(DestinationType.s3, Map.of("bucket", "Bad_Bucket", "region", "eu-west-1",
                "accessKeyId", "a", "secretAccessKey", "s", "pathPrefix", "../up"))).containsExactly("bucket", "pathPrefix");
        assertThat(badFields(DestinationType.sftp, Map.of("host", "h", "username", "u")))
                .containsExactly("password", "privateKey");
        assertThat(badFields(DestinationType.sftp, Map.of("host", "h", "username", "u", "password", "p",
                "port", 70000, "hostKeyFingerprint", "MD5:aa:bb"))).containsExactly("port", "hostKeyFingerprint");
        assertThat(badFields(DestinationType.sftp, Map.of("host", "h", "username", "u", "privateKey", "not a key")))
                .containsExactly("privateKey");
        assertThat(badFields(DestinationType.local, Map.of("path", "relative/dir"))).containsExactly("path");
        assertThat(badFields(DestinationType.local, Map.of("path", "/etc/ocore"))).containsExactly("path");
        assertThat(badFields(DestinationType.local, Map.of("path", "/var/backups/ocore/../../../etc"))).containsExactly("path");
        assertThat(badFields(DestinationType.local, Map.of("path", "/var/backups/ocore/prod"))).isEmpty();
        assertThat(badFields(DestinationType.onedrive, Map.of())).containsExactly("clientId", "clientSecret", "refreshToken");
        assertThat(badFields(DestinationType.gdrive, Map.of("clientId", "c", "clientSecret", "s", "refreshToken", "r",
                "folderId", "a/b"))).containsExactly("folderId");
    }

    @Test
    void validConfigsPass() {
        assertThat(badFields(DestinationType.s3, Map.of("bucket", "my-bucket", "region", "eu-west-1",
                "accessKeyId", "AKIA", "secretAccessKey", "s"))).isEmpty();
        assertThat(badFields(DestinationType.sftp, Map.of("host", "backup.example.com", "port", "2222",
                "username", "u", "password", "p", "hostKeyFingerprint", "SHA256:" + "x".repeat(43)))).isEmpty();
        assertThat(badFields(DestinationType.gdrive, Map.of("clientId", "c", "clientSecret", "s", "refreshToken", "r")))
                .isEmpty();
    }

    @Test
    void endpointsMayNotReachMetadataOrPrivateNetworks() {
        for (String endpoint : List.of("http://169.254.169.254", "http://metadata.google.internal",
                "http://[fd00:ec2::254]", "http://127.0.0.1:9000", "http://10.1.2.3", "http://192.168.1.5",
                "http://[::1]:9000", "file:///etc/passwd", "http://user:pw@example.com")) {
            assertThat(badFields(DestinationType.s3_compatible, Map.of("bucket", "b-1", "accessKeyId", "a",
                    "secretAccessKey", "s", "endpoint", endpoint))).as(endpoint).containsExactly("endpoint");
        }
        StorageFactory permissive = new StorageFactory(StorageOptions.builder().allowPrivateEndpoints(true).build());
        Map<String, Object> loopback = Map.of("bucket", "b-1", "accessKeyId", "a", "secretAccessKey", "s",
                "endpoint", "http://127.0.0.1:9000");
        assertThat(permissive.validate(DestinationType.s3_compatible, loopback)).isEmpty();
        assertThat(permissive.validate(DestinationType.s3_compatible, Map.of("bucket", "b-1", "accessKeyId", "a",
                "secretAccessKey", "s", "endpoint", "http://169.254.169.254"))).extracting(ConfigError::field)
                .containsExactly("endpoint");
        StorageFactory overridden = new StorageFactory(StorageOptions.builder()
                .graphBaseUrl(URI.create("http://169.254.169.254/v1.0")).build());
        assertThat(overridden.validate(DestinationType.onedrive, Map.of("clientId", "c", "clientSecret", "s",
                "refreshToken", "r"))).extracting(ConfigError::field).containsExactly("graphBaseUrl");
    }

    @Test
    void secretsNeverShowInValidationMessagesOrConfigToString() {
        String secret = "super-secret-value-123";
        List<ConfigError> errors = factory.validate(DestinationType.s3_compatible, Map.of("bucket", "x",
                "accessKeyId", "a", "secretAccessKey", secret, "endpoint", "http://169.254.169.254"));
        assertThat(errors.toString()).doesNotContain(secret);
        assertThat(StorageFactory.SECRET_FIELDS).containsExactlyInAnyOrder("secretAccessKey", "password", "privateKey",
                "passphrase", "clientSecret", "refreshToken");
        var c = io.ocore.backups.platform.storage.s3.S3Config.parse(DestinationType.s3, Map.of("bucket", "bb-b",
                "region", "eu-west-1", "accessKeyId", "a", "secretAccessKey", secret), StorageOptions.defaults());
        assertThat(c.toString()).doesNotContain(secret);
    }

    @Test
    void openRefusesABadConfigNamingTheFieldsAndAcceptsJson() throws Exception {
        assertThatThrownBy(() -> factory.open(DestinationType.local, Map.of("path", "x")))
                .isInstanceOfSatisfying(InvalidConfigException.class,
                        e -> assertThat(e.errors()).extracting(ConfigError::field).containsExactly("path"));
        var json = new ObjectMapper().readTree("{\"host\":\"h\",\"username\":\"u\"}");
        assertThat(factory.validate(DestinationType.sftp, json)).extracting(ConfigError::field)
                .containsExactly("password", "privateKey");
        assertThat(DestinationType.of("s3_compatible")).isEqualTo(DestinationType.s3_compatible);
        assertThatThrownBy(() -> DestinationType.of("dropbox")).hasMessageContaining("gdrive");
    }
}
