package io.meshwork.proxy.e2e;

import io.meshwork.cloudmap.testing.MotoIdentities;
import io.meshwork.cloudmap.testing.MotoServer;
import io.meshwork.proxy.support.ContainerCredentialsEndpoint;
import io.meshwork.proxy.support.ControlPlane;
import io.meshwork.proxy.support.Eventually;
import io.meshwork.proxy.support.MeshHttp;
import io.meshwork.proxy.support.ProxyProcess;
import io.meshwork.proxy.support.TestBackend;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.services.appmesh.AppMeshClient;
import software.amazon.awssdk.services.appmesh.model.Backend;
import software.amazon.awssdk.services.appmesh.model.Listener;
import software.amazon.awssdk.services.appmesh.model.PortProtocol;

import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Proxies on AWS hold no Meshwork key: one with an ECS task role (or EKS Pod Identity) gets
 * its credentials from the container credentials endpoint, one with EKS IRSA from a web
 * identity token, and both log in to the control API with them, fetch their configuration,
 * register, carry traffic, and log in again before their sessions end. A role nobody mapped
 * gets nothing, and its proxy says why.
 *
 * <p>moto's STS runs without its signature checks here: IRSA's AssumeRoleWithWebIdentity is an
 * unsigned call, which those checks would refuse. Forged and tampered logins are refused in
 * control-api's AwsLoginTest, where moto checks every signature.
 */
class AwsIdentityEndToEndTest {
    private static final String ORDERS_ROLE = "arn:aws:iam::123456789012:role/ecs/orders-task";
    private static final String WEB_ROLE = "arn:aws:iam::123456789012:role/web-pod";
    private static final String BILLING_ROLE = "arn:aws:iam::123456789012:role/billing-task";
    private static final String PROXY_POLICY = """
            {"Statement": [{"Effect": "Allow", "Action": "appmesh:StreamAggregatedResources",
              "Resource": "arn:aws:appmesh:us-east-1:000000000000:mesh/aws/*"}]}""";

