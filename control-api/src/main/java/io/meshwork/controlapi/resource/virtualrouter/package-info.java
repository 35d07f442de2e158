/** Virtual routers: listener rules. */
package io.meshwork.controlapi.resource.virtualrouter;
