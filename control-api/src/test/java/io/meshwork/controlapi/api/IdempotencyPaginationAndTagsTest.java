package io.meshwork.controlapi.api;

import io.meshwork.controlapi.support.ControlApiServer;
import io.meshwork.controlapi.support.NodeSpecs;
import io.meshwork.controlapi.support.Stores;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.appmesh.AppMeshClient;
import software.amazon.awssdk.services.appmesh.model.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

/** clientToken replay, key-based pagination and the tag operations, through the AWS SDK. */
@ParameterizedClass(name = "on {0}")
@ValueSource(strings = {Stores.H2, Stores.POSTGRES})
class IdempotencyPaginationAndTagsTest {
    @Parameter
    String store;
    private static ControlApiServer server;
    private static AppMeshClient appMesh;

    @BeforeParameterizedClassInvocation
    static void start(String store) {
        server = ControlApiServer.start(Stores.settings(store, Map.of()));
        appMesh = server.client();
        appMesh.createMesh(r -> r.meshName("m"));
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        appMesh.close();
        server.close();
    }

    @Test
    void sameClientTokenAndRequestReplaysTheFirstResponse() {
        CreateVirtualNodeResponse first = appMesh.createVirtualNode(r -> r.meshName("m").virtualNodeName("idem")
                .clientToken("token-1").spec(s -> NodeSpecs.dns(s, "a.local")));
        CreateVirtualNodeResponse again = appMesh.createVirtualNode(r -> r.meshName("m").virtualNodeName("idem")
                .clientToken("token-1").spec(s -> NodeSpecs.dns(s, "a.local")));
        assertEquals(first.virtualNode(), again.virtualNode());

        ConflictException reused = assertThrows(ConflictException.class, () -> appMesh.createVirtualNode(r -> r.meshName("m")
                .virtualNodeName("idem").clientToken("token-1").spec(s -> NodeSpecs.dns(s, "b.local"))));
        assertTrue(reused.getMessage().contains("token-1"));

        UpdateVirtualNodeResponse update = appMesh.updateVirtualNode(r -> r.meshName("m").virtualNodeName("idem")
                .clientToken("token-2").spec(s -> NodeSpecs.dns(s, "c.local")));
        UpdateVirtualNodeResponse updateAgain = appMesh.updateVirtualNode(r -> r.meshName("m").virtualNodeName("idem")
                .clientToken("token-2").spec(s -> NodeSpecs.dns(s, "c.local")));
        assertEquals(2L, update.virtualNode().metadata().version());
        assertEquals(update.virtualNode(), updateAgain.virtualNode());
        assertEquals(2L, appMesh.describeVirtualNode(r -> r.meshName("m").virtualNodeName("idem"))
                .virtualNode().metadata().version(), "a replayed update is not applied twice");
    }

    @Test
    void pagesWalkEveryResourceOnceAndSurviveConcurrentInserts() {
        appMesh.createMesh(r -> r.meshName("paged"));
        for (int i = 0; i < 25; i++) {
            String name = String.format("node-%02d", i * 2);
            appMesh.createVirtualNode(r -> r.meshName("paged").virtualNodeName(name).spec(s -> { }));
        }
        List<String> seen = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            String current = token;
            ListVirtualNodesResponse page = appMesh.listVirtualNodes(r -> r.meshName("paged").limit(7).nextToken(current));
            assertTrue(page.virtualNodes().size() <= 7);
            page.virtualNodes().forEach(n -> seen.add(n.virtualNodeName()));
            token = page.nextToken();
            if (pages == 0) {
                // Inserted before and after the first page boundary while paging.
                appMesh.createVirtualNode(r -> r.meshName("paged").virtualNodeName("node-01").spec(s -> { }));
                appMesh.createVirtualNode(r -> r.meshName("paged").virtualNodeName("node-49").spec(s -> { }));
            }
            pages++;
        } while (token != null);
        assertEquals(new TreeSet<>(seen).size(), seen.size(), "no resource twice");
        assertTrue(seen.containsAll(IntStream.range(0, 25).mapToObj(i -> String.format("node-%02d", i * 2)).toList()));
        assertTrue(seen.contains("node-49"), "inserted after the boundary: seen");
        assertFalse(seen.contains("node-01"), "inserted before the boundary: not seen, and nothing repeated");

