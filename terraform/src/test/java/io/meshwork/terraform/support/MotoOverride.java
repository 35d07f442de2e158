package io.meshwork.terraform.support;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * An override file that sends an example's AWS calls to moto_server (fake keys, the skip_*
 * flags), and optionally its aliased "meshwork" provider to the real control API with a
 * Meshwork key: the examples themselves stay as a user runs them.
 */
public final class MotoOverride {
    private static final List<String> SERVICES = List.of("ec2", "ecs", "iam", "sts", "elbv2", "rds", "secretsmanager", "logs",
            "lambda", "events", "servicediscovery");

    private MotoOverride() {
    }

    public static void write(Path exampleDir, URI moto, String meshworkKeyId, String meshworkSecret) throws IOException {
        StringBuilder tf = new StringBuilder("""
                provider "aws" {
                  region                      = "us-east-1"
                  access_key                  = "AKIAMOTO000000000000"
                  secret_key                  = "moto"
                  skip_credentials_validation = true
                  skip_requesting_account_id  = true
                  skip_metadata_api_check     = true
                  endpoints {
                """);
        for (String service : SERVICES) {
            tf.append("    ").append(service).append(" = \"").append(moto).append("\"\n");
        }
        tf.append("  }\n}\n");
        if (meshworkKeyId != null) {
            tf.append("""

                    provider "aws" {
                      alias      = "meshwork"
                      profile    = null
                      access_key = "%s"
                      secret_key = "%s"
                    }
                    """.formatted(meshworkKeyId, meshworkSecret));
        }
        Files.writeString(exampleDir.resolve("moto_override.tf"), tf.toString());
    }
}
