package io.entrawatch.ingest;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EventTimesTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // the time formats of published Entra/Azure Monitor exports (fixtures/sign-ins/time-formats.jsonl has the project's own)
            "01/09/2007 09:41:00|2007-01-09T09:41:00Z",
            "1/9/2007 09:41:00|2007-01-09T09:41:00Z",
            "01/09/2007 09:41:00 AM|2007-01-09T09:41:00Z",
            "1/9/2007 9:41:00 AM|2007-01-09T09:41:00Z",
            "1/9/2007 10:41:00 AM +01:00|2007-01-09T09:41:00Z",
            "2007-01-09T09:41:00|2007-01-09T09:41:00Z",
            "2007-01-09T09:41:00.22Z|2007-01-09T09:41:00.220Z",
            "2007-01-09T09:41:00.6816663Z|2007-01-09T09:41:00.681Z",
            "2007-01-09T09:41:00.535404056Z|2007-01-09T09:41:00.535Z",
            "2007-01-09T09:41:00.992099+00:00|2007-01-09T09:41:00.992Z",
            "2007-01-09T11:41:00+02:00|2007-01-09T09:41:00Z",
            // and the other real ones
            "11/14/2025 1:48:53 AM|2025-11-14T01:48:53Z",
            "12/12/2025 3:03:58 PM|2025-12-12T15:03:58Z",
            "12/12/2025 12:03:58 AM|2025-12-12T00:03:58Z",
            "12/12/2025 12:03:58 PM|2025-12-12T12:03:58Z",
            "2019-10-18T04:45:48.0729893-05:00|2019-10-18T09:45:48.072Z",
            "2022-01-24T05:10:11.429773+00:00|2022-01-24T05:10:11.429Z",
            "2026-07-10T20:03:31.2737420Z|2026-07-10T20:03:31.273Z",
            "1969-12-31T23:59:59.9999999Z|1969-12-31T23:59:59.999Z",
    })
    void parsesEveryFormatSeenInTheWild(String text, String expected) {
        assertEquals(Instant.parse(expected).toEpochMilli(), EventTimes.parseMillis(text));
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"", "yesterday", "2025-13-01T00:00:00Z", "2025-02-30T00:00:00Z", "2025-01-01T24:00:00Z",
            "2025-01-01", "13/01/2025 1:00:00 AM", "1/1/2025 13:00:00 PM", "2025-01-01T00:00:00.Z",
            "2025-01-01T00:00:00+25:00", "2025-01-01T00:00:00 garbage", "2025-01-01T00:00:00.1234567890Z"})
    void rejectsWhatIsNotATime(String text) {
        assertEquals(EventTimes.INVALID, EventTimes.parseMillis(text));
    }
}
