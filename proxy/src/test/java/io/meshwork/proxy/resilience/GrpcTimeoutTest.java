package io.meshwork.proxy.resilience;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class GrpcTimeoutTest {
    @Test
    void everyUnitOfTheGrpcTimeoutHeader() {
        assertEquals(7_200_000, GrpcTimeout.millis("2H"));
        assertEquals(180_000, GrpcTimeout.millis("3M"));
        assertEquals(5_000, GrpcTimeout.millis("5S"));
        assertEquals(250, GrpcTimeout.millis("250m"));
        assertEquals(2, GrpcTimeout.millis("2500u"));
        assertEquals(1, GrpcTimeout.millis("100n"), "less than a millisecond still bounds the call");
        assertEquals(99_999_999L * 3_600_000L, GrpcTimeout.millis("99999999H"), "no overflow at the header's maximum");
    }

    @Test
    void absentOrMalformedHeadersSetNoDeadline() {
        assertEquals(-1, GrpcTimeout.millis(null));
        assertEquals(-1, GrpcTimeout.millis("S"));
        assertEquals(-1, GrpcTimeout.millis("10x"));
        assertEquals(-1, GrpcTimeout.millis("-1S"));
        assertEquals(-1, GrpcTimeout.millis("123456789S"));
    }
}
