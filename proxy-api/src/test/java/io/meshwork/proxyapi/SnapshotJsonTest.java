package io.meshwork.proxyapi;

import org.junit.jupiter.api.Test;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Snapshots are written by databind (the control API) and read by jackson-jr (proxies): what one
 * writes, the other must read back whole. The snapshots here are generated from the records
 * themselves, so a component added to any record is covered without touching this test.
 */
class SnapshotJsonTest {

    @Test
    void aSnapshotWithEveryFieldSetReadsBackEqual() throws Exception {
        ProxySnapshot written = (ProxySnapshot) new Generator(new Random(1), 0).value(ProxySnapshot.class);

        ProxySnapshot read = SnapshotJson.read(SnapshotJson.write(written));

        assertEquals(written, read);
        assertTrue(written.listeners().get(0).tls().certificate().acmArn() != null, "the generator sets nested fields too");
    }

    @Test
    void snapshotsWithFieldsLeftOutReadBackEqual() throws Exception {
        // Databind leaves null fields out of the JSON; the reader must give them back as null (and 0 for numbers).
        for (int seed = 0; seed < 200; seed++) {
            ProxySnapshot written = (ProxySnapshot) new Generator(new Random(seed), 0.4).value(ProxySnapshot.class);

            assertEquals(written, SnapshotJson.read(SnapshotJson.write(written)), "seed " + seed);
        }
    }

    @Test
    void fieldsThisProxyDoesNotKnowAreSkipped() {
        // What a newer control plane may send: new fields, at the top and nested, of any shape.
        String json = """
                {"version":"v1","revision":3,"mesh":"m","resourceKind":"virtualNode","resourceName":"n",
                 "futureField":{"a":[1,2,{"b":null}]},
                 "listeners":[{"port":8080,"protocol":"http2","futureListenerField":"x"}],
                 "clusters":[{"name":"c","endpoints":[{"address":"10.0.0.1","port":80,"weight":3}]}]}
                """;

        ProxySnapshot read = SnapshotJson.read(json.getBytes(StandardCharsets.UTF_8));

        assertEquals("v1", read.version());
        assertEquals(3, read.revision());
        assertEquals(new Listener(8080, Protocol.HTTP2, null, null, null, null, null), read.listeners().get(0));
        assertEquals(new Endpoint("10.0.0.1", 80, null), read.clusters().get(0).endpoints().get(0));
    }

    @Test
    void protocolsAreReadInAnyCaseAsDatabindReadThem() {
        ProxySnapshot read = SnapshotJson.read("""
                {"listeners":[{"port":80,"protocol":"HTTP2"},{"port":81,"protocol":"Grpc"}],"clusters":[{"name":"c","endpoints":[{"port":null}]}]}
                """.getBytes(StandardCharsets.UTF_8));

        assertEquals(Protocol.HTTP2, read.listeners().get(0).protocol());
        assertEquals(Protocol.GRPC, read.listeners().get(1).protocol());
        assertEquals(null, read.clusters().get(0).endpoints().get(0).port(), "null stays null where a number may be absent");
    }

