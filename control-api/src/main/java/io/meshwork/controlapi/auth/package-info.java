/** Authentication (SigV4) and authorization (IAM-style policies) of every API call. */
package io.meshwork.controlapi.auth;
