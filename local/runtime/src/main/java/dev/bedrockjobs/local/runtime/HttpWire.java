package dev.bedrockjobs.local.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 as the front reads it off a connection (RFC 9112): the request head, checked before anything acts on
 * it, the body framed by {@code Content-Length} or chunked encoding, and the response. The front parses the bytes
 * itself so that every malformed request gets an answer of the API's own (a problem, never a server's error page),
 * as API Gateway answers malformed requests at its edge before any route or function is involved.
 */
final class HttpWire {
    /**
     * API Gateway's quota for HTTP APIs: "total combined size of request line and header values", 10240 bytes
     * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html).
     */
    static final int MAX_LINE_AND_HEADER_VALUES = 10_240;
    /** How much of a head is read at all (names and separators count here, not in the quota). */
    static final int MAX_HEAD_BYTES = 64 * 1024;

    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    private static final Map<Integer, String> REASONS = Map.ofEntries(
            Map.entry(100, "Continue"),
            Map.entry(200, "OK"),
            Map.entry(201, "Created"),
            Map.entry(202, "Accepted"),
            Map.entry(204, "No Content"),
            Map.entry(301, "Moved Permanently"),
            Map.entry(302, "Found"),
            Map.entry(304, "Not Modified"),
            Map.entry(400, "Bad Request"),
            Map.entry(401, "Unauthorized"),
            Map.entry(403, "Forbidden"),
            Map.entry(404, "Not Found"),
            Map.entry(405, "Method Not Allowed"),
            Map.entry(409, "Conflict"),
            Map.entry(410, "Gone"),
            Map.entry(413, "Content Too Large"),
            Map.entry(415, "Unsupported Media Type"),
            Map.entry(422, "Unprocessable Content"),
            Map.entry(429, "Too Many Requests"),
            Map.entry(431, "Request Header Fields Too Large"),
            Map.entry(500, "Internal Server Error"),
            Map.entry(502, "Bad Gateway"),
            Map.entry(503, "Service Unavailable"),
            Map.entry(504, "Gateway Timeout"));

    private HttpWire() {}

    /** A request the front refuses before routing it: the status and what was wrong, for the problem's detail. */
    static final class MalformedRequest extends IOException {
        private final int status;

        MalformedRequest(int status, String detail) {
            super(detail);
            this.status = status;
        }

        int status() {
            return status;
        }
    }

    /**
     * A request head that passed every check.
     *
     * @param target  the request target in origin form: a path, then perhaps {@code ?} and a query, still encoded
     * @param headers name and value of each header line in order, names as sent
     */
    record RequestHead(String method, String target, String version, List<Map.Entry<String, String>> headers) {
        /** The values of a header, by name in any case. */
        List<String> values(String name) {
            List<String> out = new ArrayList<>();
            for (Map.Entry<String, String> h : headers) {
                if (h.getKey().equalsIgnoreCase(name)) {
                    out.add(h.getValue());
                }
            }
            return out;
        }

        String rawPath() {
            int q = target.indexOf('?');
            return q < 0 ? target : target.substring(0, q);
        }

        /** The query after {@code ?}, or null when there is none. */
        String rawQuery() {
            int q = target.indexOf('?');
            return q < 0 ? null : target.substring(q + 1);
        }

        boolean expectsContinue() {
            return values("expect").stream().anyMatch(v -> v.equalsIgnoreCase("100-continue"));
        }

        /** HTTP/1.1 keeps a connection unless told to close it; 1.0 closes it unless told to keep it. */
        boolean keepAlive() {
            List<String> tokens = new ArrayList<>();
            for (String v : values("connection")) {
                for (String t : v.split(",")) {
                    tokens.add(t.strip().toLowerCase(Locale.ROOT));
                }
            }
            return version.equals("HTTP/1.0") ? tokens.contains("keep-alive") : !tokens.contains("close");
        }
    }

    /**
     * Reads and checks the next request head.
     *
     * @return the head, or null when the connection ended (or stayed idle past its timeout) before a request began
     * @throws MalformedRequest when the head breaks HTTP/1.1's grammar or API Gateway's size quota
     * @throws IOException      when the connection breaks off inside the head
     */
    static RequestHead readHead(InputStream in) throws IOException {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        int total = 0;
        boolean cr = false;
        while (true) {
            int b;
            try {
                b = in.read();
            } catch (java.net.SocketTimeoutException idle) {
                if (lines.isEmpty() && line.length() == 0) {
                    return null;
                }
                throw idle;
            }
            if (b < 0) {
                if (lines.isEmpty() && line.length() == 0) {
                    return null;
                }
                throw new MalformedRequest(400, "The request ended inside its head.");
            }
            if (++total > MAX_HEAD_BYTES) {
                throw headTooLarge();
            }
            if (cr && b != '\n') {
                throw new MalformedRequest(400, "A CR in the request head is not followed by LF.");
            }
            if (b == '\r') {
                cr = true;
                continue;
            }
            cr = false;
            if (b != '\n') {
                line.append((char) b); // ISO-8859-1: every byte is one char; the checks below decide what may be
                continue;
            }
            if (line.length() == 0) {
                if (lines.isEmpty()) {
                    continue; // RFC 9112 §2.2: empty lines before the request line are ignored
                }
                return parse(lines);
            }
            lines.add(line.toString());
            line.setLength(0);
        }
    }

