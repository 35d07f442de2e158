/** The client side of the data-plane protocol. */
package io.meshwork.proxy.control;
