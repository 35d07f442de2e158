package io.meshwork.proxy.http;

import io.meshwork.proxy.resilience.RetryBudget;
import io.meshwork.proxy.upstream.EndpointState;
import io.meshwork.proxy.upstream.Upstream;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** A virtual node's instances for request-path tests: round robin, avoiding instances already tried; outcomes recorded. */
final class TestUpstream implements Upstream {
    private final List<EndpointState> endpoints = new ArrayList<>();
    private final RetryBudget budget = new RetryBudget();
    final List<Boolean> outcomes = new ArrayList<>();
    private int next;

    TestUpstream(InetSocketAddress... addresses) {
        for (InetSocketAddress a : addresses) {
            endpoints.add(EndpointState.standalone(a));
        }
    }

    @Override
    public String name() {
        return "api";
    }

    @Override
    public EndpointState pick(List<InetSocketAddress> tried) {
        if (endpoints.isEmpty()) {
            return null;
        }
        for (int i = 0; i < endpoints.size(); i++) {
            EndpointState e = endpoints.get(next++ % endpoints.size());
            if (!tried.contains(e.address())) {
                return e;
            }
        }
        return endpoints.get(next++ % endpoints.size());
    }

    @Override
    public void outcome(EndpointState endpoint, boolean failed) {
        outcomes.add(failed);
    }

    @Override
    public RetryBudget budget() {
        return budget;
    }

    int activeRequests() {
        return endpoints.stream().mapToInt(EndpointState::activeRequests).sum();
    }
}
