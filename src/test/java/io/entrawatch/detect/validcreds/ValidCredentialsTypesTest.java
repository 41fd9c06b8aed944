package io.entrawatch.detect.validcreds;

import org.junit.jupiter.api.Test;

import static org.apache.flink.types.PojoTestUtils.assertSerializedAsPojoWithoutKryo;

/** D's keys, its stage-1 output and its state values cross the network and go into savepoints as POJOs, never Kryo. */
class ValidCredentialsTypesTest {
    @Test
    void keysRecordsAndStateArePojos() {
        assertSerializedAsPojoWithoutKryo(SprayWindowKey.class);
        assertSerializedAsPojoWithoutKryo(AddressKey.class);
        assertSerializedAsPojoWithoutKryo(SpraySource.class);
        assertSerializedAsPojoWithoutKryo(UserWindowHits.class);
    }
}
