package io.entrawatch.detect;

import java.nio.charset.StandardCharsets;

/**
 * The identity of a delivered record for de-duplication (docs/detections.md section 5): its
 * {@code properties.id} together with its category, as a 64-bit value so state holds 8 bytes per record.
 */
public final class RecordIdentity {
    private RecordIdentity() {}

    /** 64-bit FNV-1a of id, a separator and category. */
    public static long of(String id, String category) {
        long h = 0xcbf29ce484222325L;
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) h = (h ^ (b & 0xff)) * 0x100000001b3L;
        h = (h ^ 0x1f) * 0x100000001b3L;
        if (category != null) for (byte b : category.getBytes(StandardCharsets.UTF_8)) h = (h ^ (b & 0xff)) * 0x100000001b3L;
        return h;
    }
}
