package io.meshwork.controlapi.auth.sigv4;

/** A request whose signature does not hold; answered with 403 and the message. */
public final class SignatureException extends RuntimeException {
    public SignatureException(String message) {
        super(message, null, false, false);
    }
}
