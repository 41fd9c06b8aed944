package io.entrawatch.detect;

import io.entrawatch.model.SignIn;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

import java.io.Serializable;

/**
 * A stateless input step of a second stage, run next to the gate ({@link DetectionTopology#gateSide}): it
 * keeps the sign-ins the stage reads and sends on only the fields the stage reads, so the shuffle to the
 * stage carries a projection instead of the whole sign-in.
 */
public final class ProjectedInput implements FlatMapFunction<SignIn, SignIn> {
    private static final long serialVersionUID = 1L;

    /** Which sign-ins the stage reads. */
    public interface Filter extends Serializable {
        boolean keeps(SignIn s);
    }

    /** Which of their fields it reads. */
    public interface Projection extends Serializable {
        SignIn project(SignIn s);
    }

    private final Filter filter;
    private final Projection projection;

    /**
     * Method references of the detection's own class ({@code this::keepsForStage2, this::forStage2}): each
     * class deserializes its own references, so two detections never share one.
     */
    public ProjectedInput(Filter filter, Projection projection) {
        this.filter = filter;
        this.projection = projection;
    }

    @Override
    public void flatMap(SignIn s, Collector<SignIn> kept) {
        if (filter.keeps(s)) kept.collect(projection.project(s));
    }

    /**
     * The fields every projection carries: the keys (tenant, address, user, time), the record's identity
     * (category, properties.id), the outcome, and the arrival watermark for a late dead letter.
     */
    public static SignIn keyFields(SignIn s) {
        SignIn p = new SignIn();
        p.timestamp = s.timestamp;
        p.tenantId = s.tenantId;
        p.category = s.category;
        p.id = s.id;
        p.ipAddress = s.ipAddress;
        p.userPrincipalName = s.userPrincipalName;
        p.success = s.success;
        p.arrivalWatermark = s.arrivalWatermark;
        return p;
    }
}
