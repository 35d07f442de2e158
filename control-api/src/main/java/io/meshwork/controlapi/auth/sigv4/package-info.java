/** AWS Signature Version 4 verification. */
package io.meshwork.controlapi.auth.sigv4;
