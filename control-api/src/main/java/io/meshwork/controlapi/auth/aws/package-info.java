/**
 * AWS identities as callers: a signed sts:GetCallerIdentity, checked here and sent on to STS,
 * is exchanged for Meshwork session credentials carrying the policy mapped to the caller's
 * role or user ({@code /meshwork/v1/aws-principals}).
 */
package io.meshwork.controlapi.auth.aws;
