/** Routes: match, weighted-target and retry-policy rules. */
package io.meshwork.controlapi.resource.route;
