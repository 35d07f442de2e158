package io.meshwork.eks.reconcile;

import io.meshwork.eks.resources.AppMeshKind;

import java.util.ArrayList;
import java.util.List;

/**
 * The finalizers App Mesh's controller put on its objects, so that deleting an object waits for
 * its App Mesh resource to go, and a Mesh or VirtualGateway waits for its members.
 */
public final class Finalizers {
    public static final String AWS_RESOURCES = "finalizers.appmesh.k8s.aws/aws-appmesh-resources";
    public static final String MESH_MEMBERS = "finalizers.appmesh.k8s.aws/mesh-members";
    public static final String GATEWAY_MEMBERS = "finalizers.appmesh.k8s.aws/virtualgateway-members";
    public static final String CLOUD_MAP = "finalizers.appmesh.k8s.aws/aws-cloudmap-resources";

    private Finalizers() {
    }

    /** The finalizers the controller keeps on an object of {@code kind}. */
    public static List<String> of(AppMeshKind kind, boolean cloudMapNode) {
        List<String> finalizers = new ArrayList<>();
        switch (kind) {
            case MESH -> finalizers.add(MESH_MEMBERS);
            case VIRTUAL_GATEWAY -> finalizers.add(GATEWAY_MEMBERS);
            default -> {
            }
        }
        if (kind.hasAwsResource()) {
            finalizers.add(AWS_RESOURCES);
        }
        if (cloudMapNode) {
            finalizers.add(CLOUD_MAP);
        }
        return finalizers;
    }

    /** Every finalizer this controller owns (others are left alone). */
    public static boolean ours(String finalizer) {
        return finalizer.startsWith("finalizers.appmesh.k8s.aws/");
    }
}
