package io.entrawatch.generate;

import java.time.Instant;
import java.util.List;

/**
 * Ground truth of one planted attack or near miss.
 *
 * @param index          position in {@link GroundTruth#attacks()}
 * @param kind           what was planted
 * @param alertExpected  whether the plant's own detection ({@code kind.detection()}) must alert for it
 * @param tenantId       the tenant
 * @param windowStart    A: the 10-minute window (for {@code spray-split}, the first of its two windows);
 *                       B and C: the aligned hour holding the planted sign-ins
 * @param windowEnd      end of that window ({@code spray-split}: end of its second window)
 * @param errorCode      error code / resultType of the planted failures (e.g. 50126, 81016)
 * @param users          distinct lower-cased UPNs targeted, sorted
 * @param upnsAsWritten  distinct UPNs exactly as the records write them (mixed case included), sorted
 * @param ips            source IP addresses, sorted
 * @param asns           their ASNs ({@code null} where the records omit autonomousSystemNumber)
 * @param appId          client appId used by the attacker
 * @param appDisplayName its display name
 * @param records        number of planted records (duplicate re-deliveries not counted)
 * @param description    what it is and what the job must do with it
 */
public record PlantedAttack(
        int index,
        AttackKind kind,
        boolean alertExpected,
        String tenantId,
        Instant windowStart,
        Instant windowEnd,
        int errorCode,
        List<String> users,
        List<String> upnsAsWritten,
        List<String> ips,
        List<Integer> asns,
        String appId,
        String appDisplayName,
        int records,
        String description) {

    public char detection() {
        return kind.detection();
    }
}
