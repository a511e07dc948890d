package dev.bedrockjobs.core.webhook;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP/1.1 POST over a connection to an address the guard vetted: the socket is connected to that
 * {@link InetAddress} itself, so nothing resolves the host a second time (a rebinding answer is never used). For
 * https the TLS layer is told the host name, for SNI and for the standard check of the certificate's names
 * ({@code HTTPS} endpoint identification), against the JDK's trusted roots unless a test gives its own.
 *
 * <p>Only the status line and the headers are read (at most {@link #MAX_HEAD_BYTES}), within one deadline for the
 * whole response head, so a receiver that trickles bytes cannot hold the function; the body is never read, and the
 * connection is closed after each request.
 */
final class PinnedPost {
    static final int MAX_HEAD_BYTES = 16 * 1024;
    /** Addresses tried per request: each may take the whole connect timeout, and the function's time is bounded. */
    static final int MAX_ADDRESSES_TRIED = 2;

    /** The status and the response headers (names in lower case, first value of each). */
    record Response(int status, Map<String, String> headers) {
        String header(String name) {
            return headers.get(name);
        }
    }

    private final SSLSocketFactory tls;
    private final Duration connectTimeout;
    private final Duration requestTimeout;

    PinnedPost(SSLSocketFactory tls, Duration connectTimeout, Duration requestTimeout) {
        this.tls = tls;
        this.connectTimeout = connectTimeout;
        this.requestTimeout = requestTimeout;
    }

    /**
     * POSTs {@code body} to the allowed target, trying its first vetted addresses in order until one connects.
     *
     * @throws SocketTimeoutException if no connection or no complete response head came in time
     * @throws javax.net.ssl.SSLException if TLS failed (certificate, name, protocol)
     * @throws IOException if no connection could be made or the response is not HTTP
     */
    Response post(WebhookAddressGuard.Allowed target, Map<String, String> headers, byte[] body) throws IOException {
        Socket socket = connect(target.addresses(), target.port());
        try {
            if (target.uri().getScheme().equals("https")) {
                socket = startTls(socket, target.host(), target.port());
            }
            long deadline = System.nanoTime() + requestTimeout.toNanos();
            OutputStream out = socket.getOutputStream();
            out.write(head(target, headers, body.length).getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            return readHead(socket, new BufferedInputStream(socket.getInputStream()), deadline);
        } finally {
            socket.close();
        }
    }

    private Socket connect(List<InetAddress> addresses, int port) throws IOException {
        IOException last = null;
        for (InetAddress address : addresses.subList(0, Math.min(MAX_ADDRESSES_TRIED, addresses.size()))) {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(address, port), (int) connectTimeout.toMillis());
                return s;
            } catch (IOException e) {
                s.close();
                last = e;
            }
        }
        throw last != null ? last : new IOException("no address to connect to");
    }

    private Socket startTls(Socket plain, String host, int port) throws IOException {
        SSLSocket s = (SSLSocket) tls.createSocket(plain, host, port, true);
        SSLParameters p = s.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        if (!isAddressLiteral(host)) {
            p.setServerNames(List.of(new SNIHostName(host)));
        }
        s.setSSLParameters(p);
        s.setSoTimeout((int) Math.max(1, requestTimeout.toMillis()));
        s.startHandshake();
        return s;
    }

    private static boolean isAddressLiteral(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }

    private static String head(WebhookAddressGuard.Allowed target, Map<String, String> headers, int length) {
        String path = target.uri().getRawPath();
        String query = target.uri().getRawQuery();
        StringBuilder h = new StringBuilder("POST ")
                .append(path == null || path.isEmpty() ? "/" : path)
                .append(query == null ? "" : "?" + query)
                .append(" HTTP/1.1\r\n")
                .append("host: ")
                .append(target.uri().getRawAuthority())
                .append("\r\n")
                .append("content-length: ")
                .append(length)
                .append("\r\n")
                .append("connection: close\r\n");
        headers.forEach((k, v) -> h.append(k).append(": ").append(v).append("\r\n"));
        return h.append("\r\n").toString();
    }

    private static Response readHead(Socket socket, InputStream in, long deadline) throws IOException {
        StringBuilder head = new StringBuilder();
        int read = 0;
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("no complete response head in time");
            }
            socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection closed before the response head ended");
            }
            if (++read > MAX_HEAD_BYTES) {
                throw new IOException("the response head is longer than " + MAX_HEAD_BYTES + " bytes");
            }
            head.append((char) b);
            int n = head.length();
            if (n >= 4
                    && head.charAt(n - 1) == '\n'
                    && head.charAt(n - 2) == '\r'
                    && head.charAt(n - 3) == '\n'
                    && head.charAt(n - 4) == '\r') {
                break;
            }
        }
        String[] lines = head.toString().split("\r\n");
        String[] status = lines[0].split(" ", 3);
        if (status.length < 2
                || !status[0].startsWith("HTTP/1.")
                || status[1].length() != 3
                || !status[1].chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IOException("the response is not HTTP/1.x");
        }
        Map<String, String> headers = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.putIfAbsent(
                        lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
        }
        return new Response(Integer.parseInt(status[1]), headers);
    }
}
