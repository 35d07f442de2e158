/** App Mesh ARNs: formatting and parsing. */
package io.meshwork.controlapi.resource.arn;
