import { Aws, Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';

/** Options of {@link MeshworkProxy.addMeshworkProxy}: App Mesh's proxy configuration, by its names. */
export interface MeshworkProxyOptions {
  /** The mesh. */
  readonly meshName: string;
  /** The virtual node the task is. */
  readonly virtualNode: string;
  /** The control API (PROXY_CONTROL_API_URL). */
  readonly controlApiUrl: string;
  /** The Meshwork proxy image (where the aws-appmesh-envoy image was). */
  readonly image: ecs.ContainerImage;
  /** AppPorts: the application's ports. */
  readonly appPorts: number[];
  /** The container's name. @default envoy (as App Mesh's samples, and apps' dependsOn) */
  readonly containerName?: string;
  /** IgnoredUID: the proxy's user. @default 1337 */
  readonly ignoredUid?: number;
  /** IgnoredGID. @default none */
  readonly ignoredGid?: number;
  /** ProxyIngressPort. @default 15000 */
  readonly proxyIngressPort?: number;
  /** ProxyEgressPort. @default 15001 */
  readonly proxyEgressPort?: number;
  /** EgressIgnoredIPs. @default 169.254.170.2 and 169.254.169.254 */
  readonly egressIgnoredIps?: string[];
  /** EgressIgnoredPorts. @default none */
  readonly egressIgnoredPorts?: number[];
  /** Memory reserved for the proxy (MiB). @default 256 */
  readonly memoryReservationMiB?: number;
  /** More environment for the proxy. */
  readonly environment?: { [name: string]: string };
}

/** The Meshwork proxy in an ECS task, where App Mesh users put Envoy. */
export class MeshworkProxy {
  /**
   * Gives `taskDefinition` the proxy container (user 1337, App Mesh's health check), the
   * APPMESH proxy configuration, `dependsOn HEALTHY` on every container already in it, and a task
   * role policy allowing `appmesh:StreamAggregatedResources` on the node. Call it after adding the
   * application's containers.
   */
  public static addMeshworkProxy(taskDefinition: ecs.TaskDefinition, options: MeshworkProxyOptions): ecs.ContainerDefinition {
    if (taskDefinition.networkMode !== ecs.NetworkMode.AWS_VPC) {
      // What ECS requires of an APPMESH proxy configuration (the L2 checks it too, but not when set here).
      throw new Error(`addMeshworkProxy: ${taskDefinition.node.path} uses network mode ${taskDefinition.networkMode}; `
        + 'an APPMESH proxy configuration needs awsvpc (networkMode: ecs.NetworkMode.AWS_VPC)');
    }
    const name = options.containerName ?? 'envoy';
    const uid = options.ignoredUid ?? 1337;
    const apps = taskDefinition.node.children.filter((c): c is ecs.ContainerDefinition => c instanceof ecs.ContainerDefinition);
    const proxy = taskDefinition.addContainer(name, {
      containerName: name,
      image: options.image,
      user: String(uid),
      essential: true,
      memoryReservationMiB: options.memoryReservationMiB ?? 256,
      environment: {
        APPMESH_RESOURCE_ARN: `mesh/${options.meshName}/virtualNode/${options.virtualNode}`,
        PROXY_CONTROL_API_URL: options.controlApiUrl,
        AWS_REGION: Aws.REGION,
        ...(options.environment ?? {}),
      },
      healthCheck: {
        command: ['CMD-SHELL', 'curl -s http://localhost:9901/server_info | grep state | grep -q LIVE'],
        interval: Duration.seconds(5),
        timeout: Duration.seconds(2),
        retries: 3,
        startPeriod: Duration.seconds(10),
      },
    });
    proxy.addUlimits({ name: ecs.UlimitName.NOFILE, softLimit: 15000, hardLimit: 15000 });
    for (const app of apps) {
      app.addContainerDependencies({ container: proxy, condition: ecs.ContainerDependencyCondition.HEALTHY });
    }
    const properties: { [key: string]: string } = {
      IgnoredUID: String(uid),
      AppPorts: options.appPorts.join(','),
      ProxyIngressPort: String(options.proxyIngressPort ?? 15000),
      ProxyEgressPort: String(options.proxyEgressPort ?? 15001),
      EgressIgnoredIPs: (options.egressIgnoredIps ?? ['169.254.170.2', '169.254.169.254']).join(','),
    };
    if (options.egressIgnoredPorts && options.egressIgnoredPorts.length > 0) {
      properties.EgressIgnoredPorts = options.egressIgnoredPorts.join(',');
    }
    if (options.ignoredGid !== undefined) {
      properties.IgnoredGID = String(options.ignoredGid);
    }
    const cfn = taskDefinition.node.defaultChild as ecs.CfnTaskDefinition;
    cfn.proxyConfiguration = {
      type: 'APPMESH',
      containerName: name,
      proxyConfigurationProperties: Object.entries(properties).map(([k, v]) => ({ name: k, value: v })),
    };
    taskDefinition.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['appmesh:StreamAggregatedResources'],
      resources: [`arn:${Aws.PARTITION}:appmesh:${Aws.REGION}:${Aws.ACCOUNT_ID}:mesh/${options.meshName}/virtualNode/${options.virtualNode}`],
    }));
    return proxy;
  }
}
