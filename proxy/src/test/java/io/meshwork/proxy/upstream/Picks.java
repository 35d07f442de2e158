package io.meshwork.proxy.upstream;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** What an upstream's first attempts pick, for tests of balancing, ejection and back-off. */
final class Picks {
    private Picks() {
    }

    /** The state of {@code address}, found by picking (it must be usable). */
    static EndpointState find(Upstream upstream, String address) {
        for (int i = 0; i < 50; i++) {
            EndpointState e = upstream.pick(List.of());
            if (e.address().getAddress().getHostAddress().equals(address)) {
                return e;
            }
        }
        throw new AssertionError(address + " never picked");
    }

    /** The addresses {@code times} first attempts went to. */
    static Set<String> picked(Upstream upstream, int times) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < times; i++) {
            seen.add(upstream.pick(List.of()).address().getAddress().getHostAddress());
        }
        return seen;
    }
}