    @Test
    void whatIsNotASnapshotIsRefusedWithAReason() {
        for (String json : List.of("not json", "null", "[]", "{\"listeners\":\"eight\"}", "{\"revision\":\"soon\"}",
                "{\"revision\":\"12\"}", "{\"listeners\":[{\"port\":1.5}]}", "{\"listeners\":[{\"port\":99999999999}]}",
                "{\"listeners\":[{\"port\":null}]}", "{\"revision\":true}",
                // A string or a boolean of the wrong kind: jr alone read the first as null (and the object's fields as the
                // snapshot's), the second as false (TLS not enforced), the third as "1".
                "{\"version\":{\"mesh\":\"other\"},\"mesh\":\"m\"}", "{\"clientTls\":{\"n\":{\"enforce\":\"yes\"}}}",
                "{\"problems\":[1]}", "{\"clientTls\":{\"n\":{\"enforce\":null}}}",
                "{\"listeners\":[{\"port\":80,\"protocol\":\"smtp\"}]}", "{\"version\":")) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> SnapshotJson.read(json.getBytes(StandardCharsets.UTF_8)), json);
            assertTrue(refused.getMessage().startsWith("not a proxy snapshot: "), refused.getMessage());
        }
    }

    @Test
    void messagesAreWrittenAsDatabindWroteThem() throws Exception {
        // What the control API reads: the same JSON whoever writes it (null fields left out, arrays as arrays).
        var databind = SnapshotJson.mapper();
        for (Class<?> type : List.of(ProxyReport.class, CertificateRequest.class, AwsLogin.class)) {
            for (int seed = 0; seed < 50; seed++) {
                Object message = new Generator(new Random(seed), seed % 2 == 0 ? 0 : 0.4).value(type);

                assertEquals(databind.readTree(databind.writeValueAsBytes(message)), databind.readTree(SnapshotJson.writeMessage(message)),
                        type.getSimpleName() + " seed " + seed);
            }
        }
    }

    @Test
    void answersAreReadAsDatabindWroteThem() throws Exception {
        for (Class<?> type : List.of(ProxyReport.Accepted.class, CertificateRequest.Issued.class, AwsLogin.Session.class, AwsLogin.Parameters.class)) {
            for (int seed = 0; seed < 50; seed++) {
                Object answer = new Generator(new Random(seed), seed % 2 == 0 ? 0 : 0.4).value(type);

                assertEquals(answer, SnapshotJson.readMessage(SnapshotJson.mapper().writeValueAsBytes(answer), type),
                        type.getSimpleName() + " seed " + seed);
            }
        }
        assertThrows(java.io.IOException.class, () -> SnapshotJson.readMessage("null".getBytes(StandardCharsets.UTF_8), ProxyReport.Accepted.class));
        assertThrows(java.io.IOException.class, () -> SnapshotJson.readMessage("{\"expiresInMillis\":\"soon\"}"
                .getBytes(StandardCharsets.UTF_8), ProxyReport.Accepted.class));
        assertEquals("arn:aws:ecs:x", SnapshotJson.readObject("{\"TaskARN\":\"arn:aws:ecs:x\",\"Containers\":[{}]}"
                .getBytes(StandardCharsets.UTF_8)).get("TaskARN"));
        assertThrows(java.io.IOException.class, () -> SnapshotJson.readObject("[1]".getBytes(StandardCharsets.UTF_8)));
        assertThrows(java.io.IOException.class, () -> SnapshotJson.readObject("null".getBytes(StandardCharsets.UTF_8)));
    }

    /** Builds a record graph from the records' components: every value distinct, some left null when asked. */
    private static final class Generator {
        private final Random random;
        private final double nulls;
        private int next;

        Generator(Random random, double nulls) {
            this.random = random;
            this.nulls = nulls;
        }

        Object value(Type type) throws Exception {
            if (type instanceof ParameterizedType p) {
                Class<?> raw = (Class<?>) p.getRawType();
                Type[] args = p.getActualTypeArguments();
                if (raw == List.class) {
                    return random.nextBoolean() ? List.of(value(args[0])) : List.of(value(args[0]), value(args[0]));
                }
                if (raw == Map.class) {
                    return Map.of("key" + next++, value(args[1]));
                }
            }
            Class<?> c = (Class<?>) type;
            if (c == String.class) {
                return "value-" + next++ + (random.nextBoolean() ? " \"quoted\" \u00e9" : "");
            }
            if (c == int.class || c == Integer.class) {
                return next++ * (random.nextBoolean() ? 1 : -1);
            }
            if (c == long.class || c == Long.class) {
                return (long) next++ << 33;
            }
            if (c == java.math.BigDecimal.class) {
                return java.math.BigDecimal.valueOf(next++ * 1000L + 123, 3);
            }
            if (c == long[].class) {
                return new long[] {next++, next++, 0};
            }
            if (c == boolean.class || c == Boolean.class) {
                return random.nextBoolean();
            }
            if (c.isEnum()) {
                Object[] constants = c.getEnumConstants();
                return constants[random.nextInt(constants.length)];
            }
            if (c.isRecord()) {
                RecordComponent[] components = c.getRecordComponents();
                Object[] values = new Object[components.length];
                Class<?>[] types = new Class<?>[components.length];
                for (int i = 0; i < components.length; i++) {
                    types[i] = components[i].getType();
                    boolean leaveOut = !types[i].isPrimitive() && random.nextDouble() < nulls;
                    values[i] = leaveOut ? null : value(components[i].getGenericType());
                }
                return c.getDeclaredConstructor(types).newInstance(values);
            }
            throw new IllegalArgumentException("the generator has no value for " + type + ": teach it");
        }
    }
}
