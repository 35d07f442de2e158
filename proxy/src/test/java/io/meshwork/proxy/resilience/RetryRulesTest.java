package io.meshwork.proxy.resilience;

import io.meshwork.proxyapi.RetryPolicy;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class RetryRulesTest {
    @Test
    void serverErrorIsEnvoys5xxSetPlusConnectFailuresResetsAndAttemptTimeouts() {
        RetryRules rules = RetryRules.of(new RetryPolicy(3, 1000, List.of("server-error"), null, null));
        for (int status : new int[] {500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511}) {
            assertTrue(rules.onStatus(status), "status " + status);
        }
        assertFalse(rules.onStatus(509));
        assertFalse(rules.onStatus(409));
        assertFalse(rules.onStatus(404));
        assertTrue(rules.onConnectFailure() && rules.onReset() && rules.onPerTryTimeout());
        assertEquals(3, rules.maxRetries());
        assertEquals(1000, rules.perTryTimeoutMillis());
    }

    @Test
    void eachEventCoversOnlyWhatItNames() {
        RetryRules gateway = RetryRules.of(new RetryPolicy(1, 0, List.of("gateway-error"), null, null));
        assertTrue(gateway.onStatus(502) && gateway.onStatus(503) && gateway.onStatus(504));
        assertFalse(gateway.onStatus(500));
        RetryRules client = RetryRules.of(new RetryPolicy(1, 0, List.of("client-error"), null, null));
        assertTrue(client.onStatus(409));
        assertFalse(client.onStatus(503) || client.onConnectFailure() || client.onReset());
        RetryRules connect = RetryRules.of(new RetryPolicy(1, 0, null, List.of("connection-error"), null));
        assertTrue(connect.onConnectFailure());
        assertFalse(connect.onStatus(503) || connect.onReset());
        RetryRules stream = RetryRules.of(new RetryPolicy(1, 0, List.of("stream-error"), null, null));
        assertTrue(stream.onReset());
        assertFalse(stream.onConnectFailure());
    }

    @Test
    void grpcEventsMatchGrpcStatusCodes() {
        RetryRules rules = RetryRules.of(new RetryPolicy(2, 0, null, null,
                List.of("cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable")));
        for (int code : new int[] {1, 4, 8, 13, 14}) {
            assertTrue(rules.onGrpcStatus(code), "grpc-status " + code);
        }
        assertFalse(rules.onGrpcStatus(0));
        assertFalse(rules.onGrpcStatus(2));
        assertFalse(rules.onGrpcStatus(-1));
    }

    @Test
    void aRouteWithoutAPolicyGetsAppMeshsDefaultOfTwoRetriesOn503UnavailableAndConnectionFailures() {
        RetryRules rules = RetryRules.of(null);
        assertEquals(2, rules.maxRetries());
        assertTrue(rules.onStatus(503) && rules.onGrpcStatus(14) && rules.onConnectFailure() && rules.onReset());
        assertFalse(rules.onStatus(500) || rules.onStatus(502) || rules.onGrpcStatus(13));
        assertEquals(0, RetryRules.NONE.maxRetries());
    }
}
