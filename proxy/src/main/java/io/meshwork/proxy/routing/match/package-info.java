/** Route matching: the parts of a request routes look at, and the matchers and weighted pickers routes are made of. */
package io.meshwork.proxy.routing.match;
