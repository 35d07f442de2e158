/** Meshes: the defaults App Mesh fills into a mesh spec. */
package io.meshwork.controlapi.resource.mesh;
