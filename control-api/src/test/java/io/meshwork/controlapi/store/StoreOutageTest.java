package io.meshwork.controlapi.store;

import io.meshwork.controlapi.support.ControlApiServer;
import io.meshwork.controlapi.support.SignedHttp;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.appmesh.AppMeshClient;
import software.amazon.awssdk.services.appmesh.model.ServiceUnavailableException;

import java.net.http.HttpResponse;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** When PostgreSQL goes away, calls fail as ServiceUnavailable (which clients retry) and /health says DOWN. */
class StoreOutageTest {
    @Test
    void lostDatabaseIsServiceUnavailableNotInternalError() throws Exception {
        EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
        try (ControlApiServer server = ControlApiServer.start(Map.of(
                "control-api.jdbc-url", postgres.getJdbcUrl("postgres", "postgres"),
                "control-api.jdbc-user", "postgres", "control-api.jdbc-password", "postgres"));
             AppMeshClient client = server.client()) {
            client.createMesh(r -> r.meshName("before-outage"));
            postgres.close();

            ServiceUnavailableException e = assertThrows(ServiceUnavailableException.class,
                    () -> client.describeMesh(r -> r.meshName("before-outage")));
            assertEquals(503, e.statusCode());
            HttpResponse<String> health = new SignedHttp(server.endpoint()).sendUnsigned("GET", "/health", null, Map.of());
            assertEquals(503, health.statusCode());
            assertTrue(health.body().contains("DOWN"));
        }
    }
}
