const test = require('node:test');
const assert = require('node:assert');
const { App, Stack } = require('aws-cdk-lib');
const { Template, Match } = require('aws-cdk-lib/assertions');
const { shopStack, meshworkApp } = require('./shop-app');

test('an unchanged aws-appmesh app plus the aspect has no AWS::AppMesh resource left', () => {
  const { stack } = meshworkApp();
  const template = Template.fromStack(stack);
  const types = Object.values(template.toJSON().Resources).map((r) => r.Type);
  assert.deepStrictEqual(types.filter((t) => t.startsWith('AWS::AppMesh::')), []);
  for (const [kind, count] of Object.entries({ Mesh: 1, VirtualNode: 2, VirtualRouter: 1, Route: 1, VirtualService: 1, VirtualGateway: 1, GatewayRoute: 1 })) {
    template.resourceCountIs(`Custom::Meshwork${kind}`, count);
  }
  template.allResourcesProperties('Custom::MeshworkVirtualNode', { ServiceToken: 'arn:aws:lambda:us-east-1:111122223333:function:meshwork' });
});

test('properties stay CloudFormation App Mesh ones, references stay GetAtt', () => {
  const template = Template.fromStack(meshworkApp().stack);
  template.hasResourceProperties('Custom::MeshworkVirtualNode', {
    MeshName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Mesh'), 'MeshName'] },
    VirtualNodeName: 'catalog-v1',
    Spec: {
      Listeners: [Match.objectLike({
        PortMapping: { Port: 8080, Protocol: 'http' },
        HealthCheck: Match.objectLike({ Path: '/health', IntervalMillis: 5000 }),
        OutlierDetection: Match.objectLike({ MaxServerErrors: 5 }),
      })],
      ServiceDiscovery: { DNS: Match.objectLike({ Hostname: 'catalog-v1.shop.local' }) },
    },
  });
  template.hasResourceProperties('Custom::MeshworkRoute', {
    Spec: { HttpRoute: Match.objectLike({ Action: { WeightedTargets: Match.arrayWith([Match.objectLike({ Weight: 90 })]) } }) },
  });
});

test('the same app without the aspect still has App Mesh resources (the aspect is what changes it)', () => {
  const template = Template.fromStack(shopStack(new App()));
  template.resourceCountIs('AWS::AppMesh::VirtualNode', 2);
});
