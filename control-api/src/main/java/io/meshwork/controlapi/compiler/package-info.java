/** The configuration compiler: mesh resources in, one versioned proxy snapshot per node and gateway out. */
package io.meshwork.controlapi.compiler;
