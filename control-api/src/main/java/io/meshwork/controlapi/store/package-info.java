/** The store: connection pool, migrations and the only classes that speak SQL. */
package io.meshwork.controlapi.store;
