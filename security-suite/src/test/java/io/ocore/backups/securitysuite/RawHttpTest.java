package io.ocore.backups.securitysuite;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class RawHttpTest {

    @Test
    void readsStatusTypeAndWhetherABodyCame() {
        RawHttp.Outcome problem = RawHttp.parse(bytes("HTTP/1.1 400 Bad Request\r\nContent-Type: application/problem+json\r\n"
                + "Content-Length: 2\r\n\r\n{}"), false);
        assertThat(problem.status()).isEqualTo(400);
        assertThat(problem.contentType()).isEqualTo("application/problem+json");
        assertThat(problem.hasBody()).isTrue();

        assertThat(RawHttp.parse(bytes("HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n"), false).hasBody()).isFalse();
        assertThat(RawHttp.parse(bytes("HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), false).hasBody()).isFalse();
        assertThat(RawHttp.parse(bytes("HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"), false)
                .hasBody()).isTrue();
        assertThat(RawHttp.parse(bytes("HTTP/1.1 401 Unauthorized\r\nContent-Length: 20\r\n\r\n"), true).hasBody()).isFalse();
        assertThat(RawHttp.parse(bytes(""), false).dropped()).isEqualTo("connection closed without an answer");
        assertThat(RawHttp.parse(bytes("garbage"), false).dropped()).isEqualTo("not an HTTP answer");
    }

    @Test
    void sendsTheBytesAsGivenAndReadsTheAnswer() throws Exception {
        StringBuilder received = new StringBuilder();
        RawHttp.Outcome o = against(socket -> {
            received.append(readHead(socket));
            write(socket, "HTTP/1.1 404 Not Found\r\nContent-Type: application/problem+json\r\nContent-Length: 2\r\n\r\n{}");
        }, http -> http.exchange("GET", "/api/x/%zz?limit=abc", List.of(new FuzzCases.Header("X-A", "b\u0001")), null));

        assertThat(o.status()).isEqualTo(404);
        assertThat(o.dropped()).isNull();
        assertThat(received.toString()).startsWith("GET /api/x/%zz?limit=abc HTTP/1.1\r\nX-A: b\u0001\r\nHost: ")
                .contains("Connection: close\r\n");
    }

    @Test
    void aConnectionClosedWithoutAnAnswerCountsAsDropped() throws Exception {
        RawHttp.Outcome o = against(socket -> readHead(socket), http -> http.exchange("GET", "/", List.of(), null));

        assertThat(o.status()).isEqualTo(-1);
        assertThat(o.dropped()).isNotNull();
    }

    private static RawHttp.Outcome against(Consumer<Socket> server, java.util.function.Function<RawHttp, RawHttp.Outcome> client)
            throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (Socket s = listener.accept()) {
                    server.accept(s);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            RawHttp.Outcome o = client.apply(new RawHttp("127.0.0.1", listener.getLocalPort(), 5000));
            served.get();
            return o;
        }
    }

    private static String readHead(Socket socket) {
        try {
            InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.append((char) b);
            }
            return head.toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void write(Socket socket, String answer) {
        try {
            OutputStream out = socket.getOutputStream();
            out.write(bytes(answer));
            out.flush();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
