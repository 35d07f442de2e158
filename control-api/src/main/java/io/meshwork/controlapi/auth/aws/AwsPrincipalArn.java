package io.meshwork.controlapi.auth.aws;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An IAM role or user as a mapping names it ({@code arn:aws:iam::123456789012:role/ecs/orders-task})
 * or as STS reports a caller ({@code arn:aws:sts::123456789012:assumed-role/orders-task/SESSION},
 * {@code arn:aws:iam::123456789012:user/deployer}).
 *
 * <p>Both reduce to one {@link #key()}: partition, account, kind and the name in lower case,
 * without the path. GetCallerIdentity does not report a role's path, and IAM keeps role and
 * user names unique per account whatever their path and case, so the key names exactly one
 * role or user.
 */
public record AwsPrincipalArn(String partition, String account, Kind kind, String name) {
    public enum Kind {
        ROLE("role"), USER("user");

        private final String word;

        Kind(String word) {
            this.word = word;
        }
    }

    private static final String NAME = "[A-Za-z0-9+=,.@_-]{1,128}";
    private static final Pattern MAPPED = Pattern.compile(
            "arn:(aws[a-z-]*):iam::(\\d{12}):(role|user)/(?:[\\x21-\\x2E\\x30-\\x7E]+/)*(" + NAME + ")");
    private static final Pattern ASSUMED_ROLE = Pattern.compile(
            "arn:(aws[a-z-]*):sts::(\\d{12}):assumed-role/(" + NAME + ")/([^/]+)");
    private static final Pattern USER = Pattern.compile(
            "arn:(aws[a-z-]*):iam::(\\d{12}):user/(?:[\\x21-\\x2E\\x30-\\x7E]+/)*(" + NAME + ")");

    /** An ARN given for a mapping: a role's or user's, with or without a path. */
    public static AwsPrincipalArn parseMapped(String arn) {
        Matcher m = arn == null ? null : MAPPED.matcher(arn);
        if (m == null || !m.matches()) {
            String hint = arn != null && ASSUMED_ROLE.matcher(arn).matches()
                    ? " (an assumed-role session: map its role, arn:" + partitionOf(arn) + ":iam::ACCOUNT:role/NAME)" : "";
            throw new IllegalArgumentException("'" + arn + "' is not the ARN of an IAM role or user"
                    + " (arn:aws:iam::123456789012:role/NAME or .../user/NAME)" + hint);
        }
        return new AwsPrincipalArn(m.group(1), m.group(2), m.group(3).equals("role") ? Kind.ROLE : Kind.USER, m.group(4));
    }

    /** The ARN STS answered GetCallerIdentity with: an assumed role's session or an IAM user. */
    public static AwsPrincipalArn parseCaller(String arn) {
        Matcher role = ASSUMED_ROLE.matcher(arn);
        if (role.matches()) {
            return new AwsPrincipalArn(role.group(1), role.group(2), Kind.ROLE, role.group(3));
        }
        Matcher user = USER.matcher(arn);
        if (user.matches()) {
            return new AwsPrincipalArn(user.group(1), user.group(2), Kind.USER, user.group(3));
        }
        throw new IllegalArgumentException("AWS principal " + arn + " is neither an assumed role nor an IAM user;"
                + " only those can log in (an account's root user or a federated user cannot)");
    }

    /** The session name of an assumed-role ARN (what follows the role name), or null. */
    public static String sessionName(String callerArn) {
        Matcher role = ASSUMED_ROLE.matcher(callerArn);
        return role.matches() ? role.group(4) : null;
    }

    /** What mappings are stored and looked up by. */
    public String key() {
        return "arn:" + partition + ":iam::" + account + ":" + kind.word + "/" + name.toLowerCase(Locale.ROOT);
    }

    /** The ARN without its path: {@code arn:aws:iam::123456789012:role/orders-task}. */
    public String arnWithoutPath() {
        return "arn:" + partition + ":iam::" + account + ":" + kind.word + "/" + name;
    }

    private static String partitionOf(String arn) {
        String[] parts = arn.split(":", 3);
        return parts.length > 1 ? parts[1] : "aws";
    }
}
