package io.meshwork.controlapi.error;

/** A failure that reaches the client as one App Mesh error shape with a readable message. */
public class AppMeshException extends RuntimeException {
    private final AppMeshErrorType type;

    public AppMeshException(AppMeshErrorType type, String message) {
        super(message, null, false, false);
        this.type = type;
    }

    public AppMeshErrorType type() {
        return type;
    }

    public static AppMeshException badRequest(String message) {
        return new AppMeshException(AppMeshErrorType.BAD_REQUEST, message);
    }

    public static AppMeshException notFound(String message) {
        return new AppMeshException(AppMeshErrorType.NOT_FOUND, message);
    }

    public static AppMeshException conflict(String message) {
        return new AppMeshException(AppMeshErrorType.CONFLICT, message);
    }

    public static AppMeshException inUse(String message) {
        return new AppMeshException(AppMeshErrorType.RESOURCE_IN_USE, message);
    }

    public static AppMeshException forbidden(String message) {
        return new AppMeshException(AppMeshErrorType.FORBIDDEN, message);
    }

    public static AppMeshException limitExceeded(String message) {
        return new AppMeshException(AppMeshErrorType.LIMIT_EXCEEDED, message);
    }

    public static AppMeshException tooManyTags(String message) {
        return new AppMeshException(AppMeshErrorType.TOO_MANY_TAGS, message);
    }
}
