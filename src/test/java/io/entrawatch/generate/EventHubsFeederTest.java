package io.entrawatch.generate;

import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The feeder tells an Event Hubs namespace from a local broker and stays within what Event Hubs takes. */
class EventHubsFeederTest {

    private static Properties to(String bootstrap) {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", bootstrap);
        p.setProperty("security.protocol", "SASL_SSL");
        return p;
    }

    @Test
    void eventHubsNamespacesAreRecognisedInEveryCloud() {
        assertTrue(EventHubsFeeder.isEventHubs("mynamespace.servicebus.windows.net:9093"));
        assertTrue(EventHubsFeeder.isEventHubs("MyNamespace.ServiceBus.Windows.Net:9093"));
        assertTrue(EventHubsFeeder.isEventHubs("SASL_SSL://ns.servicebus.chinacloudapi.cn:9093"));
        assertTrue(EventHubsFeeder.isEventHubs("ns.servicebus.usgovcloudapi.net:9093"));
        assertTrue(EventHubsFeeder.isEventHubs("127.0.0.1:19093, ns.servicebus.cloudapi.de:9093"));
        assertFalse(EventHubsFeeder.isEventHubs("127.0.0.1:19093"));
        assertFalse(EventHubsFeeder.isEventHubs("localhost:9093"));
        assertFalse(EventHubsFeeder.isEventHubs("servicebus.windows.net.example.com:9093"));
        assertFalse(EventHubsFeeder.isEventHubs(null));
    }

    @Test
    void onEventHubsTheFeederSendsUncompressedRequestsWithinTheLimit() {
        Properties p = EventHubsFeeder.producerProperties(to("ns.servicebus.windows.net:9093"));
        assertEquals("none", p.getProperty("compression.type"));
        assertEquals("1046528", p.getProperty("max.request.size"));
        assertTrue(Integer.parseInt(p.getProperty("batch.size")) <= 1_046_528);
        assertEquals("SASL_SSL", p.getProperty("security.protocol"), "the client settings stay");
        assertEquals("all", p.getProperty("acks"));
    }

    @Test
    void onALocalBrokerItCompressesWithLz4() {
        Properties p = EventHubsFeeder.producerProperties(to("127.0.0.1:19093"));
        assertEquals("lz4", p.getProperty("compression.type"));
        assertEquals(String.valueOf(2 * 1024 * 1024), p.getProperty("max.request.size"));
    }
}
