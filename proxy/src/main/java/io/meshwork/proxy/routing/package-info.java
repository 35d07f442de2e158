/** Deciding where a request goes: matchers, weighted targets, and the routing of each listener kind. */
package io.meshwork.proxy.routing;
