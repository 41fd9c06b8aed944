package io.entrawatch.ingest;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The plaintext a Java Kafka client sends on a SASL connection (ApiVersions v0, SaslHandshake v1,
 * SaslAuthenticate v2, ApiVersions v4, then Metadata): only the fourth request's version changes, to 3,
 * however the stream is cut into pieces, and nothing after it is read.
 */
class ApiVersionsDowngradeTest {

    /** A request frame: size, api_key, api_version, correlation id, then {@code body}. */
    private static byte[] frame(int apiKey, int apiVersion, int correlationId, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(4 + 8 + body.length);
        b.putInt(8 + body.length).putShort((short) apiKey).putShort((short) apiVersion).putInt(correlationId).put(body);
        return b.array();
    }

    private static byte[] stream(int apiVersionsVersion, int afterLoginKey) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(frame(18, 0, 0, new byte[] {0, 5, 'a', 'd', 'm', 'i', 'n'}));
        out.writeBytes(frame(17, 1, 1, "PLAIN".getBytes()));
        byte[] token = new byte[300];
        Arrays.fill(token, (byte) 4); // bytes that look like version 4 must stay
        out.writeBytes(frame(36, 2, 2, token));
        out.writeBytes(frame(18, apiVersionsVersion, 3, "\u0010apache-kafka-java\u00064.2.0\u0000".getBytes()));
        out.writeBytes(frame(afterLoginKey, 4, 4, new byte[] {0, 0, 0, 4}));
        out.writeBytes(frame(18, 4, 5, new byte[0])); // never looked at: the scanner is done
        return out.toByteArray();
    }

    /** Offset of the api_version low byte of the i-th frame of {@link #stream}. */
    private static int versionByteOf(byte[] s, int index) {
        int at = 0;
        for (int i = 0; i < index; i++) at += 4 + ByteBuffer.wrap(s, at, 4).getInt();
        return at + 7;
    }

    private static byte[] scanInPieces(byte[] original, int[] cuts, ApiVersionsDowngrade d) {
        byte[] s = original.clone();
        ByteBuffer buf = ByteBuffer.wrap(s);
        int from = 0;
        for (int cut : cuts) {
            d.scan(buf, from, cut);
            from = cut;
        }
        d.scan(buf, from, s.length);
        return s;
    }

    @Test
    void onlyTheApiVersionsRequestAfterTheLoginChangesFromV4ToV3InEveryCut() {
        byte[] original = stream(4, 3);
        byte[] expected = original.clone();
        expected[versionByteOf(original, 3)] = 3;
        for (int a = 0; a <= original.length; a++) {
            for (int b = a; b <= original.length; b += 7) {
                ApiVersionsDowngrade d = new ApiVersionsDowngrade();
                assertArrayEquals(expected, scanInPieces(original, new int[] {a, b}, d), "cut at " + a + ", " + b);
                assertEquals(1, d.rewritten());
                assertTrue(d.done());
            }
        }
    }

    @Test
    void otherVersionsAndRequestsStayAsTheyAre() {
        for (int version : new int[] {1, 2, 3, 5}) {
            byte[] original = stream(version, 3);
            ApiVersionsDowngrade d = new ApiVersionsDowngrade();
            assertArrayEquals(original, scanInPieces(original, new int[] {13}, d));
            assertEquals(0, d.rewritten());
            assertTrue(d.done());
        }
    }

    @Test
    void aRequestThatIsNeitherLoginNorApiVersionsEndsTheScan() {
        byte[] metadataFirst = frame(3, 12, 0, new byte[20]);
        byte[] then = frame(18, 4, 1, new byte[0]);
        byte[] s = new byte[metadataFirst.length + then.length];
        System.arraycopy(metadataFirst, 0, s, 0, metadataFirst.length);
        System.arraycopy(then, 0, s, metadataFirst.length, then.length);
        ApiVersionsDowngrade d = new ApiVersionsDowngrade();
        assertArrayEquals(s.clone(), scanInPieces(s, new int[0], d));
        assertTrue(d.done());
    }

    @Test
    void notAKafkaFrameIsLeftAlone() {
        byte[] s = {0, 0, 0, 1, 0, 18, 0, 4};
        ApiVersionsDowngrade d = new ApiVersionsDowngrade();
        assertArrayEquals(s.clone(), scanInPieces(s, new int[0], d));
        assertTrue(d.done());
        assertEquals(0, d.rewritten());
    }

    @Test
    void aCopyScansOnWithoutMovingTheOriginal() {
        byte[] original = stream(4, 3);
        ApiVersionsDowngrade d = new ApiVersionsDowngrade();
        d.scan(ByteBuffer.wrap(original.clone()), 0, 10);
        ApiVersionsDowngrade copy = d.copy();
        copy.scan(ByteBuffer.wrap(original.clone()), 10, original.length);
        assertTrue(copy.done());
        assertFalse(d.done());
        assertEquals(0, d.rewritten());
    }
}
