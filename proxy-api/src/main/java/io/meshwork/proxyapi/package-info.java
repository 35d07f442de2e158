/** The data-plane configuration schema shared by control-api (which compiles it) and proxy (which applies it). */
package io.meshwork.proxyapi;
