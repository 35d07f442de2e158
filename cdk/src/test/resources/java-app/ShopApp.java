import io.meshwork.cdk.MeshworkAspect;
import io.meshwork.cdk.MeshworkAspectProps;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.appmesh.HealthCheck;
import software.amazon.awscdk.services.appmesh.HttpHealthCheckOptions;
import software.amazon.awscdk.services.appmesh.HttpRoutePathMatch;
import software.amazon.awscdk.services.appmesh.HttpRouteMatch;
import software.amazon.awscdk.services.appmesh.HttpRouteSpecOptions;
import software.amazon.awscdk.services.appmesh.HttpVirtualNodeListenerOptions;
import software.amazon.awscdk.services.appmesh.Mesh;
import software.amazon.awscdk.services.appmesh.MeshFilterType;
import software.amazon.awscdk.services.appmesh.RouteBaseProps;
import software.amazon.awscdk.services.appmesh.RouteSpec;
import software.amazon.awscdk.services.appmesh.ServiceDiscovery;
import software.amazon.awscdk.services.appmesh.VirtualNode;
import software.amazon.awscdk.services.appmesh.VirtualNodeBaseProps;
import software.amazon.awscdk.services.appmesh.VirtualNodeListener;
import software.amazon.awscdk.services.appmesh.VirtualRouter;
import software.amazon.awscdk.services.appmesh.VirtualRouterBaseProps;
import software.amazon.awscdk.services.appmesh.VirtualRouterListener;
import software.amazon.awscdk.services.appmesh.WeightedTarget;

import java.util.List;

/** An aws-appmesh CDK app in Java, unchanged but for the one line that applies MeshworkAspect from the Java build. */
public final class ShopApp {
    public static void main(String[] args) {
        App app = new App(AppProps.builder().outdir(args[0]).build());
        Stack stack = new Stack(app, "MeshworkShopJava");
        Mesh mesh = Mesh.Builder.create(stack, "Mesh").meshName("shop").egressFilter(MeshFilterType.DROP_ALL).build();
        VirtualNode node = mesh.addVirtualNode("catalog", VirtualNodeBaseProps.builder()
                .virtualNodeName("catalog")
                .serviceDiscovery(ServiceDiscovery.dns("catalog.shop.local"))
                .listeners(List.of(VirtualNodeListener.http(HttpVirtualNodeListenerOptions.builder().port(8080)
                        .healthCheck(HealthCheck.http(HttpHealthCheckOptions.builder().path("/health").interval(Duration.seconds(5)).build()))
                        .build())))
                .build());
        VirtualRouter router = mesh.addVirtualRouter("Router", VirtualRouterBaseProps.builder()
                .listeners(List.of(VirtualRouterListener.http(8080))).build());
        router.addRoute("catalog", RouteBaseProps.builder().routeSpec(RouteSpec.http(HttpRouteSpecOptions.builder()
                .weightedTargets(List.of(WeightedTarget.builder().virtualNode(node).weight(100).build()))
                .match(HttpRouteMatch.builder().path(HttpRoutePathMatch.startsWith("/")).build())
                .build())).build());
        Aspects.of(app).add(new MeshworkAspect(MeshworkAspectProps.builder()
                .serviceToken("arn:aws:lambda:us-east-1:111122223333:function:meshwork").build()));
        app.synth();
    }
}
