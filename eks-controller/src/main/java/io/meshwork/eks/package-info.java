/**
 * The EKS controller: the App Mesh controller's custom resources ({@code appmesh.k8s.aws/v1beta2})
 * reconciled into the control API, sidecar injection and validation webhooks, and pods registered
 * as their virtual node's endpoints. {@code bin/meshwork-controller} runs {@link io.meshwork.eks.ControllerMain}.
 */
package io.meshwork.eks;
