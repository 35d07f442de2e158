import { Aws, Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/** Properties of {@link MeshworkProvider}. */
export interface MeshworkProviderProps {
  /** The control API's URL (the control-plane module's `endpoint`), e.g. `http://internal-meshwork-….elb.amazonaws.com:8080`. */
  readonly endpoint: string;

  /** Path of `meshwork-lambda-hooks.jar` (built by `mvn package` in `lambda-hooks/`). */
  readonly handlerJar: string;

  /** The VPC the control API is reachable in; the function runs there. Default: no VPC. */
  readonly vpc?: ec2.IVpc;

  /** Where in the VPC. Default: its private subnets. */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /** Security groups of the function; they must reach the control API. Default: a new one. */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/**
 * Meshwork's custom-resource handler as a Lambda function: the jar as an asset, Java 17 in
 * 512 MB, access to the control API's VPC, and a role whose IAM policy allows `appmesh:*` on this
 * account's meshes (what the control API grants by, with CONTROL_API_AWS_LOGIN_IAM_POLICIES).
 */
export class MeshworkProvider extends Construct {
  /** The function's ARN: {@link MeshworkAspect}'s `serviceToken`. */
  public readonly serviceToken: string;

  /** The handler function. */
  public readonly handler: lambda.Function;

  constructor(scope: Construct, id: string, props: MeshworkProviderProps) {
    super(scope, id);
    this.handler = new lambda.Function(this, 'Handler', {
      description: 'Meshwork: AWS::AppMesh resources of CloudFormation stacks, made in the Meshwork control API',
      runtime: lambda.Runtime.JAVA_17,
      handler: 'io.meshwork.lambdahooks.CustomResourceHandler::handleRequest',
      code: lambda.Code.fromAsset(props.handlerJar),
      memorySize: 512,
      // Each event is answered well inside 30 s; the margin covers a cold start.
      timeout: Duration.seconds(60),
      environment: { MESHWORK_ENDPOINT: props.endpoint },
      vpc: props.vpc,
      vpcSubnets: props.vpc ? props.vpcSubnets : undefined,
      securityGroups: props.vpc ? props.securityGroups : undefined,
    });
    this.handler.addToRolePolicy(new iam.PolicyStatement({
      actions: ['appmesh:*'],
      resources: [`arn:${Aws.PARTITION}:appmesh:${Aws.REGION}:${Aws.ACCOUNT_ID}:mesh/*`],
    }));
    this.serviceToken = this.handler.functionArn;
  }
}
