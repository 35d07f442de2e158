/**
 * The mesh-wide view for operators: live traffic from proxies' heartbeats (rates from the
 * difference of each proxy's last two reports), topology, configuration and certificate status.
 */
package io.meshwork.controlapi.observe;
