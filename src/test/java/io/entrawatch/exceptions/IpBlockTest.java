package io.entrawatch.exceptions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IpBlockTest {
    private static boolean in(String block, String address) {
        return IpBlock.parse(block).contains(IpBlock.addressOrNull(address));
    }

    @Test
    void ipv4BlocksContainTheirAddressesOnly() {
        assertTrue(in("10.1.2.0/24", "10.1.2.0"));
        assertTrue(in("10.1.2.0/24", "10.1.2.255"));
        assertFalse(in("10.1.2.0/24", "10.1.3.0"));
        assertFalse(in("10.1.2.0/24", "10.1.1.255"));
        assertTrue(in("0.0.0.0/0", "203.0.113.9"));
        assertTrue(in("203.0.113.9", "203.0.113.9"));
        assertTrue(in("203.0.113.9/32", "203.0.113.9"));
        assertFalse(in("203.0.113.9", "203.0.113.10"));
        assertTrue(in("128.0.0.0/1", "255.255.255.255"));
        assertFalse(in("128.0.0.0/1", "127.255.255.255"));
    }

    @Test
    void ipv6BlocksCompareNumbersNotText() {
        assertTrue(in("2001:db8::/32", "2001:0db8:0000:0000:0000:0000:0000:0001"));
        assertTrue(in("2001:db8::/32", "2001:DB8:ffff::1"));
        assertFalse(in("2001:db8::/32", "2001:db9::1"));
        assertTrue(in("2001:db8:0:0:8000::/65", "2001:db8::8000:0:0:1"));
        assertFalse(in("2001:db8:0:0:8000::/65", "2001:db8::7fff:0:0:1"));
        assertTrue(in("::/0", "::1"));
        assertTrue(in("2001:db8::1", "2001:db8:0::1"));
        assertTrue(in("2001:db8::1/128", "2001:db8::1"));
        assertTrue(in("::ffff:192.0.2.0/120", "::ffff:192.0.2.7"));
    }

    @Test
    void familiesNeverMatchEachOtherNotEvenMappedAddresses() {
        assertFalse(in("192.0.2.0/24", "::ffff:192.0.2.1"));
        assertFalse(in("::ffff:192.0.2.1", "192.0.2.1"));
        assertFalse(in("0.0.0.0/0", "::1"));
        assertFalse(in("::/0", "10.0.0.1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.1.2.3/24", "010.1.2.0/24", "10.01.2.0", "10.1.2", "10.1.2.256", "10.1.2.0/33", "10.1.2.0/", "10.1.2.0/024",
            "2001:db8::1/32", "2001:db8::/129", "2001:db8:::1", "2001::db8::1", "1:2:3:4:5:6:7:8:9", "fe80::1%eth0", "g::1", "12345::1",
            "", "/24", "localhost", "10.1.2.0/-1", "1.2.3.4 "})
    void rejectsWhatIsNotAStrictAddressOrBlock(String text) {
        assertThrows(IpBlock.InvalidBlockException.class, () -> IpBlock.parse(text));
    }

    @Test
    void hostBitsAreNamedWithTheBlockToWriteInstead() {
        IpBlock.InvalidBlockException e = assertThrows(IpBlock.InvalidBlockException.class, () -> IpBlock.parse("10.1.2.3/24"));
        assertTrue(e.getMessage().contains("write 10.1.2.0/24"), e.getMessage());
    }

    @Test
    void signInAddressesThatDoNotParseMatchNothing() {
        assertNull(IpBlock.addressOrNull("not an address"));
        assertNull(IpBlock.addressOrNull(null));
        assertNull(IpBlock.addressOrNull("10.0.0.0/8"));
        assertEquals("2001:db8:0:0:0:0:0:1", IpBlock.addressOrNull("2001:db8::1").text());
        assertEquals("10.1.2.0/24", IpBlock.parse("10.1.2.0/24").text());
    }
}
