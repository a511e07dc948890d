package dev.bedrockjobs.local.emulators.bedrock;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventStreamMessageTest {

    @Test
    void anEmptyMessageIsTheSixteenBytesOfPreludeAndChecksums() {
        // total length 16, no headers, prelude CRC32 0x05c248eb, message CRC32 0x7d98c8ff
        byte[] expected = HexFormat.of().parseHex("00000010" + "00000000" + "05c248eb" + "7d98c8ff");

        assertArrayEquals(expected, EventStreamMessage.encode(Map.of(), new byte[0]));
    }

    @Test
    void aStringHeaderAndPayloadAreFramedWithBothChecksums() {
        // 11 ":event-type", type 7, length 5 "chunk"; payload "{}"; 38 bytes in all, 20 of headers
        byte[] expected = HexFormat.of()
                .parseHex("00000026" + "00000014" + "3179d1b0" + "0b3a6576656e742d74797065" + "07" + "0005"
                        + "6368756e6b" + "7b7d" + "9bf70107");

        byte[] encoded =
                EventStreamMessage.encode(Map.of(":event-type", "chunk"), "{}".getBytes(StandardCharsets.UTF_8));

        assertArrayEquals(expected, encoded);
    }

    @Test
    void aChunkCarriesTheEventContentAndMessageTypeHeaders() {
        byte[] payload = "{\"bytes\":\"e30=\"}".getBytes(StandardCharsets.UTF_8);

        byte[] message = EventStreamMessage.chunk(payload);

        ByteBuffer prelude = ByteBuffer.wrap(message);
        assertEquals(message.length, prelude.getInt());
        int headersLength = prelude.getInt();
        assertEquals(message.length - 16 - payload.length, headersLength);
        String headers = new String(message, 12, headersLength, StandardCharsets.UTF_8);
        assertTrue(headers.contains(":event-type"), headers);
        assertTrue(headers.contains("chunk"), headers);
        assertTrue(headers.contains(":content-type"), headers);
        assertTrue(headers.contains("application/json"), headers);
        assertTrue(headers.contains(":message-type"), headers);
        assertTrue(headers.contains("event"), headers);
    }

    @Test
    void anExceptionNamesItsTypeInTheExceptionTypeHeader() {
        byte[] message = EventStreamMessage.exception(
                "modelStreamErrorException", "{\"message\":\"x\"}".getBytes(StandardCharsets.UTF_8));

        int headersLength = ByteBuffer.wrap(message, 4, 4).getInt();
        String headers = new String(message, 12, headersLength, StandardCharsets.UTF_8);
        assertTrue(headers.contains(":exception-type"), headers);
        assertTrue(headers.contains("modelStreamErrorException"), headers);
        assertTrue(headers.contains("exception"), headers);
    }
}
