/**
 * Logging in to the control API with an AWS identity (task role, IRSA, instance profile):
 * a signed sts:GetCallerIdentity request exchanged for Meshwork session credentials, which
 * then sign ordinary SigV4 calls.
 */
package io.meshwork.proxyapi.login;
