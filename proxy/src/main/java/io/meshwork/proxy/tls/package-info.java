/**
 * TLS in the mesh: the proxy's workload identity (its own key, a certificate from the mesh CA,
 * renewed at two-thirds of its life), the TLS contexts that listeners and upstream connections
 * use, and the subjectAltName checks App Mesh's validation asks for.
 */
package io.meshwork.proxy.tls;
