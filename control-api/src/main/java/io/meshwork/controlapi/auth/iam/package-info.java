/** IAM-style policies and their evaluation; no HTTP types here. */
package io.meshwork.controlapi.auth.iam;
