package io.meshwork.packaging.image;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.appmesh.AppMeshClient;
import software.amazon.awssdk.services.appmesh.model.AppMeshException;
import software.amazon.awssdk.services.appmesh.model.MeshRef;
import software.amazon.awssdk.services.appmesh.model.MeshStatusCode;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The control API image (control-api/target/meshwork-control-api-image.tar) run by runc with only its
 * root key set: it serves the App Mesh API on all interfaces, keeps its store in a directory of its
 * own, and does not run as root. Root-only; skips elsewhere.
 */
class ControlApiImageIT {
    @TempDir
    static Path work;
    static NetworkNamespace ns;
    static ControlApiContainer api;

    @BeforeAll
    static void start() {
        ImageHost.assumeImagesRunnable("ControlApiImageIT", "control-api");
        ns = NetworkNamespace.create();
        api = ControlApiContainer.start(work, ns);
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    @Test
    void servesSignedAppMeshCallsFromTheAwsSdkOnItsNetworkAddress() {
        try (AppMeshClient appMesh = api.client()) {
            appMesh.createMesh(b -> b.meshName("from-the-image"));

            assertEquals(MeshStatusCode.ACTIVE, appMesh.describeMesh(b -> b.meshName("from-the-image")).mesh().status().status());
            assertTrue(appMesh.listMeshes(b -> { }).meshes().stream().map(MeshRef::meshName).anyMatch("from-the-image"::equals),
                    "list-meshes names the mesh just created");
        }
    }

    @Test
    void refusesACallSignedWithTheWrongSecret() {
        try (AppMeshClient wrong = api.client("not-the-secret-0000000000000000000000000")) {
            AppMeshException refused = assertThrows(AppMeshException.class, () -> wrong.listMeshes(b -> { }));

            assertEquals(403, refused.statusCode());
        }
    }

    @Test
    void runsAsANonRootUserAndKeepsItsStoreInTheImagesDataDirectory() {
        assertEquals("Uid:\t1000\t1000\t1000\t1000", api.container().status("Uid:"));

        String data = api.container().exec("ls", "/var/lib/meshwork/control-api/data").check().output();
        assertTrue(data.contains("store.mv.db"), "the embedded store is in ./data of the working directory: " + data);
    }
}
