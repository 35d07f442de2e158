package io.meshwork.controlapi.auth.aws;

import io.meshwork.controlapi.error.AppMeshErrorType;
import io.meshwork.controlapi.error.AppMeshException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Sends a checked login to STS and reads who signed it. STS verifies the signature (and the
 * session token, and that the credentials are live); its answer is the only thing a login is
 * believed on. Failures are told apart, because the caller can act on each: STS refused the
 * signature (403), STS throttles (429), STS could not be reached or answered nonsense (503).
 *
 * <p>Logins need no signature to the control API, so each one costs a call to STS: at most
 * {@value #MAX_CONCURRENT} run at once, others wait briefly and are then told to retry.
 */
final class StsCallerIdentity {
    static final int MAX_CONCURRENT = 32;
    private static final int MAX_ANSWER_BYTES = 64 * 1024;

    /** What GetCallerIdentity answered. */
    record CallerIdentity(String arn, String userId, String account) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final Semaphore inFlight = new Semaphore(MAX_CONCURRENT);

    CallerIdentity ask(LoginRequestCheck.Forwarded login) {
        boolean acquired;
        try {
            acquired = inFlight.tryAcquire(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted");
        }
        if (!acquired) {
            throw new AppMeshException(AppMeshErrorType.TOO_MANY_REQUESTS, "Too many AWS logins at once; retry shortly");
        }
        try {
            return send(login);
        } finally {
            inFlight.release();
        }
    }

    private CallerIdentity send(LoginRequestCheck.Forwarded login) {
        HttpRequest.Builder request = HttpRequest.newBuilder(login.url()).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(login.body()));
        login.headers().forEach(request::header);
        HttpResponse<InputStream> response;
        byte[] body;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                body = in.readNBytes(MAX_ANSWER_BYTES);
            }
        } catch (IOException e) {
            throw unavailable("STS at " + login.url() + " could not be reached (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); no login until it answers");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted while asking STS");
        }
        int status = response.statusCode();
        if (status == 200) {
            return identity(parse(body, login), login);
        }
        String error = error(body);
        if (status >= 500) {
            throw unavailable("STS at " + login.url() + " answered " + status + " " + error + "; no login until it recovers");
        }
        if (error.startsWith("Throttling")) {
            throw new AppMeshException(AppMeshErrorType.TOO_MANY_REQUESTS, "STS throttles logins (" + error + "); retry later");
        }
        throw AppMeshException.forbidden("STS refused the login's signed GetCallerIdentity request: " + error);
    }

    private static CallerIdentity identity(Document answer, LoginRequestCheck.Forwarded login) {
        NodeList results = answer.getElementsByTagNameNS("*", "GetCallerIdentityResult");
        if (results.getLength() != 1) {
            throw unavailable("STS at " + login.url() + " answered 200 without a GetCallerIdentityResult");
        }
        Element result = (Element) results.item(0);
        String arn = text(result, "Arn");
        String userId = text(result, "UserId");
        String account = text(result, "Account");
        if (arn == null || userId == null || account == null) {
            throw unavailable("STS at " + login.url() + " answered a GetCallerIdentityResult without Arn, UserId or Account");
        }
        return new CallerIdentity(arn, userId, account);
    }

    private static String text(Element parent, String name) {
        NodeList nodes = parent.getElementsByTagNameNS("*", name);
        if (nodes.getLength() != 1) {
            return null;
        }
        String text = nodes.item(0).getTextContent().trim();
        return text.isEmpty() ? null : text;
    }

    /** STS's error as "Code: Message", or its status line when the body says nothing usable. */
    private static String error(byte[] body) {
        try {
            Document doc = parseXml(body);
            NodeList codes = doc.getElementsByTagNameNS("*", "Code");
            NodeList messages = doc.getElementsByTagNameNS("*", "Message");
            String code = codes.getLength() > 0 ? codes.item(0).getTextContent().trim() : "";
            String message = messages.getLength() > 0 ? messages.item(0).getTextContent().trim() : "";
            return (code + (message.isEmpty() ? "" : ": " + message)).trim();
        } catch (IOException | SAXException | ParserConfigurationException e) {
            return "(no error document)";
        }
    }

    private static Document parse(byte[] body, LoginRequestCheck.Forwarded login) {
        try {
            return parseXml(body);
        } catch (IOException | SAXException | ParserConfigurationException e) {
            throw unavailable("STS at " + login.url() + " answered 200 with something that is not XML");
        }
    }

    /** STS answers XML; no DTDs or external entities are allowed into the parser. */
    private static Document parseXml(byte[] body) throws ParserConfigurationException, IOException, SAXException {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        factory.setXIncludeAware(false);
        factory.setExpandEntityReferences(false);
        var builder = factory.newDocumentBuilder();
        builder.setErrorHandler(new DefaultHandler()); // throws on fatal errors, prints nothing
        return builder.parse(new ByteArrayInputStream(body));
    }

    private static AppMeshException unavailable(String message) {
        return new AppMeshException(AppMeshErrorType.SERVICE_UNAVAILABLE, message);
    }
}
