/** Meshwork's proxy: the data plane, a Netty sidecar and gateway driven by snapshots from the control plane. */
package io.meshwork.proxy;
