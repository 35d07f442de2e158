/** The HTTP surface: one controller per App Mesh resource, all through the AppMeshApi skeleton. */
package io.meshwork.controlapi.api;
