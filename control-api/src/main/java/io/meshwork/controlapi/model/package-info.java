/** The App Mesh API model and the generic validation of requests against it. */
package io.meshwork.controlapi.model;
