/** clientToken idempotency of Create and Update operations. */
package io.meshwork.controlapi.idempotency;
