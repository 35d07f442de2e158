/** Meshwork's control API: the App Mesh REST API, persistent and authenticated. */
package io.meshwork.controlapi;
