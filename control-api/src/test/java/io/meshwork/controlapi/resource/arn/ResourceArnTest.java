package io.meshwork.controlapi.resource.arn;

import io.meshwork.controlapi.error.AppMeshErrorType;
import io.meshwork.controlapi.error.AppMeshException;
import io.meshwork.controlapi.resource.ResourceKey;
import io.meshwork.controlapi.resource.ResourceKind;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ResourceArnTest {
    private final ResourceArn arns = new ResourceArn("us-east-1", "123456789012");

    @Test
    void everyKindFormatsAsAppMeshAndParsesBack() {
        List<ResourceKey> keys = List.of(
                ResourceKey.mesh("app1"),
                ResourceKey.inMesh(ResourceKind.VIRTUAL_NODE, "app1", "node-a"),
                ResourceKey.inMesh(ResourceKind.VIRTUAL_SERVICE, "app1", "svc.app1.local"),
                ResourceKey.inMesh(ResourceKind.VIRTUAL_ROUTER, "app1", "vrServiceB"),
                new ResourceKey(ResourceKind.ROUTE, "app1", "vrServiceB", "toVnServiceB"),
                ResourceKey.inMesh(ResourceKind.VIRTUAL_GATEWAY, "app1", "ingress"),
                new ResourceKey(ResourceKind.GATEWAY_ROUTE, "app1", "ingress", "to-b"));
        for (ResourceKey key : keys) {
            assertEquals(key, arns.parse(arns.format(key)));
        }
        assertEquals("arn:aws:appmesh:us-east-1:123456789012:mesh/app1/virtualRouter/vrServiceB/route/toVnServiceB",
                arns.format(keys.get(4)));
    }

    @Test
    void otherRegionsAndAccountsAreNotFoundAndMalformedArnsBadRequest() {
        assertEquals(AppMeshErrorType.NOT_FOUND, type("arn:aws:appmesh:eu-west-1:123456789012:mesh/app1"));
        assertEquals(AppMeshErrorType.NOT_FOUND, type("arn:aws:appmesh:us-east-1:999999999999:mesh/app1"));
        for (String bad : List.of("nonsense", "arn:aws:s3:us-east-1:123456789012:mesh/app1",
                "arn:aws:appmesh:us-east-1:123456789012:app1", "arn:aws:appmesh:us-east-1:123456789012:mesh/",
                "arn:aws:appmesh:us-east-1:123456789012:mesh/app1/virtualNode",
                "arn:aws:appmesh:us-east-1:123456789012:mesh/app1/route/x",
                "arn:aws:appmesh:us-east-1:123456789012:mesh/app1/virtualGateway/g/route/x",
                "arn:aws:appmesh:us-east-1:123456789012:mesh/app1/virtualThing/x")) {
            assertEquals(AppMeshErrorType.BAD_REQUEST, type(bad), bad);
        }
    }

    private AppMeshErrorType type(String arn) {
        return assertThrows(AppMeshException.class, () -> arns.parse(arn)).type();
    }
}
