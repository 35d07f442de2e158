package io.meshwork.controlapi.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.meshwork.controlapi.config.ControlApiSettings;
import io.meshwork.controlapi.config.StartupFailure;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The connection pool and schema of the store: embedded H2 in the data dir by default,
 * PostgreSQL when {@code CONTROL_API_JDBC_URL} is set. Work runs in transactions that are
 * retried when the database reports a serialization failure or deadlock.
 */
public final class Database implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
    private static final int MAX_ATTEMPTS = 5;

    @FunctionalInterface
    public interface Work<T> {
        T run(Transaction transaction);
    }

    private final HikariDataSource dataSource;
    private final boolean postgres;

    private Database(HikariDataSource dataSource, boolean postgres) {
        this.dataSource = dataSource;
        this.postgres = postgres;
    }

    public static Database open(ControlApiSettings settings) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("meshwork-store");
        config.setMaximumPoolSize(settings.jdbcPoolSize());
        config.setAutoCommit(false);
        config.setInitializationFailTimeout(-1);
        config.setConnectionTimeout(10_000);
        String described;
        if (settings.usesPostgres()) {
            config.setJdbcUrl(settings.jdbcUrl());
            if (settings.jdbcUser() != null) {
                config.setUsername(settings.jdbcUser());
            }
            if (settings.jdbcPassword() != null) {
                config.setPassword(settings.jdbcPassword());
            }
            described = "CONTROL_API_JDBC_URL " + withoutCredentials(settings.jdbcUrl());
        } else {
            Path dir = prepareDataDir(settings.dataDir());
            // MODE=PostgreSQL lets one set of migrations and queries serve both engines;
            // WRITE_DELAY=0 writes each commit out before it is acknowledged.
            config.setJdbcUrl("jdbc:h2:file:" + dir.resolve("store").toAbsolutePath()
                    + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH"
                    + ";WRITE_DELAY=0;LOCK_TIMEOUT=10000;QUERY_CACHE_SIZE=64");
            described = "the embedded store in " + dir.toAbsolutePath().normalize();
        }
        HikariDataSource dataSource = new HikariDataSource(config);
        try (Connection ignored = dataSource.getConnection()) {
            LOG.info("store: {}", described);
        } catch (SQLException e) {
            dataSource.close();
            throw new StartupFailure("Cannot open " + described + ": " + rootMessage(e));
        }
        try {
            Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        } catch (RuntimeException e) {
            dataSource.close();
            throw new StartupFailure("Cannot migrate the schema of " + described + ": " + rootMessage(e));
        }
        return new Database(dataSource, settings.usesPostgres());
    }

    public boolean isPostgres() {
        return postgres;
    }

    /** Runs work in one transaction, committed if it returns, rolled back if it throws. */
    public <T> T inTransaction(Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            try (Connection connection = dataSource.getConnection()) {
                try {
                    T result = work.run(new Transaction(connection));
                    connection.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    rollbackQuietly(connection);
                    throw e;
                }
            } catch (SQLException | Transaction.Failure e) {
                SQLException cause = e instanceof Transaction.Failure failure ? failure.sqlException() : (SQLException) e;
                if (isRetryable(cause) && attempt < MAX_ATTEMPTS) {
                    continue;
                }
                throw new StoreUnavailableException("store failure: " + rootMessage(cause), cause);
            }
        }
    }

    /** Whether the store answers at all: for the health endpoint. */
    public boolean isReachable() {
        try (Connection connection = dataSource.getConnection()) {
            return connection.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() {
        dataSource.close();
    }

    static boolean isUniqueViolation(SQLException e) {
        return "23505".equals(e.getSQLState());
    }

    private static boolean isRetryable(SQLException e) {
        String state = e.getSQLState();
        // 40001 serialization failure / H2 deadlock, 40P01 PostgreSQL deadlock, HYT00 H2 lock timeout.
        return "40001".equals(state) || "40P01".equals(state) || "HYT00".equals(state);
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            LOG.warn("rollback failed: {}", e.getMessage());
        }
    }

    private static Path prepareDataDir(Path dir) {
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".write-check", ".tmp");
            Files.delete(probe);
            return dir;
        } catch (IOException | RuntimeException e) {
            throw new StartupFailure("CONTROL_API_DATA_DIR " + dir.toAbsolutePath()
                    + " is not a writable directory (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
    }

    private static String withoutCredentials(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return withoutCredentials(message == null ? root.getClass().getSimpleName() : message);
    }
}
