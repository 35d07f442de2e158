const test = require('node:test');
const assert = require('node:assert');
const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');
const { App, Stack } = require('aws-cdk-lib');
const ec2 = require('aws-cdk-lib/aws-ec2');
const ecs = require('aws-cdk-lib/aws-ecs');
const { Template, Match } = require('aws-cdk-lib/assertions');
const { MeshworkProvider, MeshworkProxy } = require('../lib');

function jar() {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'meshwork-cdk-')), 'meshwork-lambda-hooks.jar');
  fs.writeFileSync(file, 'PK\u0005\u0006' + '\u0000'.repeat(18));
  return file;
}

test('MeshworkProvider deploys the handler jar as a Java 17 function in the VPC, allowed appmesh:* on the account\'s meshes', () => {
  const stack = new Stack(new App(), 'Provider', { env: { account: '111122223333', region: 'us-east-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const provider = new MeshworkProvider(stack, 'Meshwork', { endpoint: 'http://meshwork.internal:8080', handlerJar: jar(), vpc });
  const template = Template.fromStack(stack);
  template.hasResourceProperties('AWS::Lambda::Function', {
    Runtime: 'java17',
    Handler: 'io.meshwork.lambdahooks.CustomResourceHandler::handleRequest',
    MemorySize: 512,
    Environment: { Variables: { MESHWORK_ENDPOINT: 'http://meshwork.internal:8080' } },
    VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }),
  });
  template.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'appmesh:*' })]) },
  });
  assert.ok(stack.resolve(provider.serviceToken)['Fn::GetAtt'][1] === 'Arn', 'the service token is the function ARN');
});

test('addMeshworkProxy puts the proxy where App Mesh\'s Envoy was', () => {
  const stack = new Stack(new App(), 'Task', { env: { account: '111122223333', region: 'us-east-1' } });
  const task = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 512, memoryLimitMiB: 1024 });
  task.addContainer('app', { image: ecs.ContainerImage.fromRegistry('orders:1'), portMappings: [{ containerPort: 8080 }] });
  MeshworkProxy.addMeshworkProxy(task, {
    meshName: 'shop', virtualNode: 'orders', controlApiUrl: 'http://meshwork.internal:8080',
    image: ecs.ContainerImage.fromRegistry('111122223333.dkr.ecr.us-east-1.amazonaws.com/meshwork-proxy:0.1.0'),
    appPorts: [8080], egressIgnoredPorts: [5432],
  });
  const template = Template.fromStack(stack);
  template.hasResourceProperties('AWS::ECS::TaskDefinition', {
    ProxyConfiguration: {
      Type: 'APPMESH',
      ContainerName: 'envoy',
      ProxyConfigurationProperties: Match.arrayWith([
        { Name: 'IgnoredUID', Value: '1337' }, { Name: 'AppPorts', Value: '8080' },
        { Name: 'ProxyIngressPort', Value: '15000' }, { Name: 'ProxyEgressPort', Value: '15001' },
        { Name: 'EgressIgnoredIPs', Value: '169.254.170.2,169.254.169.254' }, { Name: 'EgressIgnoredPorts', Value: '5432' },
      ]),
    },
    ContainerDefinitions: Match.arrayWith([
      Match.objectLike({ Name: 'app', DependsOn: [{ ContainerName: 'envoy', Condition: 'HEALTHY' }] }),
      Match.objectLike({
        Name: 'envoy', User: '1337', Essential: true,
        HealthCheck: { Command: ['CMD-SHELL', 'curl -s http://localhost:9901/server_info | grep state | grep -q LIVE'], Interval: 5, Timeout: 2, Retries: 3, StartPeriod: 10 },
        Environment: Match.arrayWith([{ Name: 'APPMESH_RESOURCE_ARN', Value: 'mesh/shop/virtualNode/orders' },
          { Name: 'PROXY_CONTROL_API_URL', Value: 'http://meshwork.internal:8080' }]),
      }),
    ]),
  });
  template.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'appmesh:StreamAggregatedResources' })]) },
  });
});

test('addMeshworkProxy refuses a task definition that is not awsvpc, as ECS would', () => {
  const stack = new Stack(new App(), 'Bridge');
  const task = new ecs.Ec2TaskDefinition(stack, 'Task', { networkMode: ecs.NetworkMode.BRIDGE });
  assert.throws(() => MeshworkProxy.addMeshworkProxy(task, {
    meshName: 'shop', virtualNode: 'orders', controlApiUrl: 'http://meshwork.internal:8080',
    image: ecs.ContainerImage.fromRegistry('meshwork-proxy:0.1.0'), appPorts: [8080],
  }), /needs awsvpc/);
});
