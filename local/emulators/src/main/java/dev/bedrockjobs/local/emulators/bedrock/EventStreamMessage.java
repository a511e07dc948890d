package dev.bedrockjobs.local.emulators.bedrock;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * One message of the binary {@code application/vnd.amazon.eventstream} framing that carries Bedrock's streamed
 * answers: a prelude (total length and headers length, big-endian 32-bit, then the CRC32 of those 8 bytes), the
 * headers, the payload, and the CRC32 of everything before it, so 16 bytes of overhead besides the headers. Each
 * header is a 1-byte name length, the name, a 1-byte value type, and for a string (type 7) a 2-byte length and the
 * UTF-8 value; the simulator sends string headers only, as Bedrock does for its chunk and exception messages.
 *
 * <p>The encoder is written here rather than borrowed from the SDK's own event-stream codec so that the tests, which
 * read the simulator's streams with the SDK, check the framing against an independent parser.
 */
final class EventStreamMessage {

    private static final int PRELUDE_BYTES = 8;
    private static final int CRC_BYTES = 4;
    private static final byte STRING_HEADER = 7;

    private EventStreamMessage() {}

    /** A {@code :message-type event} carrying one {@code chunk}, whose JSON payload is {@code {"bytes": ...}}. */
    static byte[] chunk(byte[] jsonPayload) {
        return encode(
                headers(":event-type", "chunk", ":content-type", "application/json", ":message-type", "event"),
                jsonPayload);
    }

    /**
     * A {@code :message-type exception} message: how Bedrock fails a stream it has already started.
     *
     * @param exceptionType the stream member's name, e.g. {@code modelStreamErrorException}
     */
    static byte[] exception(String exceptionType, byte[] jsonPayload) {
        return encode(
                headers(
                        ":exception-type",
                        exceptionType,
                        ":content-type",
                        "application/json",
                        ":message-type",
                        "exception"),
                jsonPayload);
    }

    static byte[] encode(Map<String, String> headers, byte[] payload) {
        byte[] headerBytes = encodeHeaders(headers);
        int total = PRELUDE_BYTES + CRC_BYTES + headerBytes.length + payload.length + CRC_BYTES;
        ByteBuffer message = ByteBuffer.allocate(total);
        message.putInt(total).putInt(headerBytes.length);
        message.putInt(crc32(message.array(), 0, PRELUDE_BYTES));
        message.put(headerBytes).put(payload);
        message.putInt(crc32(message.array(), 0, total - CRC_BYTES));
        return message.array();
    }

    private static byte[] encodeHeaders(Map<String, String> headers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        headers.forEach((name, value) -> {
            byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
            byte[] valueBytes = value.getBytes(StandardCharsets.UTF_8);
            if (nameBytes.length > 255 || valueBytes.length > 0xffff) {
                throw new IllegalArgumentException("event-stream header too long: " + name);
            }
            out.write(nameBytes.length);
            out.writeBytes(nameBytes);
            out.write(STRING_HEADER);
            out.write(valueBytes.length >>> 8);
            out.write(valueBytes.length & 0xff);
            out.writeBytes(valueBytes);
        });
        return out.toByteArray();
    }

    private static int crc32(byte[] bytes, int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    private static Map<String, String> headers(String... namesAndValues) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            headers.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return headers;
    }
}
