package io.meshwork.controlapi.error;

/**
 * The error shapes of the App Mesh API, each with the HTTP status App Mesh answered with.
 * The shape name travels in the {@code x-amzn-ErrorType} header: several shapes share a
 * status (400, 409), so clients can only tell them apart by that header.
 */
public enum AppMeshErrorType {
    BAD_REQUEST("BadRequestException", 400),
    FORBIDDEN("ForbiddenException", 403),
    NOT_FOUND("NotFoundException", 404),
    CONFLICT("ConflictException", 409),
    RESOURCE_IN_USE("ResourceInUseException", 409),
    TOO_MANY_REQUESTS("TooManyRequestsException", 429),
    LIMIT_EXCEEDED("LimitExceededException", 400),
    TOO_MANY_TAGS("TooManyTagsException", 400),
    INTERNAL_SERVER_ERROR("InternalServerErrorException", 500),
    SERVICE_UNAVAILABLE("ServiceUnavailableException", 503);

    private final String shapeName;
    private final int httpStatus;

    AppMeshErrorType(String shapeName, int httpStatus) {
        this.shapeName = shapeName;
        this.httpStatus = httpStatus;
    }

    public String shapeName() {
        return shapeName;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** The shape a bare HTTP status maps to, for errors raised by the HTTP layer itself. */
    public static AppMeshErrorType forStatus(int status) {
        return switch (status) {
            case 403, 401 -> FORBIDDEN;
            case 404 -> NOT_FOUND;
            case 409 -> CONFLICT;
            case 429 -> TOO_MANY_REQUESTS;
            case 503 -> SERVICE_UNAVAILABLE;
            default -> status >= 500 ? INTERNAL_SERVER_ERROR : BAD_REQUEST;
        };
    }
}