        // Without a limit: up to 100, with a token when more remain (paginator walks them all).
        List<String> all = new ArrayList<>();
        appMesh.listVirtualNodesPaginator(r -> r.meshName("paged")).virtualNodes().forEach(n -> all.add(n.virtualNodeName()));
        assertEquals(27, all.size());
        assertNull(appMesh.listVirtualNodes(r -> r.meshName("paged")).nextToken());
    }

    @Test
    void tagsAreAddedOverwrittenRemovedAndCappedAtFifty() {
        String arn = appMesh.createVirtualRouter(r -> r.meshName("m").virtualRouterName("tagged")
                .spec(s -> s.listeners(VirtualRouterListener.builder().portMapping(p -> p.port(80).protocol(PortProtocol.HTTP)).build()))
                .tags(tag("env", "dev"), tag("team", "a"))).virtualRouter().metadata().arn();
        appMesh.tagResource(r -> r.resourceArn(arn).tags(tag("env", "prod"), tag("cost", "42")));
        assertEquals(Set.of(tag("env", "prod"), tag("team", "a"), tag("cost", "42")), tags(arn));
        appMesh.untagResource(r -> r.resourceArn(arn).tagKeys("team", "absent"));
        assertEquals(Set.of(tag("env", "prod"), tag("cost", "42")), tags(arn));

        List<TagRef> many = IntStream.range(0, 49).mapToObj(i -> tag("k" + i, "v")).toList();
        TooManyTagsException e = assertThrows(TooManyTagsException.class,
                () -> appMesh.tagResource(r -> r.resourceArn(arn).tags(many)));
        assertEquals(400, e.statusCode());
        assertEquals(2, tags(arn).size(), "a refused tag request applies nothing");
        appMesh.tagResource(r -> r.resourceArn(arn).tags(many.subList(0, 48)));
        assertEquals(50, tags(arn).size());

        ListTagsForResourceResponse page = appMesh.listTagsForResource(r -> r.resourceArn(arn).limit(20));
        assertEquals(20, page.tags().size());
        assertNotNull(page.nextToken());

        assertThrows(NotFoundException.class, () -> appMesh.tagResource(r -> r.resourceArn(
                "arn:aws:appmesh:us-east-1:000000000000:mesh/m/virtualNode/ghost").tags(tag("a", "b"))));
        assertThrows(NotFoundException.class, () -> appMesh.listTagsForResource(r -> r.resourceArn(
                "arn:aws:appmesh:eu-west-1:000000000000:mesh/m")));
        assertThrows(BadRequestException.class, () -> appMesh.createVirtualNode(r -> r.meshName("m").virtualNodeName("dup-tags")
                .spec(s -> { }).tags(tag("a", "1"), tag("a", "2"))));
    }

    @Test
    void meshOwnerIsAcceptedForTheOwnAccountOnly() {
        assertEquals("m", appMesh.describeMesh(r -> r.meshName("m").meshOwner("000000000000")).mesh().meshName());
        assertThrows(NotFoundException.class, () -> appMesh.describeMesh(r -> r.meshName("m").meshOwner("111111111111")));
    }

    private static Set<TagRef> tags(String arn) {
        Set<TagRef> out = new java.util.HashSet<>();
        appMesh.listTagsForResourcePaginator(r -> r.resourceArn(arn)).tags().forEach(out::add);
        return out;
    }

    private static TagRef tag(String key, String value) {
        return TagRef.builder().key(key).value(value).build();
    }
}
