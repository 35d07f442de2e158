package io.meshwork.proxy.observability;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshwork.proxy.observability.ExchangeRecord;
import io.meshwork.proxyapi.AccessLog;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class AccessLogFormatTest {
    private static ExchangeRecord record() {
        DefaultHttpHeaders request = new DefaultHttpHeaders();
        request.set("user-agent", "curl/8").set("x-request-id", "rid-1");
        DefaultHttpHeaders response = new DefaultHttpHeaders();
        response.set("content-type", "text/plain");
        return new ExchangeRecord("egress", "GET", "/a?b=1", "HTTP/1.1", "api.local", request, response, 503, ResponseFlag.UPSTREAM_CONNECTION_FAILURE, 10, 20,
                1_700_000_000_000L, 5_000_000, "api-v1", "api/canary", new InetSocketAddress("127.0.0.52", 9080),
                new InetSocketAddress("127.0.0.1", 40000));
    }

    @Test
    void defaultIsEnvoysLineFormat() {
        String line = AccessLogFormat.of(null).format(record());
        assertEquals("[2023-11-14T22:13:20.000Z] \"GET /a?b=1 HTTP/1.1\" 503 UF 10 20 5 - \"-\" \"curl/8\" \"rid-1\" "
                + "\"api.local\" \"127.0.0.52:9080\"\n", line);
    }

    @Test
    void textFormatWithOperatorsAndLengths() {
        String line = AccessLogFormat.of(new AccessLog("/dev/stdout", "%RESPONSE_CODE% %UPSTREAM_CLUSTER% %REQ(USER-AGENT):3% %UNKNOWN%", null))
                .format(record());
        assertEquals("503 api-v1 cur -\n", line);
    }

    @Test
    void jsonFormatIsOneObjectPerLine() throws Exception {
        String line = AccessLogFormat.of(new AccessLog("/dev/stdout", null, List.of(new AccessLog.JsonField("code", "%RESPONSE_CODE%"),
                new AccessLog.JsonField("path", "%REQ(:PATH)%"), new AccessLog.JsonField("type", "%RESP(CONTENT-TYPE)%")))).format(record());
        assertTrue(line.endsWith("}\n"));
        var json = new ObjectMapper().readTree(line);
        assertEquals("503", json.path("code").asText());
        assertEquals("/a?b=1", json.path("path").asText());
        assertEquals("text/plain", json.path("type").asText());
    }
}
