/** The proxy's settings (environment), its snapshot on disk and the watcher that keeps it current. */
package io.meshwork.proxy.config;
