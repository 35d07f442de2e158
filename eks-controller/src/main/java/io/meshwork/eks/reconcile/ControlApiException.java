package io.meshwork.eks.reconcile;

/** The control API refused a call: App Mesh's error type ({@code ConflictException}, ...) and message. */
public final class ControlApiException extends Exception {
    private final int status;
    private final String errorType;

    public ControlApiException(int status, String errorType, String message) {
        super(errorType + ": " + message);
        this.status = status;
        this.errorType = errorType;
    }

    public int status() {
        return status;
    }

    /** {@code NotFoundException}, {@code ResourceInUseException}, {@code BadRequestException}, ... */
    public String errorType() {
        return errorType;
    }

    /** Whether trying again later can succeed on its own (a dependency appears or goes, a throttle passes). */
    public boolean retriable() {
        return status >= 500 || status == 429 || errorType.equals("ResourceInUseException") || errorType.equals("NotFoundException")
                || errorType.equals("ConflictException");
    }
}
