package io.meshwork.eks.webhook;

/** A pod or object the webhook must refuse, with the reason Kubernetes shows the user. */
public final class InjectionRefusedException extends Exception {
    public InjectionRefusedException(String message) {
        super(message);
    }
}
