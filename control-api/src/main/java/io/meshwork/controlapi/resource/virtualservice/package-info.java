/** Virtual services: the provider they name. */
package io.meshwork.controlapi.resource.virtualservice;
