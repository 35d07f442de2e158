package io.meshwork.controlapi.store;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * One open store transaction, as {@link Database#inTransaction} hands it to its work. Store
 * methods take it so that callers compose several of them atomically (a proxy's report with
 * its Cloud Map registration request, a resource with its tags and references) while the JDBC
 * connection, and every SQL statement, stay inside this package.
 */
public final class Transaction {
    private final Connection connection;

    Transaction(Connection connection) {
        this.connection = connection;
    }

    /** Statements on this transaction's connection that produce a value. */
    @FunctionalInterface
    interface Statements<T> {
        T run(Connection c) throws SQLException;
    }

    /** Statements on this transaction's connection run for their effect. */
    @FunctionalInterface
    interface Updates {
        void run(Connection c) throws SQLException;
    }

    <T> T call(Statements<T> statements) {
        try {
            return statements.run(connection);
        } catch (SQLException e) {
            throw new Failure(e);
        }
    }

    void run(Updates updates) {
        call(c -> {
            updates.run(c);
            return null;
        });
    }

    /**
     * A failed statement on its way, through the caller's code, to {@link Database}, which rolls
     * back and decides whether the whole transaction is worth another attempt.
     */
    static final class Failure extends RuntimeException {
        Failure(SQLException cause) {
            super(cause.getMessage(), cause, false, false);
        }

        SQLException sqlException() {
            return (SQLException) getCause();
        }
    }
}
