/** Listeners: what ports the proxy binds for the snapshot in force, and their pipelines. */
package io.meshwork.proxy.listener;
