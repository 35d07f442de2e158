/** Getting compiled configuration to proxies: the snapshot cache, change propagation, the proxy registry. */
package io.meshwork.controlapi.distribution;
