package io.meshwork.cli;

import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code bin/meshwork}: the operator CLI. {@code check}, {@code proxies}, {@code stat},
 * {@code diagnose} and {@code dashboard}, against the control API at {@code --endpoint-url} (or
 * {@code MESHWORK_ENDPOINT}), signed with SigV4 like every client. Exit 0 when all is well, 1 when
 * a check failed or the control API could not be used (one line per failure, with the fix),
 * 2 for a usage mistake.
 */
public final class Meshwork {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    private static final Set<String> FLAGS = Set.of("--watch", "--url", "--help");
    private static final Set<String> OPTIONS = Set.of("--endpoint-url", "--output", "--mesh", "--profile", "--region",
            "--expiry-threshold", "--certificate-threshold", "--lag-threshold", "--interval", "--count", "--admin-url");

    static final String USAGE_TEXT = """
            usage: meshwork <command> [options]

            commands:
              check                  is the mesh healthy? exit 0 if so, else one line per failure with its fix
              proxies                which proxy runs which configuration version, lag, last refusal
              stat                   golden signals per node and route: requests/s, success rate, p50, p99
              diagnose <proxyId>     one proxy: its status, the configuration compiled for it, its certificate
              dashboard              open the web dashboard, signed in as you (--url: print the one-time URL)

            options:
              --endpoint-url URL     the control API (default $MESHWORK_ENDPOINT, else http://127.0.0.1:8080)
              --output text|json     (default text)
              --mesh NAME            one mesh only (stat: which mesh to show)
              --profile NAME         AWS profile to sign with (default: the standard AWS credential chain)
              --region REGION        signing region (default $AWS_REGION, $AWS_DEFAULT_REGION, us-east-1)
              check:     --expiry-threshold 7d (CA certificates)  --certificate-threshold D (proxy certificates;
                         default: a third of each one's lifetime, when its renewal is overdue)  --lag-threshold 30s
              stat:      --watch  --interval 2s  --count N (stop after N refreshes)
              diagnose:  --admin-url http://PROXY:9901 (also read the proxy's own admin port)
            credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, --profile, or any AWS identity the
            control API accepts logins from (docs/control-api.md)
            """;

    private Meshwork() {
    }

    public static void main(String[] args) {
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        System.exit(run(args, System.getenv(), out, err));
    }

    /** Parsed command line: the command, its arguments and options. */
    record Invocation(String command, List<String> arguments, Map<String, String> options, Set<String> flags) {
        String option(String name, String fallback) {
            return options.getOrDefault(name, fallback);
        }

        boolean json() {
            return "json".equals(options.get("--output"));
        }

        Duration duration(String name, Duration fallback) {
            String v = options.get(name);
            return v == null ? fallback : parseDuration(name, v);
        }
    }

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        Invocation inv;
        try {
            inv = parse(args);
        } catch (CliException e) {
            err.println("meshwork: " + e.getMessage());
            err.print(USAGE_TEXT);
            return USAGE;
        }
        if (inv.command() == null || inv.command().equals("help") || inv.flags().contains("--help")) {
            out.print(USAGE_TEXT);
            return inv.command() == null ? USAGE : OK;
        }
        try {
            String output = inv.option("--output", "text");
            if (!output.equals("text") && !output.equals("json")) {
                throw CliException.usage("--output is text or json, got '" + output + "'");
            }
            URI endpoint = endpoint(inv.option("--endpoint-url", env.getOrDefault("MESHWORK_ENDPOINT", "http://127.0.0.1:8080")));
            String region = inv.option("--region", env.getOrDefault("AWS_REGION", env.getOrDefault("AWS_DEFAULT_REGION", "us-east-1")));
            ControlApi api = new ControlApi(endpoint, region, inv.options().get("--profile"));
            Commands commands = new Commands(api, inv, out, err);
            return switch (inv.command()) {
                case "check" -> commands.check();
                case "proxies" -> commands.proxies();
                case "stat" -> commands.stat();
                case "diagnose" -> commands.diagnose();
                case "dashboard" -> commands.dashboard();
                default -> throw CliException.usage("unknown command '" + inv.command() + "'");
            };
        } catch (CliException e) {
            err.println("meshwork: " + e.getMessage());
            if (e.fix != null) {
                err.println("  fix: " + e.fix);
            }
            if (e.exitCode == USAGE) {
                err.print(USAGE_TEXT);
            }
            return e.exitCode;
        }
    }

    static Invocation parse(String[] args) {
        String command = null;
        List<String> arguments = new ArrayList<>();
        Map<String, String> options = new HashMap<>();
        java.util.Set<String> flags = new java.util.HashSet<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("--")) {
                String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
                if (FLAGS.contains(name)) {
                    flags.add(name);
                } else if (OPTIONS.contains(name)) {
                    String value = a.contains("=") ? a.substring(a.indexOf('=') + 1) : (i + 1 < args.length ? args[++i] : null);
                    if (value == null) {
                        throw CliException.usage(name + " needs a value");
                    }
                    options.put(name, value);
                } else {
                    throw CliException.usage("unknown option " + name);
                }
            } else if (command == null) {
                command = a;
            } else {
                arguments.add(a);
            }
        }
        return new Invocation(command, arguments, options, flags);
    }

    private static URI endpoint(String url) {
        try {
            URI uri = URI.create(url.endsWith("/") ? url : url + "/");
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw CliException.usage("--endpoint-url must be an http(s) URL, got '" + url + "'");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--endpoint-url must be an http(s) URL, got '" + url + "'");
        }
    }

    /** {@code 7d}, {@code 48h}, {@code 30m}, {@code 10s}, {@code 500ms}, or ISO-8601 ({@code PT1H}). */
    static Duration parseDuration(String option, String value) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)").matcher(value);
        if (m.matches()) {
            double n = Double.parseDouble(m.group(1));
            long unit = switch (m.group(2)) {
                case "ms" -> 1;
                case "s" -> 1000;
                case "m" -> 60_000;
                case "h" -> 3_600_000;
                default -> 86_400_000;
            };
            return Duration.ofMillis((long) (n * unit));
        }
        try {
            return Duration.parse(value);
        } catch (java.time.format.DateTimeParseException e) {
            throw CliException.usage(option + " is a duration such as 7d, 48h, 30s or PT1H, got '" + value + "'");
        }
    }
}
