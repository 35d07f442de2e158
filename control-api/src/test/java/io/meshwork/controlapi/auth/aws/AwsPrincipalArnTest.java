package io.meshwork.controlapi.auth.aws;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.*;

/** A mapping and the caller STS reports meet on one key: path-less, case-insensitive, per account and kind. */
class AwsPrincipalArnTest {
    @Test
    void anAssumedRoleMatchesItsRoleWhateverThePathAndCase() {
        String caller = AwsPrincipalArn.parseCaller("arn:aws:sts::123456789012:assumed-role/Orders-Task/i-0abc123").key();
        assertEquals(caller, AwsPrincipalArn.parseMapped("arn:aws:iam::123456789012:role/ecs/prod/orders-task").key());
        assertEquals(caller, AwsPrincipalArn.parseMapped("arn:aws:iam::123456789012:role/Orders-Task").key());
        assertNotEquals(caller, AwsPrincipalArn.parseMapped("arn:aws:iam::210987654321:role/orders-task").key());
        assertNotEquals(caller, AwsPrincipalArn.parseMapped("arn:aws:iam::123456789012:user/orders-task").key());
        assertNotEquals(caller, AwsPrincipalArn.parseMapped("arn:aws-cn:iam::123456789012:role/orders-task").key());
    }

    @Test
    void anIamUserMatchesItsMappingWithOrWithoutPath() {
        assertEquals(AwsPrincipalArn.parseCaller("arn:aws:iam::123456789012:user/deploy/ci").key(),
                AwsPrincipalArn.parseMapped("arn:aws:iam::123456789012:user/ci").key());
    }

    @ParameterizedTest
    @ValueSource(strings = {"arn:aws:iam::123456789012:root", "arn:aws:sts::123456789012:federated-user/bob",
            "arn:aws:iam::123456789012:role/x"})
    void callersOtherThanAssumedRolesAndUsersCannotLogIn(String arn) {
        assertThrows(IllegalArgumentException.class, () -> AwsPrincipalArn.parseCaller(arn));
    }

    @ParameterizedTest
    @ValueSource(strings = {"orders-task", "arn:aws:iam::12345:role/x", "arn:aws:iam::123456789012:group/admins",
            "arn:aws:iam::123456789012:role/", "arn:aws:iam::123456789012:role/a b", "arn:aws:iam::123456789012:root"})
    void aMappingNamesOneRoleOrUser(String arn) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AwsPrincipalArn.parseMapped(arn));
        assertTrue(e.getMessage().contains(arn), e.getMessage());
    }
}