    @Test
    void proxiesWithOnlyAwsIdentitiesFetchRegisterAndServeWhileAnUnmappedRoleIsToldWhy() throws Exception {
        Path dir = Files.createTempDirectory("aws-identity-");
        try (MotoServer moto = new MotoServer();
             ContainerCredentialsEndpoint credentials = new ContainerCredentialsEndpoint();
             // Sessions of 6 s: a proxy must log in again every 4 s or so to keep its registration.
             ControlPlane plane = ControlPlane.start(Map.of("control-api.sts.endpoint", moto.endpoint().toString(),
                     "control-api.aws-login.server-id", "127.0.0.1", "control-api.aws-login.session-duration", "6s"));
             AppMeshClient appMesh = plane.client();
             TestBackend app = TestBackend.http("orders-app", "127.0.1.221", 8080)) {
            MotoIdentities sts = new MotoIdentities(moto);
            AwsSessionCredentials ordersTask = sts.assumeRole(ORDERS_ROLE, "ecs-task-1");
            URI ordersUri = credentials.serve("/v2/credentials/orders", ordersTask, "orders-token");
            URI billingUri = credentials.serve("/v2/credentials/billing", sts.assumeRole(BILLING_ROLE, "ecs-task-2"), "billing-token");
            plane.signedPut("/meshwork/v1/aws-principals", "{\"arn\": \"" + ORDERS_ROLE + "\", \"policy\": " + PROXY_POLICY + "}");
            plane.signedPut("/meshwork/v1/aws-principals", "{\"arn\": \"" + WEB_ROLE + "\", \"policy\": " + PROXY_POLICY + "}");

            appMesh.createMesh(r -> r.meshName("aws"));
            appMesh.createVirtualNode(r -> r.meshName("aws").virtualNodeName("orders").spec(s -> s
                    .listeners(Listener.builder().portMapping(p -> p.port(8080).protocol(PortProtocol.HTTP)).build())
                    .serviceDiscovery(d -> d.dns(n -> n.hostname("127.0.0.221")))));
            appMesh.createVirtualService(r -> r.meshName("aws").virtualServiceName("orders.aws.local")
                    .spec(s -> s.provider(p -> p.virtualNode(v -> v.virtualNodeName("orders")))));
            appMesh.createVirtualNode(r -> r.meshName("aws").virtualNodeName("web").spec(s -> s
                    .backends(b -> b.virtualService(v -> v.virtualServiceName("orders.aws.local")))));
            appMesh.createVirtualNode(r -> r.meshName("aws").virtualNodeName("billing").spec(s -> s
                    .listeners(Listener.builder().portMapping(p -> p.port(8080).protocol(PortProtocol.HTTP)).build())
                    .serviceDiscovery(d -> d.dns(n -> n.hostname("127.0.0.223")))));

            Path podIdentityToken = Files.writeString(dir.resolve("pod-identity-token"), "orders-token");
            Path webIdentityToken = Files.writeString(dir.resolve("web-identity-token"), "eyJhbGciOiJSUzI1NiJ9.e30.c2ln");
            Path data = Files.createDirectories(dir.resolve("data"));
            try (ProxyProcess orders = ProxyProcess.startWithAwsIdentity(plane, "mesh/aws/virtualNode/orders", "127.0.0.221",
                    "127.0.1.221", data, Map.of(
                            // ECS task role or EKS Pod Identity: the agent's endpoint and its token file.
                            "AWS_CONTAINER_CREDENTIALS_FULL_URI", ordersUri.toString(),
                            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", podIdentityToken.toString()));
                 ProxyProcess web = ProxyProcess.startWithAwsIdentity(plane, "mesh/aws/virtualNode/web", "127.0.0.222",
                         "127.0.1.222", data, Map.of(
                                 // EKS IRSA, as the pod identity webhook sets it; STS is moto's.
                                 "AWS_ROLE_ARN", WEB_ROLE, "AWS_WEB_IDENTITY_TOKEN_FILE", webIdentityToken.toString(),
                                 "AWS_ROLE_SESSION_NAME", "web-pod-1", "AWS_REGION", "us-east-1",
                                 "AWS_ENDPOINT_URL_STS", moto.endpoint().toString()));
                 ProxyProcess billing = ProxyProcess.startWithAwsIdentity(plane, "mesh/aws/virtualNode/billing", "127.0.0.223",
                         "127.0.1.223", data, Map.of(
                                 "AWS_CONTAINER_CREDENTIALS_FULL_URI", billingUri.toString(),
                                 "AWS_CONTAINER_AUTHORIZATION_TOKEN", "billing-token"))) {
                plane.awaitReady("aws", List.of(orders, web));
                MeshHttp http = new MeshHttp("127.0.0.222");
                var answer = http.get("orders.aws.local", "/");
                assertEquals(200, answer.statusCode(), answer.body());
                assertEquals("orders-app", MeshHttp.backend(answer));

                assertTrue(orders.output().contains("logged in to the control API as AWS principal"
                        + " arn:aws:sts::123456789012:assumed-role/orders-task/ecs-task-1 (mapping " + ORDERS_ROLE + ")"), orders.output());
                assertTrue(web.output().contains("logged in to the control API as AWS principal"
                        + " arn:aws:sts::123456789012:assumed-role/web-pod/web-pod-1 (mapping " + WEB_ROLE + ")"), web.output());
                assertTrue(credentials.requests("/v2/credentials/orders") >= 1, "the orders proxy used its task role");

                Eventually.eventually(Duration.ofSeconds(30), () -> assertTrue(billing.output().contains(
                        "the control API did not take this proxy's AWS identity: logging in to the control API at "
                                + plane.endpoint() + " with AWS access key ")
                        && billing.output().contains("403 ForbiddenException: AWS principal arn:aws:sts::123456789012:assumed-role/"
                        + "billing-task/ecs-task-2 (arn:aws:iam::123456789012:role/billing-task) is not mapped"), billing.output()));
                assertTrue(billing.isAlive(), "an unmapped proxy keeps trying (a mapping may come): " + billing.output());
                assertNotEquals(200, status(billing.admin("/ready")), "it has no configuration");

                // Sessions end every 6 s: the proxies log in again and keep receiving changes.
                Eventually.eventually(Duration.ofSeconds(40), () -> {
                    assertTrue(logins(orders) >= 4, "orders logged in " + logins(orders) + " times");
                    assertTrue(logins(web) >= 4, "web logged in " + logins(web) + " times");
                });
                plane.changeAndAwaitProxies("aws", () -> appMesh.updateVirtualNode(r -> r.meshName("aws").virtualNodeName("web")
                        .spec(s -> s.backends(Backend.builder().virtualService(v -> v.virtualServiceName("orders.aws.local")).build(),
                                Backend.builder().virtualService(v -> v.virtualServiceName("stock.aws.local")).build()))));
                assertEquals("orders-app", MeshHttp.backend(http.get("orders.aws.local", "/")));

                for (ProxyProcess proxy : List.of(orders, web, billing)) {
                    assertFalse(proxy.output().contains(ordersTask.secretAccessKey()), "no AWS secret in a log");
                    assertFalse(proxy.output().contains("secretAccessKey"), "no session secret in a log");
                }
            }
        }
    }

    private static long logins(ProxyProcess proxy) {
        return proxy.output().lines().filter(l -> l.contains("logged in to the control API as AWS principal")).count();
    }

    private static int status(URI uri) {
        try {
            HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
            c.setConnectTimeout(500);
            return c.getResponseCode();
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
