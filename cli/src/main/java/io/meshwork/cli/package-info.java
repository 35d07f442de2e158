/** {@code bin/meshwork}, the operator CLI: is the mesh healthy, and where is it slow? Signed like every client. */
package io.meshwork.cli;