    private static MalformedRequest headTooLarge() {
        return new MalformedRequest(
                431,
                "The request line and headers exceed the API's limit of " + MAX_LINE_AND_HEADER_VALUES + " bytes.");
    }

    private static RequestHead parse(List<String> lines) throws MalformedRequest {
        String requestLine = lines.get(0);
        String[] parts = requestLine.split(" ", -1);
        if (parts.length != 3 || parts[0].isEmpty() || !isToken(parts[0])) {
            throw new MalformedRequest(400, "The request line is not 'METHOD /path HTTP/1.1'.");
        }
        String target = parts[1];
        if (!target.startsWith("/")) {
            throw new MalformedRequest(400, "The request target must be a path beginning with '/'.");
        }
        checkTarget(target);
        if (!parts[2].matches("HTTP/1\\.[0-9]")) {
            throw new MalformedRequest(400, "The protocol must be HTTP/1.x, not '" + printable(parts[2]) + "'.");
        }
        int quota = requestLine.length();
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (String h : lines.subList(1, lines.size())) {
            if (h.charAt(0) == ' ' || h.charAt(0) == '\t') {
                throw new MalformedRequest(400, "A header line is folded onto the next (obsolete line folding).");
            }
            int colon = h.indexOf(':');
            if (colon <= 0 || !isToken(h.substring(0, colon))) {
                throw new MalformedRequest(400, "A header line is not 'Name: value'.");
            }
            String value = h.substring(colon + 1).strip();
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if ((c < 0x20 && c != '\t') || c == 0x7F) {
                    throw new MalformedRequest(
                            400, "The header " + h.substring(0, colon) + " holds a control character.");
                }
            }
            quota += value.length();
            headers.add(Map.entry(h.substring(0, colon), value));
        }
        if (quota > MAX_LINE_AND_HEADER_VALUES) {
            throw headTooLarge();
        }
        return new RequestHead(parts[0], target, parts[2], List.copyOf(headers));
    }

    /**
     * RFC 3986: a path and query hold ASCII letters, digits, {@code -._~!$&'()*+,;=:@/?} and {@code %} followed by two
     * hex digits; anything else (spaces, quotes, braces, raw bytes outside ASCII) must have been percent-encoded.
     */
    private static void checkTarget(String target) throws MalformedRequest {
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c == '%') {
                if (i + 2 >= target.length()
                        || Character.digit(target.charAt(i + 1), 16) < 0
                        || Character.digit(target.charAt(i + 2), 16) < 0) {
                    throw new MalformedRequest(
                            400, "The request target has a '%' that is not followed by two hex " + "digits.");
                }
                i += 2;
            } else if (!(c < 0x80 && (Character.isLetterOrDigit(c) || "-._~!$&'()*+,;=:@/?".indexOf(c) >= 0))) {
                throw new MalformedRequest(
                        400,
                        "The request target holds a character that must be percent-encoded"
                                + (c < 0x80 && c >= 0x20 ? ": '" + c + "'." : "."));
            }
        }
    }

    private static boolean isToken(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c < 0x80 && (Character.isLetterOrDigit(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0))) {
                return false;
            }
        }
        return !s.isEmpty();
    }

    private static String printable(String s) {
        String cut = s.length() > 20 ? s.substring(0, 20) + "..." : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }

    /**
     * The body of a request as its framing headers say: {@code Content-Length} bytes, or chunked. Both at once, a
     * length that is not a number, lengths that disagree, or another transfer coding are refused: a front and a
     * server that read such a request differently are how requests get smuggled.
     */
    static InputStream body(RequestHead head, InputStream in) throws MalformedRequest {
        List<String> encodings = head.values("transfer-encoding");
        List<String> lengths = head.values("content-length");
        if (!encodings.isEmpty()) {
            if (!lengths.isEmpty()) {
                throw new MalformedRequest(400, "Content-Length and Transfer-Encoding must not be sent together.");
            }
            if (encodings.size() != 1 || !encodings.get(0).equalsIgnoreCase("chunked")) {
                throw new MalformedRequest(400, "The only transfer coding accepted is 'chunked'.");
            }
            return new ChunkedBody(in);
        }
        long length = -1;
        for (String v : lengths) {
            long n = v.matches("[0-9]{1,18}") ? Long.parseLong(v) : -1;
            if (n < 0 || (length >= 0 && n != length)) {
                throw new MalformedRequest(400, "Content-Length must be one decimal number of bytes.");
            }
            length = n;
        }
        return new FixedLengthBody(in, Math.max(0, length));
    }

    /** Writes the interim answer a client sending {@code Expect: 100-continue} waits for before the body. */
    static void writeContinue(OutputStream out) throws IOException {
        out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /**
     * Writes a whole response: status line, the headers given (names as given; any framing header among them is
     * replaced by the true one), {@code Date}, {@code Content-Length}, {@code Connection: close} when the connection
     * ends after it, and the body unless the request was a HEAD or the status has none.
     */
    static void writeResponse(
            OutputStream out,
            int status,
            List<Map.Entry<String, String>> headers,
            byte[] body,
            boolean headRequest,
            boolean close)
            throws IOException {
        StringBuilder head = statusAndHeaders(status, headers);
        boolean bodiless = status == 204 || status == 304 || status < 200;
        if (!bodiless) {
            head.append("content-length: ").append(body.length).append("\r\n");
        }
        if (close) {
            head.append("connection: close\r\n");
        }
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (!bodiless && !headRequest) {
            out.write(body);
        }
        out.flush();
    }

    /** Exactly {@code length} bytes of the connection, then end of stream. */
    /**
     * The status line and the given headers but those that frame the body (this writer sets them), with a date unless
     * one is given; the caller adds the framing and the blank line.
     */
    private static StringBuilder statusAndHeaders(int status, List<Map.Entry<String, String>> headers) {
        StringBuilder head = new StringBuilder(256)
                .append("HTTP/1.1 ")
                .append(status)
                .append(' ')
                .append(REASONS.getOrDefault(status, ""))
                .append("\r\n");
        boolean hasDate = false;
        for (Map.Entry<String, String> h : headers) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (name.equals("content-length") || name.equals("transfer-encoding") || name.equals("connection")) {
                continue;
            }
            hasDate |= name.equals("date");
            head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        if (!hasDate) {
            head.append("date: ")
                    .append(HTTP_DATE.format(ZonedDateTime.now(ZoneOffset.UTC)))
                    .append("\r\n");
        }
        return head;
    }

    /**
     * A response whose body is sent in chunks as it is produced (RFC 9112 §7.1), each flushed at once; {@link #end}
     * sends the last, empty chunk, after which the connection can carry another request.
     */
    static final class ChunkedResponse {
        private static final byte[] CRLF = {'\r', '\n'};
        private final OutputStream out;
        private boolean started;

        ChunkedResponse(OutputStream out) {
            this.out = out;
        }

        void start(int status, List<Map.Entry<String, String>> headers) throws IOException {
            if (started) {
                throw new IllegalStateException("the response has started already");
            }
            started = true;
            StringBuilder head = statusAndHeaders(status, headers);
            head.append("transfer-encoding: chunked\r\n\r\n");
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        boolean started() {
            return started;
        }

        void write(byte[] data) throws IOException {
            if (data.length == 0) {
                return; // an empty chunk would end the body
            }
            out.write((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(data);
            out.write(CRLF);
            out.flush();
        }

        void end() throws IOException {
            out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
    }

    private static final class FixedLengthBody extends InputStream {
        private final InputStream in;
        private long remaining;

        FixedLengthBody(InputStream in, long length) {
            this.in = in;
            this.remaining = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining == 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw new IOException("the connection ended " + remaining + " bytes before the body's end");
            }
            remaining -= n;
            return n;
        }
    }

    /** A chunked body (RFC 9112 §7.1): size lines in hex (extensions ignored), data, and trailers that are dropped. */
    private static final class ChunkedBody extends InputStream {
        private final InputStream in;
        private long remaining;
        private boolean done;

        ChunkedBody(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (remaining == 0) {
                remaining = nextChunkSize();
                if (remaining == 0) {
                    while (!line().isEmpty()) {
                        // trailer fields: nothing in the API reads them
                    }
                    done = true;
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw new IOException("the connection ended inside a chunk");
            }
            remaining -= n;
            if (remaining == 0 && !line().isEmpty()) {
                throw new MalformedRequest(400, "A chunk of the body is longer than its size line says.");
            }
            return n;
        }

        private long nextChunkSize() throws IOException {
            String size = line();
            int semicolon = size.indexOf(';');
            String hex = (semicolon < 0 ? size : size.substring(0, semicolon)).strip();
            if (!hex.matches("[0-9A-Fa-f]{1,15}")) {
                throw new MalformedRequest(400, "A chunk size of the body is not a hexadecimal number.");
            }
            return Long.parseLong(hex, 16);
        }

        /** One CRLF-ended line of the chunk framing, bounded like a head. */
        private String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            while (true) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("the connection ended inside the chunk framing");
                }
                if (b == '\n') {
                    int end = sb.length();
                    return end > 0 && sb.charAt(end - 1) == '\r' ? sb.substring(0, end - 1) : sb.toString();
                }
                if (sb.length() >= MAX_HEAD_BYTES) {
                    throw new MalformedRequest(400, "A line of the chunk framing is too long.");
                }
                sb.append((char) b);
            }
        }
    }
}
