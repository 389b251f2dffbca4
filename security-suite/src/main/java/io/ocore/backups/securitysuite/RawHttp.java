package io.ocore.backups.securitysuite;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * HTTP/1.1 over a plain socket, one request per connection ({@code Connection: close}): the fuzz
 * run needs to send what no well-behaved client would (bad percent escapes, control characters
 * in headers) and to tell a refused request from a dropped connection.
 */
final class RawHttp {

    private static final int MAX_KEPT = 64 * 1024;

    private final InetSocketAddress address;
    private final String hostHeader;
    private final int timeoutMillis;

    RawHttp(String host, int port, int timeoutMillis) {
        this.address = new InetSocketAddress(host, port);
        this.hostHeader = host + ":" + port;
        this.timeoutMillis = timeoutMillis;
    }

    /** The answer, or why there was none ({@code dropped} set, status -1). */
    record Outcome(int status, String contentType, boolean hasBody, String head, String dropped) {
    }

    Outcome exchange(String method, String target, Iterable<FuzzCases.Header> headers, byte[] body) {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        boolean host = false;
        StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        for (FuzzCases.Header h : headers) {
            host |= h.name().equalsIgnoreCase("Host");
            head.append(h.name()).append(": ").append(h.value()).append("\r\n");
        }
        if (!host) {
            head.append("Host: ").append(hostHeader).append("\r\n");
        }
        head.append("Connection: close\r\n");
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        request.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
        if (body != null) {
            request.writeBytes(body);
        }
        try (Socket socket = new Socket()) {
            socket.connect(address, timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            IOException writeFailure = null;
            try {
                OutputStream out = socket.getOutputStream();
                out.write(request.toByteArray());
                out.flush();
            } catch (IOException e) {
                // the server may answer (413) and close before it read everything: read that answer
                writeFailure = e;
            }
            byte[] answer;
            try {
                answer = readAll(socket.getInputStream());
            } catch (SocketTimeoutException e) {
                return new Outcome(-1, null, false, "", "no answer within " + timeoutMillis + " ms");
            } catch (IOException e) {
                return new Outcome(-1, null, false, "", e.getMessage() + (writeFailure == null ? "" : " (writing: " + writeFailure.getMessage() + ")"));
            }
            return parse(answer, method.equals("HEAD"));
        } catch (IOException e) {
            return new Outcome(-1, null, false, "", "connect: " + e.getMessage());
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        byte[] buffer = new byte[16 * 1024];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            if (kept.size() < MAX_KEPT) {
                kept.write(buffer, 0, Math.min(n, MAX_KEPT - kept.size()));
            }
        }
        return kept.toByteArray();
    }

    /** Status line and headers; whether a body followed (Content-Length, chunked, or bytes until close). */
    static Outcome parse(byte[] answer, boolean head) {
        String text = new String(answer, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (text.isEmpty()) {
            return new Outcome(-1, null, false, "", "connection closed without an answer");
        }
        if (!text.startsWith("HTTP/1.") || end < 0) {
            return new Outcome(-1, null, false, text.substring(0, Math.min(80, text.length())), "not an HTTP answer");
        }
        String[] lines = text.substring(0, end).split("\r\n");
        String[] status = lines[0].split(" ", 3);
        int code;
        try {
            code = Integer.parseInt(status[1]);
        } catch (RuntimeException e) {
            return new Outcome(-1, null, false, lines[0], "bad status line");
        }
        String contentType = null;
        Long length = null;
        boolean chunked = false;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).trim();
            switch (name) {
                case "content-type" -> contentType = value;
                case "content-length" -> {
                    try {
                        length = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        length = null;
                    }
                }
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                default -> {
                }
            }
        }
        String rest = text.substring(end + 4);
        boolean hasBody;
        if (head || code == 204 || code == 304) {
            hasBody = false;
        } else if (chunked) {
            hasBody = !rest.startsWith("0\r\n");
        } else if (length != null) {
            hasBody = length > 0;
        } else {
            hasBody = !rest.isEmpty();
        }
        return new Outcome(code, contentType, hasBody, lines[0], null);
    }
}
