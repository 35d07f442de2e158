/**
 * Configuration changes in two phases: every part prepares what can fail without touching what
 * is in force, then all commit, or all abort and nothing changed.
 */
package io.meshwork.proxy.change;
