/** Virtual gateways: listener rules. */
package io.meshwork.controlapi.resource.virtualgateway;
