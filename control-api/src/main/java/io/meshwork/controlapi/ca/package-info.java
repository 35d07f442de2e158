/**
 * The certificate authority behind workload identities (mTLS): a root per trust domain, a
 * subordinate CA per mesh, short-lived leaf certificates for proxies from their CSRs. Modelled on
 * AWS Private CA; keys are encrypted at rest and never leave the control plane (CA keys) or the
 * proxy (leaf keys).
 */
package io.meshwork.controlapi.ca;
