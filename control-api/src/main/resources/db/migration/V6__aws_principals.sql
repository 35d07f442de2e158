-- AWS roles and users (callers who log in with a signed sts:GetCallerIdentity) and the
-- IAM-style policy each one's sessions carry. principal_key is the ARN without the role's or
-- user's path and with the name in lower case: GetCallerIdentity does not report the path,
-- and IAM names are unique per account regardless of path and case.
CREATE TABLE aws_principal (
    principal_key VARCHAR(2048) PRIMARY KEY,
    arn           VARCHAR(2048) NOT NULL,
    policy        VARCHAR       NOT NULL,
    created_at    BIGINT        NOT NULL,
    updated_at    BIGINT        NOT NULL
);
