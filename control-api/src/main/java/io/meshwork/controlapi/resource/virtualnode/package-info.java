/** Virtual nodes: listener, discovery and backend rules. */
package io.meshwork.controlapi.resource.virtualnode;
