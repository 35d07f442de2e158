/** Configuration records bound from the CONTROL_API_* environment. */
package io.meshwork.controlapi.config;
