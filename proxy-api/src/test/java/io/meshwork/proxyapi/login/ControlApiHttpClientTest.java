package io.meshwork.proxyapi.login;

import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import java.net.URI;
import java.net.http.HttpClient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

class ControlApiHttpClientTest {
    @Test
    void anHttpControlApiDoesNotLoadTheTrustStore() throws Exception {
        HttpClient http = ControlApiHttpClient.create(URI.create("http://127.0.0.1:8080"));

        assertNotSame(SSLContext.getDefault(), http.sslContext());
        assertEquals(HttpClient.Redirect.NEVER, http.followRedirects(), "an http:// client never moves to https://");
        assertEquals(HttpClient.Version.HTTP_1_1, http.version());
    }

    @Test
    void anHttpsControlApiTrustsWhatTheJvmTrusts() throws Exception {
        HttpClient http = ControlApiHttpClient.create(URI.create("https://control-api.example.com"));

        assertSame(SSLContext.getDefault(), http.sslContext());
    }
}
