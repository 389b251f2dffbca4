package io.ocore.backups.tools.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ConfigReferenceTest {

    private static final Path ROOT = Path.of(System.getProperty("ocore.config-reference.root", "../.."))
            .toAbsolutePath().normalize();

    @Test
    void docIsCurrent() throws IOException {
        Path doc = ROOT.resolve("docs/configuration.md");
        String expected = ConfigReference.render(ROOT);
        if (Boolean.getBoolean("ocore.config-reference.write")) {
            Files.writeString(doc, expected, StandardCharsets.UTF_8);
            return;
        }
        String actual = Files.exists(doc) ? Files.readString(doc, StandardCharsets.UTF_8) : "";
        if (!expected.equals(actual)) {
            fail("docs/configuration.md is not what the sources say; regenerate it with: " + ConfigReference.COMMAND);
        }
    }

    @Test
    void everySettingIsDescribed() {
        List<String> missing = new ArrayList<>();
        for (String service : ConfigReference.SERVICES) {
            ConfigReference.serviceSettings(ROOT, service).values().stream()
                    .filter(s -> s.description().isBlank())
                    .forEach(s -> missing.add(service + ": " + s.property()));
        }
        assertTrue(missing.isEmpty(), "settings without a description (write Javadoc, or a comment above the key in "
                + "application.properties):\n  " + String.join("\n  ", missing));
    }

    @Test
    void parsesMappingsAndProperties() {
        String source = """
                package x;
                import io.smallrye.config.*;
                import java.time.Duration;
                import java.util.*;
                import org.eclipse.microprofile.config.inject.ConfigProperty;

                @ConfigMapping(prefix = "ocore.demo")
                interface Demo {
                    /** How many {@code jobs} run at once; see {@link Other}. <b>Bold</b>
                     *  second line. */
                    @WithDefault("2")
                    int maxConcurrent();

                    /** Renamed. */
                    @WithName("poll-every")
                    Duration pollInterval();

                    /** The node. */
                    Optional<String> nodeName();

                    /** Nested group. */
                    Limits limits();

                    /** Per destination. */
                    Map<String, Limits> perDestination();

                    interface Limits {
                        /** The cap | pipe. */
                        @WithDefault("5m")
                        Duration max();
                    }
                }

                class Bean {
                    /** The lease. */
                    @ConfigProperty(name = "ocore.demo.lease",
                            defaultValue = "10m")
                    Duration lease;

                    Bean(@ConfigProperty(name = "ocore.demo.batch-size", defaultValue = "20") int batch,
                         @ConfigProperty(name = "quarkus.application.name") String ignored) {
                    }
                }
                """;
        Map<String, ConfigReference.Setting> out = new TreeMap<>();
        ConfigReference.parse(source, out);
        assertEquals(List.of("ocore.demo.batch-size", "ocore.demo.lease", "ocore.demo.limits.max",
                "ocore.demo.max-concurrent", "ocore.demo.node-name", "ocore.demo.per-destination.<name>.max",
                "ocore.demo.poll-every"), List.copyOf(out.keySet()));
        var max = out.get("ocore.demo.max-concurrent");
        assertEquals("int", max.type());
        assertEquals("2", max.defaultValue());
        assertEquals("How many `jobs` run at once; see Other. Bold second line.", max.description());
        assertEquals("OCORE_DEMO_MAX_CONCURRENT", max.envVar());
        assertEquals("Optional<String>", out.get("ocore.demo.node-name").type());
        assertEquals("5m", out.get("ocore.demo.limits.max").defaultValue());
        assertEquals("The cap | pipe.", out.get("ocore.demo.limits.max").description());
        assertEquals("10m", out.get("ocore.demo.lease").defaultValue());
        assertEquals("The lease.", out.get("ocore.demo.lease").description());
        assertEquals("20", out.get("ocore.demo.batch-size").defaultValue());
        assertEquals("OCORE_DEMO_PER_DESTINATION_<NAME>_MAX",
                out.get("ocore.demo.per-destination.<name>.max").envVar());

        var props = ConfigReference.properties(List.of(
                "# How often scrub runs.", "ocore.backup.scrub.interval=6h", "%test.ocore.backup.scrub.interval=1s",
                "%prod.ocore.x=prod", "ocore.x=base", "%dev.ocore.only-dev=1"));
        assertEquals("6h", props.get("ocore.backup.scrub.interval").defaultValue());
        assertEquals("How often scrub runs.", props.get("ocore.backup.scrub.interval").description());
        assertEquals("prod", props.get("ocore.x").defaultValue());
        assertTrue(!props.containsKey("ocore.only-dev"));
    }
}
