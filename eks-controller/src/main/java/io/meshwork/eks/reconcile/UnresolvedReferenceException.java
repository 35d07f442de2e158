package io.meshwork.eks.reconcile;

/** An object names another (its mesh, gateway, a node or service) that is not there, or not uniquely. */
public final class UnresolvedReferenceException extends Exception {
    public UnresolvedReferenceException(String message) {
        super(message);
    }
}
