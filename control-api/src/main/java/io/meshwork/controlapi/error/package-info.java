/** The App Mesh error catalog and the one place that turns failures into error responses. */
package io.meshwork.controlapi.error;
