package io.ocore.backups.platform.security.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

class ServiceTokensTest {

    static final String KEY = "IclN/iYPdXe9TYNBOfBRs0B8xjIyVTGDcNGZYhNv5tc=";

    /** A clock the test moves by hand. */
    static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-01-01T12:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    final MutableClock clock = new MutableClock();
    final Optional<ServiceSigningKey> key = ServiceSigningKey.of(Optional.of(KEY));
    final ServiceTokenVerifier verifier = new ServiceTokenVerifier(key, clock);

    @Test
    void mintsAnHs256TokenOfTheCallingServiceForTheInternalAudience() throws Exception {
        ServiceTokens tokens = new ServiceTokens(key, "backup-service", Duration.ofMinutes(15), clock);

        String token = tokens.token();
        JwtClaims claims = verifier.verify(token);

        assertThat(token.split("\\.")[0]).isEqualTo(java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes()));
        assertThat(claims.getIssuer()).isEqualTo("ocore-services");
        assertThat(claims.getSubject()).isEqualTo("backup-service");
        assertThat(claims.getAudience()).containsExactly("ocore-internal");
        assertThat(claims.getStringListClaimValue("groups")).containsExactly("internal:service");
        assertThat(claims.getJwtId()).isNotBlank();
        assertThat(claims.getIssuedAt().getValue()).isEqualTo(clock.now.getEpochSecond());
        assertThat(claims.getExpirationTime().getValue()).isEqualTo(clock.now.plusSeconds(900).getEpochSecond());
        assertThat(tokens.authorization()).isEqualTo("Bearer " + token);
    }

    @Test
    void reusesTheTokenThenMintsANewOneBeforeItExpires() throws Exception {
        ServiceTokens tokens = new ServiceTokens(key, "restore-service", Duration.ofMinutes(15), clock);
        String first = tokens.token();

        clock.now = clock.now.plus(Duration.ofMinutes(9));
        assertThat(tokens.token()).isSameAs(first);

        // 5 min left is a third of 15: from just past that point a fresh token is minted
        clock.now = clock.now.plus(Duration.ofMinutes(1)).plusSeconds(1);
        String second = tokens.token();
        assertThat(second).isNotEqualTo(first);
        assertThat(verifier.verify(first)).isNotNull(); // the old one had not expired yet
        assertThat(verifier.verify(second).getExpirationTime().getValue())
                .isEqualTo(clock.now.plus(Duration.ofMinutes(15)).getEpochSecond());

        clock.now = clock.now.plus(Duration.ofHours(3));
        String third = tokens.token();
        assertThat(third).isNotEqualTo(second);
        assertThat(verifier.verify(third)).isNotNull();
    }

    @Test
    void refusesALifetimeOverAnHour() {
        assertThatThrownBy(() -> new ServiceTokens(key, "s", Duration.ofMinutes(61), clock))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("at most PT1H");
        assertThat(new ServiceTokens(key, "s", Duration.ofHours(1), clock).token()).isNotBlank();
    }

    @Test
    void withoutAKeyItSaysWhichVariableToSet() {
        ServiceTokens tokens = new ServiceTokens(Optional.empty(), "s", Duration.ofMinutes(15), clock);
        assertThatThrownBy(tokens::token).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("OCORE_SERVICE_SIGNING_KEY");
    }

    @Test
    void refusesAShortOrMalformedKey() {
        assertThatThrownBy(() -> ServiceSigningKey.of(Optional.of("c2hvcnQ="))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("at least 32");
        assertThatThrownBy(() -> ServiceSigningKey.of(Optional.of("not base64!"))).isInstanceOf(IllegalStateException.class)
                .hasMessageNotContaining("not base64!");
        assertThat(ServiceSigningKey.of(Optional.of(" "))).isEmpty();
    }

    @Test
    void anInternalCallCarriesTheCurrentTraceContextSoTheCalleeJoinsTheTrace() {
        ServiceTokens tokens = new ServiceTokens(key, "backup-service", Duration.ofMinutes(15), clock);
        SpanContext run = SpanContext.create("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7",
                TraceFlags.getSampled(), TraceState.getDefault());

        HttpRequest inSpan;
        try (Scope ignored = Context.root().with(Span.wrap(run)).makeCurrent()) {
            inSpan = tokens.authorize(HttpRequest.newBuilder(URI.create("http://destination/internal/x"))).build();
        }
        HttpRequest outside = tokens.authorize(HttpRequest.newBuilder(URI.create("http://destination/internal/x"))).build();

        assertThat(inSpan.headers().allValues("traceparent"))
                .containsExactly("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        assertThat(inSpan.headers().firstValue("Authorization")).contains(tokens.authorization());
        assertThat(outside.headers().map()).doesNotContainKey("traceparent");
        assertThat(outside.headers().firstValue("Authorization")).contains(tokens.authorization());
    }
}
