package io.meshwork.controlapi.auth;

import io.meshwork.controlapi.auth.iam.PolicyEvaluator;
import io.meshwork.controlapi.auth.iam.RequestFacts;
import io.meshwork.controlapi.auth.keys.AccessKey;
import io.meshwork.controlapi.error.AppMeshException;
import jakarta.inject.Singleton;

/** Decides, through the key's policy, whether an authenticated caller may do what it asks. */
@Singleton
public final class Authorizer {
    public void check(AccessKey caller, String action, String resourceArn) {
        if (!PolicyEvaluator.isAllowed(caller.policy(), new RequestFacts(action, resourceArn))) {
            throw AppMeshException.forbidden("User: " + caller.principal() + " is not authorized to perform: "
                    + action + " on resource: " + resourceArn);
        }
    }
}
