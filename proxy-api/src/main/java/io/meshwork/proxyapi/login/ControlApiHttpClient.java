package io.meshwork.proxyapi.login;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;

/**
 * The JDK HTTP client for calls to the control API. For a plain {@code http://} control API it gets
 * a TLS context that trusts nothing instead of the JVM's default one: building the default parses
 * the ~150 CA certificates of the JDK's trust store (about 0.3 s of a proxy's start, and their
 * objects on the heap) for connections that never use TLS. The client follows no redirects, so it
 * never leaves {@code http://} for {@code https://}. An {@code https://} control API gets the default.
 */
public final class ControlApiHttpClient {
    private ControlApiHttpClient() {
    }

    public static HttpClient create(URI controlApi) {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1);
        if ("http".equalsIgnoreCase(controlApi.getScheme())) {
            builder.sslContext(trustingNothing());
        }
        return builder.build();
    }

    private static SSLContext trustingNothing() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[0], new TrustManager[] {new RefuseEveryServer()}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS in this JVM: " + e.getMessage(), e);
        }
    }

    private static final class RefuseEveryServer implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("the control API was configured as plain http://; no certificate is trusted");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("the control API was configured as plain http://; no certificate is trusted");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
