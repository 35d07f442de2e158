/** The configuration in force: the snapshot on disk, the watcher that keeps it current, and applying one whole or refusing it. */
package io.meshwork.proxy.config;
