package io.ocore.backups.platform.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * backup-service and restore-service run the warm-up at start inside a heap of 64-96 MiB
 * (deploy/k8s/base/jvm-options.env): it must succeed in a heap far smaller than the 24 MiB it
 * pushes through the cipher, or the service dies of OutOfMemoryError as it starts.
 */
class CipherWarmupTest {

    /** Run in a child JVM: prints the warm-up's milliseconds (-1 if it failed). */
    public static void main(String[] args) {
        System.out.println("warm-up " + CipherWarmup.run());
    }

    @Test
    void warmUpSucceedsInAHeapSmallerThanWhatItEncrypts() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-Xmx32m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError",
                "-cp", System.getProperty("java.class.path"), CipherWarmupTest.class.getName()))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the child JVM ends").isTrue();
        assertThat(p.exitValue()).as("exit code; output: %s", out).isZero();
        assertThat(out).as(out).containsPattern("warm-up [0-9]+");
    }
}
