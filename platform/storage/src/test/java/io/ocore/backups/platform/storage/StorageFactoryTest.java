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

    /** Public addresses for the names these configs use; the sandbox has no DNS of its own. */
    static final ScriptedResolver DNS = new ScriptedResolver().answer("h", "203.0.113.5")
            .answer("backup.example.com", "203.0.113.6").answer("example.com", "203.0.113.7")
            .answer("internal.example.com", "10.0.0.8");

    final StorageFactory factory = new StorageFactory(StorageOptions.builder()
            .allowedLocalRoots(List.of(Path.of("/var/backups/ocore"))).resolver(DNS).build());

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
    void sftpHostsPassTheSameAddressGuardAsEndpoints() {
        for (String host : List.of("169.254.169.254", "metadata.google.internal", "fd00:ec2::254", "127.0.0.1",
                "internal.example.com", "no-such-host.invalid")) {
            assertThat(badFields(DestinationType.sftp, Map.of("host", host, "username", "u", "password", "p")))
                    .as(host).containsExactly("host");
        }
        assertThat(factory.validate(DestinationType.sftp, Map.of("host", "no-such-host.invalid", "username", "u",
                "password", "p"))).extracting(ConfigError::message).containsExactly("does not resolve");
        StorageFactory permissive = new StorageFactory(StorageOptions.builder().allowPrivateEndpoints(true)
                .resolver(DNS).build());
        assertThat(permissive.validate(DestinationType.sftp, Map.of("host", "internal.example.com", "username", "u",
                "password", "p"))).isEmpty();
        assertThat(permissive.validate(DestinationType.sftp, Map.of("host", "169.254.169.254", "username", "u",
                "password", "p"))).extracting(ConfigError::field).containsExactly("host");
        // opening a stored config judges literals and metadata names without DNS
        assertThatThrownBy(() -> permissive.open(DestinationType.sftp, Map.of("host", "metadata.google.internal",
                "username", "u", "password", "p"))).isInstanceOf(InvalidConfigException.class);
    }

    @Test
    void anEndpointThatDoesNotResolveIsRefused() {
        assertThat(factory.validate(DestinationType.s3_compatible, Map.of("bucket", "b-1", "accessKeyId", "a",
                "secretAccessKey", "s", "endpoint", "https://no-such-host.invalid")))
                .containsExactly(new ConfigError("endpoint", "does not resolve"));
        assertThat(badFields(DestinationType.s3_compatible, Map.of("bucket", "b-1", "accessKeyId", "a",
                "secretAccessKey", "s", "endpoint", "https://example.com"))).isEmpty();
    }

    @Test
    void relocatedNamesTheFieldsThatSayWhereTheSecretsGo() {
        Map<String, Object> s3 = Map.of("bucket", "b-1", "region", "eu-west-1", "accessKeyId", "a",
                "secretAccessKey", "s", "endpoint", "https://s3.example.com", "pathPrefix", "odoo");
        assertThat(StorageFactory.relocated(DestinationType.s3, s3, with(s3, "accessKeyId", "b"))).isEmpty();
        assertThat(StorageFactory.relocated(DestinationType.s3, s3, with(s3, "pathPrefix", "/odoo/"))).isEmpty();
        assertThat(StorageFactory.relocated(DestinationType.s3, s3, with(s3, "endpoint", "https://S3.example.com/")))
                .isEmpty();
        assertThat(StorageFactory.relocated(DestinationType.s3, s3, with(with(s3, "endpoint", "https://evil.test"),
                "bucket", "b-2"))).containsExactly("endpoint", "bucket");
        assertThat(StorageFactory.relocated(DestinationType.s3_compatible, s3, with(s3, "region", null)))
                .containsExactly("region");
        assertThat(StorageFactory.relocated(DestinationType.s3_compatible, s3, with(s3, "pathPrefix", "other")))
                .containsExactly("pathPrefix");

        Map<String, Object> sftp = Map.of("host", "backup.example.com", "username", "u", "password", "p",
                "path", "/backups");
        assertThat(StorageFactory.relocated(DestinationType.sftp, sftp, with(sftp, "port", 22))).isEmpty();
        assertThat(StorageFactory.relocated(DestinationType.sftp, sftp, with(sftp, "path", "/backups/"))).isEmpty();
        assertThat(StorageFactory.relocated(DestinationType.sftp, sftp, with(sftp, "port", 2222)))
                .containsExactly("port");
        assertThat(StorageFactory.relocated(DestinationType.sftp, sftp, with(with(sftp, "host", "evil.test"),
                "username", "x"))).containsExactly("host", "username");
        String fp = "SHA256:" + "x".repeat(43);
        // pinning a key where none was narrows who may answer; changing or removing one widens it
        assertThat(StorageFactory.relocated(DestinationType.sftp, sftp, with(sftp, "hostKeyFingerprint", fp))).isEmpty();
        Map<String, Object> pinned = with(sftp, "hostKeyFingerprint", fp);
        assertThat(StorageFactory.relocated(DestinationType.sftp, pinned, sftp)).containsExactly("hostKeyFingerprint");
        assertThat(StorageFactory.relocated(DestinationType.sftp, pinned, with(sftp, "hostKeyFingerprint",
                "SHA256:" + "y".repeat(43)))).containsExactly("hostKeyFingerprint");

        Map<String, Object> onedrive = Map.of("clientId", "c", "clientSecret", "s", "refreshToken", "r");
        assertThat(StorageFactory.relocated(DestinationType.onedrive, onedrive, with(onedrive, "tenant", "common")))
                .isEmpty();
        assertThat(StorageFactory.relocated(DestinationType.onedrive, onedrive, with(with(with(onedrive, "tenant",
                "contoso.com"), "driveId", "d1"), "folderPath", "x"))).containsExactly("tenant", "driveId", "folderPath");
        Map<String, Object> gdrive = Map.of("clientId", "c", "clientSecret", "s", "refreshToken", "r");
        assertThat(StorageFactory.relocated(DestinationType.gdrive, gdrive, with(gdrive, "folderId", "root"))).isEmpty();
        assertThat(StorageFactory.relocated(DestinationType.gdrive, gdrive, with(gdrive, "folderId", "f1")))
                .containsExactly("folderId");
        assertThat(StorageFactory.relocated(DestinationType.local, Map.of("path", "/a"), Map.of("path", "/b"))).isEmpty();
    }

    private static Map<String, Object> with(Map<String, Object> config, String field, Object value) {
        Map<String, Object> m = new java.util.HashMap<>(config);
        if (value == null) {
            m.remove(field);
        } else {
            m.put(field, value);
        }
        return m;
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
