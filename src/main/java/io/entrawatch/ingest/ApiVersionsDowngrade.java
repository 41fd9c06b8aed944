package io.entrawatch.ingest;

import java.nio.ByteBuffer;

/**
 * Reads the start of what a Kafka client sends on one connection, before encryption, and turns its
 * ApiVersions request v4 into v3: the two versions are the same bytes on the wire (request and
 * response; v4 only lets the broker report features whose minimum version is 0), and a broker that
 * resets the connection at v4 answers v3.
 *
 * <p>A Kafka request frame is {@code int32 size, int16 api_key, int16 api_version, ...}. The scanner
 * follows the frames across calls (a frame may arrive in pieces) until the client's ApiVersions request
 * at a version above 0 (the Java client sends v0 before its SASL login, then the version it speaks) or
 * any request that is neither ApiVersions nor SASL; after that it is {@linkplain #done() done} and
 * touches nothing more.
 */
final class ApiVersionsDowngrade {
    static final int API_VERSIONS = 18;
    static final int SASL_HANDSHAKE = 17;
    static final int SASL_AUTHENTICATE = 36;
    static final int FROM = 4;
    static final int TO = 3;

    /** Position in the current frame, counting its 4-byte size. */
    private long pos;
    private long frameEnd = Long.MAX_VALUE;
    private int size;
    private int apiKey;
    private int versionHigh;
    private boolean done;
    private int rewritten;

    ApiVersionsDowngrade copy() {
        ApiVersionsDowngrade c = new ApiVersionsDowngrade();
        c.pos = pos;
        c.frameEnd = frameEnd;
        c.size = size;
        c.apiKey = apiKey;
        c.versionHigh = versionHigh;
        c.done = done;
        c.rewritten = rewritten;
        return c;
    }

    /** Whether the scanner has passed the requests it may change: the rest of the stream goes untouched. */
    boolean done() {
        return done;
    }

    /** How many ApiVersions requests it turned from v4 into v3. */
    int rewritten() {
        return rewritten;
    }

    /** Scans {@code buf}'s bytes at absolute indices [from, to), the next ones of the stream, rewriting in place. */
    void scan(ByteBuffer buf, int from, int to) {
        int i = from;
        while (i < to && !done) {
            if (pos >= 8) { // in a frame's body: skip it
                long skip = Math.min(to - i, frameEnd - pos);
                i += (int) skip;
                pos += skip;
            } else {
                int b = buf.get(i) & 0xff;
                if (pos < 4) {
                    size = (size << 8) | b;
                    if (pos == 3) {
                        if (size < 4) { // not a request frame: leave the stream alone
                            done = true;
                            return;
                        }
                        frameEnd = 4L + size;
                    }
                } else if (pos < 6) {
                    apiKey = (apiKey << 8) | b;
                } else if (pos == 6) {
                    versionHigh = b;
                } else {
                    int version = (versionHigh << 8) | b;
                    if (apiKey == API_VERSIONS && version == FROM) {
                        buf.put(i, (byte) TO);
                        rewritten++;
                    }
                    if ((apiKey == API_VERSIONS && version > 0)
                            || (apiKey != API_VERSIONS && apiKey != SASL_HANDSHAKE && apiKey != SASL_AUTHENTICATE)) {
                        done = true;
                    }
                }
                i++;
                pos++;
            }
            if (pos == frameEnd) {
                pos = 0;
                frameEnd = Long.MAX_VALUE;
                size = 0;
                apiKey = 0;
                versionHigh = 0;
            }
        }
    }
}
