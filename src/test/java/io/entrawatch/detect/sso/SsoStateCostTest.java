package io.entrawatch.detect.sso;

import io.entrawatch.detect.SmallestValues;
import io.entrawatch.model.Categories;
import io.entrawatch.model.SignIn;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.api.Test;

import static io.entrawatch.TestRecords.T0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What stage 2 keeps per (tenant, IP, hour, table) stays bounded however many sign-ins the address makes. */
class SsoStateCostTest {
    @Test
    void operatorTypesSerializeAsPojos() {
        PojoTestUtils.assertSerializedAsPojo(SsoFlag.class);
        PojoTestUtils.assertSerializedAsPojo(SsoIpKey.class);
        PojoTestUtils.assertSerializedAsPojo(SsoHourKey.class);
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(SsoTableAggregate.class);
    }

    @Test
    void aMillionSignInsOfOneAddressCostAboutThirtyKilobytes() throws Exception {
        SsoTableAggregate agg = new SsoTableAggregate();
        SignIn s = new SignIn();
        s.category = Categories.NON_INTERACTIVE;
        s.ipAddress = "198.51.100.23";
        s.resultDescription = "Error 81016: the Kerberos ticket could not be decrypted";
        s.resultSignature = "None";
        for (int i = 0; i < 1_000_000; i++) {
            s.timestamp = T0 + i % 3_600_000;
            // 40-character UPNs, 120-character user agents, all distinct
            s.userPrincipalName = String.format("user%07d.someone.lon@contoso-corp.com", 1_000_000 - i);
            s.userAgent = String.format("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                    + "Chrome/120.0.%07d.0 Safari/537.36 xy", i);
            agg.add(s, SeamlessSsoSprayDetection.EVIDENCE_LIMIT);
        }
        assertEquals(40, s.userPrincipalName.length());
        assertEquals(120, s.userAgent.length());
        assertEquals(100, agg.userPrincipalNames.length);
        assertEquals(100, agg.userAgents.length);
        assertEquals("user0000001.someone.lon@contoso-corp.com", agg.userPrincipalNames[0]);

        TypeSerializer<SsoTableAggregate> serializer = TypeInformation.of(SsoTableAggregate.class)
                .createSerializer(new SerializerConfigImpl());
        DataOutputSerializer out = new DataOutputSerializer(64 * 1024);
        serializer.serialize(agg, out);
        int bytes = out.length();
        // 100 x 41 + 100 x 121 + two strings and two longs: about 16.5 KB per table, 33 KB for both tables
        assertTrue(bytes > 16_000 && bytes < 17_000, "serialized aggregate of one table: " + bytes + " bytes");

        SsoTableAggregate copy = serializer.deserialize(new org.apache.flink.core.memory.DataInputDeserializer(out.getCopyOfBuffer()));
        assertArrayEquals(agg.userPrincipalNames, copy.userPrincipalNames);
        assertEquals(agg.start, copy.start);
    }

    @Test
    void smallestValuesKeepsTheSmallestDistinctSorted() {
        String[] v = SmallestValues.EMPTY;
        for (String s : new String[] {"d", "b", "b", "e", "a", "c"}) v = SmallestValues.add(v, s, 3);
        assertArrayEquals(new String[] {"a", "b", "c"}, v);
        String[] same = SmallestValues.add(v, "z", 3);
        assertTrue(same == v, "unchanged when the value is not among the smallest");
        assertTrue(SmallestValues.add(v, null, 3) == v);
    }
}
