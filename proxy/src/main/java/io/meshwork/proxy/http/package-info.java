/** HTTP proxying: the exchange handler, header rewriting, local responses, request guards. */
package io.meshwork.proxy.http;
