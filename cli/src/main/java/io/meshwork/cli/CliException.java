package io.meshwork.cli;

/** A failure the CLI reports in one line (and a hint how to fix it), exiting with {@code exitCode}. */
final class CliException extends RuntimeException {
    final int exitCode;
    final String fix;

    CliException(String message, String fix, int exitCode) {
        super(message, null, false, false);
        this.fix = fix;
        this.exitCode = exitCode;
    }

    static CliException usage(String message) {
        return new CliException(message, "meshwork help", Meshwork.USAGE);
    }
}
