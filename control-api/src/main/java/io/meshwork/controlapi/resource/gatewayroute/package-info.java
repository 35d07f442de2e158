/** Gateway routes: match, rewrite and target rules. */
package io.meshwork.controlapi.resource.gatewayroute;
