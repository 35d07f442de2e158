package io.meshwork.cloudmap;

import io.meshwork.cloudmap.client.CloudMapClients;
import io.meshwork.cloudmap.discovery.CloudMapDiscovery;
import io.meshwork.cloudmap.discovery.CloudMapQuery;
import io.meshwork.cloudmap.discovery.DiscoveredEndpoint;
import io.meshwork.cloudmap.registration.CloudMapRegistrar;
import io.meshwork.cloudmap.testing.CloudMapFixtures;
import io.meshwork.cloudmap.testing.MotoServer;
import io.meshwork.cloudmap.testing.ThrottlingFront;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.servicediscovery.ServiceDiscoveryClient;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Discovery and registration against a real moto_server on loopback, through the real AWS SDK. */
class CloudMapDiscoveryTest {
    private static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));
    private static MotoServer moto;
    private static ServiceDiscoveryClient client;

    private final AtomicLong clock = new AtomicLong();
    private String namespace;
    private String serviceId;
    private CloudMapDiscovery discovery;

    @BeforeAll
    static void startMoto() throws Exception {
        moto = new MotoServer();
        client = CloudMapClients.create("us-east-1", moto.endpoint(), CREDENTIALS);
    }

    @AfterAll
    static void stopMoto() {
        client.close();
        moto.close();
    }

    @BeforeEach
    void service() {
        namespace = "ns-" + UUID.randomUUID().toString().substring(0, 8) + ".local";
        serviceId = CloudMapFixtures.service(client, namespace, "orders", true);
        discovery = new CloudMapDiscovery(client, Duration.ofSeconds(10), clock::get);
    }

    @Test
    void instancesMatchingEveryAttributeBecomeEndpointsWithTheirAddressAndPort() {
        register("i-1", Map.of("AWS_INSTANCE_IPV4", "10.0.0.1", "AWS_INSTANCE_PORT", "8080", "version", "v1", "zone", "a"));
        register("i-2", Map.of("AWS_INSTANCE_IPV4", "10.0.0.2", "version", "v2", "zone", "a"));
        register("i-3", Map.of("AWS_INSTANCE_IPV6", "fd00::3", "version", "v1", "zone", "b"));
        CloudMapQuery v1 = new CloudMapQuery(namespace, "orders", Map.of("version", "v1"), null);
        CloudMapQuery v1a = new CloudMapQuery(namespace, "orders", Map.of("version", "v1", "zone", "a"), null);
        CloudMapQuery all = new CloudMapQuery(namespace, "orders", Map.of(), "IPv4_ONLY");

        CloudMapDiscovery.Poll poll = discovery.poll(List.of(v1, v1a, all));

        assertEquals(List.of(new DiscoveredEndpoint("i-1", "10.0.0.1", 8080), new DiscoveredEndpoint("i-3", "fd00::3", null)),
                poll.changed().get(v1));
        assertEquals(List.of(new DiscoveredEndpoint("i-1", "10.0.0.1", 8080)), poll.changed().get(v1a));
        assertEquals(List.of("10.0.0.1", "10.0.0.2"), addresses(poll.changed().get(all)), "IPv4_ONLY leaves out the IPv6-only instance");
        assertTrue(poll.failed().isEmpty());
    }

    @Test
    void anUnchangedServiceCostsOneRevisionCallPerPollAndADeregistrationShowsInTheNextPoll() {
        register("i-1", Map.of("AWS_INSTANCE_IPV4", "10.0.0.1"));
        register("i-2", Map.of("AWS_INSTANCE_IPV4", "10.0.0.2"));
        CloudMapQuery q = new CloudMapQuery(namespace, "orders", Map.of(), null);
        discovery.poll(List.of(q));
        long before = discovery.calls();
        for (int i = 0; i < 5; i++) {
            clock.addAndGet(Duration.ofSeconds(1).toNanos());
            assertTrue(discovery.poll(List.of(q)).changed().isEmpty());
        }
        assertEquals(5, discovery.calls() - before, "one DiscoverInstancesRevision per poll, no DiscoverInstances");

        client.deregisterInstance(r -> r.serviceId(serviceId).instanceId("i-2"));
        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        assertEquals(List.of("10.0.0.1"), addresses(discovery.poll(List.of(q)).changed().get(q)));
    }

    @Test
    void unhealthyInstancesAreLeftOutUnlessNoneIsHealthy() {
        CloudMapRegistrar registrar = new CloudMapRegistrar(client);
        CloudMapQuery.ServiceName name = new CloudMapQuery.ServiceName(namespace, "orders");
        register("i-1", Map.of("AWS_INSTANCE_IPV4", "10.0.0.1"));
        register("i-2", Map.of("AWS_INSTANCE_IPV4", "10.0.0.2"));
        CloudMapQuery q = new CloudMapQuery(namespace, "orders", Map.of(), null);
        discovery.poll(List.of(q));

        assertTrue(registrar.reportHealth(name, "i-2", false));
        clock.addAndGet(Duration.ofSeconds(10).toNanos()); // health changes do not move the revision: the periodic re-read finds them
        assertEquals(List.of("10.0.0.1"), addresses(discovery.poll(List.of(q)).changed().get(q)));

        registrar.reportHealth(name, "i-1", false);
        clock.addAndGet(Duration.ofSeconds(10).toNanos());
        assertEquals(List.of("10.0.0.1", "10.0.0.2"), addresses(discovery.poll(List.of(q)).changed().get(q)),
                "with none healthy, all of them (HEALTHY_OR_ELSE_ALL)");
    }

    @Test
    void aMissingServiceHasNoEndpointsButAnOutageKeepsTheLastOnes() throws Exception {
        CloudMapQuery missing = new CloudMapQuery(namespace, "nope", Map.of(), null);
        CloudMapQuery q = new CloudMapQuery(namespace, "orders", Map.of(), null);
        register("i-1", Map.of("AWS_INSTANCE_IPV4", "10.0.0.1"));
        CloudMapDiscovery.Poll first = discovery.poll(List.of(missing, q));
        assertEquals(List.of(), first.changed().get(missing));
        assertEquals(List.of("10.0.0.1"), addresses(first.changed().get(q)));

        // A client whose Cloud Map is down: a port nothing listens on (the shared moto stays up).
        ServiceDiscoveryClient down = CloudMapClients.create("us-east-1", java.net.URI.create("http://127.0.0.1:9"), CREDENTIALS);
        CloudMapDiscovery cut = new CloudMapDiscovery(down, Duration.ofSeconds(10), clock::get);
        try (ThrottlingFront front = new ThrottlingFront(moto.endpoint())) {
            ServiceDiscoveryClient through = CloudMapClients.create("us-east-1", front.endpoint(), CREDENTIALS);
            CloudMapDiscovery d = new CloudMapDiscovery(through, Duration.ofSeconds(10), clock::get);
            d.poll(List.of(q));
            front.close();
            clock.addAndGet(Duration.ofSeconds(30).toNanos());
            CloudMapDiscovery.Poll during = d.poll(List.of(q));
            assertTrue(during.changed().isEmpty(), "nothing changes while Cloud Map cannot be reached");
            assertEquals(List.of(q.serviceName()), List.copyOf(during.failed()));
            assertEquals(List.of("10.0.0.1"), addresses(d.known().get(q)), "the last known instances stay");
            through.close();
        }
        assertFalse(cut.poll(List.of(q)).failed().isEmpty());
        assertTrue(cut.known().isEmpty(), "never read, nothing known: not an empty answer");
        down.close();
    }

    @Test
    void throttlingAndServerErrorsAreRetriedWithBackoff() throws Exception {
        register("i-1", Map.of("AWS_INSTANCE_IPV4", "10.0.0.1"));
        CloudMapQuery q = new CloudMapQuery(namespace, "orders", Map.of(), null);
        try (ThrottlingFront front = new ThrottlingFront(moto.endpoint());
             ServiceDiscoveryClient through = CloudMapClients.create("us-east-1", front.endpoint(), CREDENTIALS)) {
            CloudMapDiscovery d = new CloudMapDiscovery(through, Duration.ofSeconds(10), clock::get);
            front.throttleNext(2);
            front.failNext(1);
            long started = System.nanoTime();
            CloudMapDiscovery.Poll poll = d.poll(List.of(q));
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            assertTrue(poll.failed().isEmpty(), "the poll succeeds after its retries");
            assertEquals(List.of("10.0.0.1"), addresses(poll.changed().get(q)));
            assertEquals(3, front.throttled());
            assertTrue(tookMillis < 10_000, "backoff stays bounded: " + tookMillis + " ms");
        }
    }

    @Test
    void registrationAddsAndRemovesAnInstance() {
        CloudMapRegistrar registrar = new CloudMapRegistrar(client);
        CloudMapQuery.ServiceName name = new CloudMapQuery.ServiceName(namespace, "orders");
        assertEquals(serviceId, registrar.serviceId(name));
        registrar.register(name, "proxy-1", Map.of("AWS_INSTANCE_IPV4", "10.1.0.1", "AWS_INSTANCE_PORT", "9080", "app", "orders"));
        CloudMapQuery q = new CloudMapQuery(namespace, "orders", Map.of("app", "orders"), null);
        assertEquals(List.of(new DiscoveredEndpoint("proxy-1", "10.1.0.1", 9080)), discovery.poll(List.of(q)).changed().get(q));
        registrar.deregister(name, "proxy-1");
        registrar.deregister(name, "proxy-1"); // twice is fine
        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        assertEquals(List.of(), discovery.poll(List.of(q)).changed().get(q));
    }

    private void register(String id, Map<String, String> attributes) {
        client.registerInstance(r -> r.serviceId(serviceId).instanceId(id).attributes(attributes));
    }

    private static List<String> addresses(List<DiscoveredEndpoint> endpoints) {
        return endpoints.stream().map(DiscoveredEndpoint::address).sorted().toList();
    }
}
