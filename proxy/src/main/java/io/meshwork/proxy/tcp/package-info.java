/** TCP listeners: connect upstream, then relay bytes both ways with backpressure. */
package io.meshwork.proxy.tcp;
