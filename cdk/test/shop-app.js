// An aws-cdk-lib/aws-appmesh app as App Mesh users wrote them, unchanged, plus the one added line:
// Aspects.of(app).add(new MeshworkAspect(...)). Used by the tests here and, synthesized into
// cdk.out/, by the Java tests that deploy it through the handler (CdkAppDeploysThroughTheHandlerTest).
const { App, Aspects, Duration, Stack } = require('aws-cdk-lib');
const appmesh = require('aws-cdk-lib/aws-appmesh');
const { MeshworkAspect } = require('../lib');

function shopStack(app, props = {}) {
  const stack = new Stack(app, 'MeshworkShop', { env: { account: '111122223333', region: 'us-east-1' } });
  const mesh = new appmesh.Mesh(stack, 'Mesh', { meshName: 'shop', egressFilter: appmesh.MeshFilterType.DROP_ALL });

  const node = (name, path) => mesh.addVirtualNode(name, {
    virtualNodeName: name,
    serviceDiscovery: appmesh.ServiceDiscovery.dns(`${name}.shop.local`),
    listeners: [appmesh.VirtualNodeListener.http({
      port: 8080,
      healthCheck: appmesh.HealthCheck.http({ path, interval: Duration.seconds(5), timeout: Duration.seconds(2), healthyThreshold: 2, unhealthyThreshold: 3 }),
      outlierDetection: { baseEjectionDuration: Duration.seconds(10), interval: Duration.seconds(30), maxEjectionPercent: 50, maxServerErrors: 5 },
      timeout: { perRequest: Duration.seconds(15) },
    })],
  });
  const v1 = node('catalog-v1', props.healthPath ?? '/health');
  const v2 = node('catalog-v2', props.healthPath ?? '/health');

  const router = mesh.addVirtualRouter('Router', {
    virtualRouterName: 'catalog',
    listeners: [appmesh.VirtualRouterListener.http(8080)],
  });
  // A Route of its own (VirtualRouter.addRoute names the route after its construct id).
  new appmesh.Route(stack, 'Route', {
    mesh,
    virtualRouter: router,
    routeName: props.routeName ?? 'catalog',
    routeSpec: appmesh.RouteSpec.http({
      weightedTargets: [{ virtualNode: v1, weight: props.v1Weight ?? 90 }, { virtualNode: v2, weight: 100 - (props.v1Weight ?? 90) }],
      match: { path: appmesh.HttpRoutePathMatch.startsWith('/') },
      retryPolicy: {
        httpRetryEvents: [appmesh.HttpRetryEvent.SERVER_ERROR, appmesh.HttpRetryEvent.GATEWAY_ERROR],
        retryAttempts: 3,
        retryTimeout: Duration.seconds(2),
      },
      timeout: { perRequest: Duration.seconds(10) },
    }),
  });
  const service = new appmesh.VirtualService(stack, 'Service', {
    virtualServiceName: 'catalog.shop.local',
    virtualServiceProvider: appmesh.VirtualServiceProvider.virtualRouter(router),
  });
  const gateway = mesh.addVirtualGateway('Gateway', {
    virtualGatewayName: 'ingress',
    listeners: [appmesh.VirtualGatewayListener.http({ port: 8080, connectionPool: { maxConnections: 100, maxPendingRequests: 50 } })],
  });
  gateway.addGatewayRoute('GatewayRoute', {
    gatewayRouteName: 'catalog',
    routeSpec: appmesh.GatewayRouteSpec.http({ routeTarget: service, match: { path: appmesh.HttpGatewayRoutePathMatch.startsWith('/catalog/') } }),
  });
  return stack;
}

/** The app with Meshwork's one line. */
function meshworkApp(props = {}, outdir) {
  const app = new App(outdir ? { outdir } : {});
  const stack = shopStack(app, props);
  Aspects.of(app).add(new MeshworkAspect({ serviceToken: 'arn:aws:lambda:us-east-1:111122223333:function:meshwork' }));
  return { app, stack };
}

module.exports = { shopStack, meshworkApp };

// `node test/shop-app.js OUTDIR [variant]` writes the synthesized template(s) for the Java tests.
if (require.main === module) {
  const outdir = process.argv[2] ?? 'cdk.out';
  const variants = {
    v1: {},
    v2: { v1Weight: 50, healthPath: '/ready' },
    v3: { v1Weight: 50, healthPath: '/ready', routeName: 'catalog-split' },
  };
  for (const [name, props] of Object.entries(variants)) {
    meshworkApp(props, `${outdir}/${name}`).app.synth();
  }
}
