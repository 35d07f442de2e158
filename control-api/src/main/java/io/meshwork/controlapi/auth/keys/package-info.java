/** Meshwork's access keys: storage, encryption at rest, the root key. */
package io.meshwork.controlapi.auth.keys;
