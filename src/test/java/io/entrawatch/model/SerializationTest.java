package io.entrawatch.model;

import io.entrawatch.detect.spray.SprayKey;
import org.junit.jupiter.api.Test;

import static org.apache.flink.types.PojoTestUtils.assertSerializedAsPojoWithoutKryo;

/** What crosses the network between operators is serialized as a Flink POJO, never through Kryo. */
class SerializationTest {
    @Test
    void recordsBetweenOperatorsArePojos() {
        assertSerializedAsPojoWithoutKryo(SignIn.class);
        assertSerializedAsPojoWithoutKryo(Alert.class);
        assertSerializedAsPojoWithoutKryo(DeadLetter.class);
        assertSerializedAsPojoWithoutKryo(SprayKey.class);
    }
}
