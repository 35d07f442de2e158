import { Annotations, CfnResource, IAspect } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** The App Mesh resource types Meshwork provides, by their AWS::AppMesh:: kind. */
const KINDS = ['Mesh', 'VirtualNode', 'VirtualService', 'VirtualRouter', 'Route', 'VirtualGateway', 'GatewayRoute'];

/** Properties of {@link MeshworkAspect}. */
export interface MeshworkAspectProps {
  /**
   * The ARN of the function that handles Meshwork's custom resources
   * ({@link MeshworkProvider.serviceToken}, or the function you deployed from meshwork-lambda-hooks.jar).
   */
  readonly serviceToken: string;
}

/**
 * Turns every `AWS::AppMesh::*` resource of the scope it is applied to into the matching
 * `Custom::Meshwork*` custom resource, handled by Meshwork's provider, so that an unchanged
 * `aws-cdk-lib/aws-appmesh` app deploys its mesh onto Meshwork:
 *
 *   Aspects.of(app).add(new MeshworkAspect({ serviceToken: provider.serviceToken }));
 *
 * Properties stay exactly as CloudFormation's App Mesh types have them, so `Ref` (the ARN) and
 * `Fn::GetAtt` keep working.
 */
export class MeshworkAspect implements IAspect {
  private readonly serviceToken: string;

  constructor(props: MeshworkAspectProps) {
    this.serviceToken = props.serviceToken;
  }

  public visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node) || !node.cfnResourceType.startsWith('AWS::AppMesh::')) {
      return;
    }
    const kind = node.cfnResourceType.substring('AWS::AppMesh::'.length);
    if (!KINDS.includes(kind)) {
      Annotations.of(node).addError(`${node.cfnResourceType} has no Meshwork counterpart (Meshwork provides ${KINDS.join(', ')})`);
      return;
    }
    node.addOverride('Type', `Custom::Meshwork${kind}`);
    node.addPropertyOverride('ServiceToken', this.serviceToken);
  }
}
