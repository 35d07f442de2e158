package io.meshwork.proxy.resilience;

import io.meshwork.proxyapi.RetryPolicy;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.meshwork.proxy.resilience.RetryDecision.Verdict.*;
import static org.junit.jupiter.api.Assertions.*;

class RetryDecisionTest {
    private final RetryRules gateway = RetryRules.of(new RetryPolicy(2, 0, List.of("gateway-error"), null, null));

    @Test
    void aNamedFailureIsRetriedWithABackoffOfAtMostTheFirstStep() {
        RetryDecision d = RetryDecision.of(gateway, AttemptFailure.status(503, -1), 0, true, true, new RetryBudget());
        assertEquals(RETRY, d.verdict());
        assertTrue(d.delayMillis() >= 0 && d.delayMillis() <= 25, "first retry within 25 ms: " + d.delayMillis());
    }

    @Test
    void eachReasonNotToRetryIsNamedInOrder() {
        RetryBudget budget = new RetryBudget();
        assertEquals(NOT_A_RETRY_EVENT, RetryDecision.of(gateway, AttemptFailure.status(500, -1), 0, true, true, budget).verdict());
        assertEquals(RETRIES_USED_UP, RetryDecision.of(gateway, AttemptFailure.reset(), 2, true, true, budget).verdict());
        assertEquals(BODY_NOT_REPLAYABLE, RetryDecision.of(gateway, AttemptFailure.reset(), 0, false, true, budget).verdict());
        assertEquals(NO_TIME_LEFT, RetryDecision.of(gateway, AttemptFailure.reset(), 0, true, false, budget).verdict());
    }

    @Test
    void anUndecodableAnswerIsAGatewayErrorAndAConnectionError() {
        assertTrue(gateway.matches(AttemptFailure.protocolError()));
        RetryRules connection = RetryRules.of(new RetryPolicy(1, 0, List.of("client-error"), List.of("connection-error"), null));
        assertTrue(connection.matches(AttemptFailure.protocolError()));
        RetryRules clientOnly = RetryRules.of(new RetryPolicy(1, 0, List.of("client-error"), null, null));
        assertFalse(clientOnly.matches(AttemptFailure.protocolError()));
        assertTrue(RetryRules.APP_MESH_DEFAULT.matches(AttemptFailure.protocolError()), "App Mesh's default retries connection failures");
    }

    @Test
    void aSpentBudgetRefusesEvenANamedFailure() {
        RetryBudget budget = new RetryBudget();
        int granted = 0;
        for (int i = 0; i < 1_000; i++) {
            if (RetryDecision.of(gateway, AttemptFailure.reset(), 0, true, true, budget).retry()) {
                granted++;
            }
        }
        assertTrue(granted < 1_000, "the budget caps retries without requests to back them: " + granted);
        assertEquals(BUDGET_SPENT, RetryDecision.of(gateway, AttemptFailure.reset(), 0, true, true, budget).verdict());
    }

    @Test
    void aRefusedConnectionIsRetriedWithoutTheBudgetButNoMoreThanThePolicySays() {
        RetryBudget budget = new RetryBudget();
        while (RetryDecision.of(gateway, AttemptFailure.reset(), 0, true, true, budget).retry()) {
            // spend it
        }
        assertEquals(BUDGET_SPENT, RetryDecision.of(gateway, AttemptFailure.status(503, -1), 0, true, true, budget).verdict());
        for (int i = 0; i < 1_000; i++) {
            assertEquals(RETRY, RetryDecision.of(gateway, AttemptFailure.connectRefused(), 1, true, true, budget).verdict(),
                    "a request that reached no instance adds no load when retried");
        }
        assertEquals(RETRIES_USED_UP, RetryDecision.of(gateway, AttemptFailure.connectRefused(), 2, true, true, budget).verdict());
        assertEquals(BUDGET_SPENT, RetryDecision.of(gateway, AttemptFailure.connectFailed(), 0, true, true, budget).verdict(),
                "a connect timeout or a failed handshake may be an overloaded instance: budgeted");
        assertEquals(BUDGET_SPENT, RetryDecision.of(gateway, AttemptFailure.reset(), 0, true, true, budget).verdict(),
                "nor did those retries refill the budget");
    }

    @Test
    void onlyAConnectionNothingAcceptedCountsAsRefused() {
        assertEquals(AttemptFailure.Kind.CONNECT_REFUSED, AttemptFailure.connectFailed(new java.net.ConnectException("refused")).kind());
        assertEquals(AttemptFailure.Kind.CONNECT_REFUSED, AttemptFailure.connectFailed(new java.net.NoRouteToHostException()).kind());
        assertEquals(AttemptFailure.Kind.CONNECT_FAILED,
                AttemptFailure.connectFailed(new io.netty.channel.ConnectTimeoutException("timed out")).kind());
        assertEquals(AttemptFailure.Kind.CONNECT_FAILED, AttemptFailure.connectFailed(new javax.net.ssl.SSLException("handshake")).kind());
        assertTrue(RetryRules.APP_MESH_DEFAULT.matches(AttemptFailure.connectRefused()), "both are connect failures to retry rules");
        assertTrue(RetryRules.APP_MESH_DEFAULT.matches(AttemptFailure.connectFailed()));
        assertEquals("connect", AttemptFailure.connectRefused().reason());
    }
}
