package io.meshwork.terraform;

import io.meshwork.cloudmap.testing.MotoServer;
import io.meshwork.terraform.support.MotoOverride;
import io.meshwork.terraform.support.Terraform;
import io.meshwork.terraform.support.TestDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * modules/ec2-proxy's user data, rendered by Terraform (against moto for the account and region)
 * and run as cloud-init would, into a directory instead of / (MESHWORK_ROOT): it unpacks the
 * tarball packaging/dist makes into packaging/install's layout and writes App Mesh's variables
 * for the node to /etc/meshwork/proxy.env.
 */
class Ec2ProxyUserDataTest {
    private static Terraform terraform;
    private static MotoServer moto;
    private static Path work;

    @BeforeAll
    static void start() throws Exception {
        terraform = Terraform.inCopy();
        moto = new MotoServer();
        work = Files.createTempDirectory("meshwork-ec2-");
        Path config = Files.createDirectories(terraform.dir("host"));
        Files.writeString(config.resolve("main.tf"), """
                variable "artifact_url" {
                  type = string
                }
                module "host" {
                  source               = "../modules/ec2-proxy"
                  mesh_name            = "apps"
                  virtual_node_name    = "serviceB"
                  meshwork_endpoint    = "https://meshwork.internal"
                  artifact_url         = var.artifact_url
                  app_ports            = [8000, 8001]
                  egress_ignored_ports = [5432]
                  enable_ipv6          = true
                }
                output "user_data" {
                  value = module.host.user_data
                }
                """);
        MotoOverride.write(config, moto.endpoint(), null, null);
        terraform.ok("host", "init", "-input=false", "-no-color");
    }

    @AfterAll
    static void stop() {
        if (moto != null) {
            moto.close();
        }
        if (terraform != null) {
            terraform.delete();
        }
        TestDirs.delete(work);
    }

    @Test
    void theUserDataInstallsMeshworkAndWritesTheNodesAppMeshVariables() throws Exception {
        Path tarball = work.resolve("meshwork.tar.gz");
        Process dist = new ProcessBuilder(Terraform.SOURCES.getParent().resolve("packaging/dist").toString(), tarball.toString())
                .redirectErrorStream(true).start();
        String distOutput = new String(dist.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(dist.waitFor(120, TimeUnit.SECONDS) && dist.exitValue() == 0, distOutput);

        terraform.ok("host", "apply", "-auto-approve", "-input=false", "-no-color", "-var", "artifact_url=file://" + tarball);
        Path userData = work.resolve("user-data.sh");
        Files.writeString(userData, terraform.ok("host", "output", "-raw", "user_data").stdout());
        Path root = Files.createDirectories(work.resolve("root"));
        ProcessBuilder cloudInit = new ProcessBuilder("bash", userData.toString()).redirectErrorStream(true);
        cloudInit.environment().put("MESHWORK_ROOT", root.toString());
        Process run = cloudInit.start();
        String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(run.waitFor(60, TimeUnit.SECONDS) && run.exitValue() == 0, output);

        for (String installed : List.of("opt/meshwork/bin/meshwork-proxy", "opt/meshwork/bin/proxy-init", "opt/meshwork/lib/proxy/proxy.jar",
                "etc/systemd/system/meshwork-proxy.service", "etc/systemd/system/meshwork-proxy-init.service")) {
            assertTrue(Files.exists(root.resolve(installed)), installed + " is installed");
        }
        List<String> env = Files.readAllLines(root.resolve("etc/meshwork/proxy.env"));
        assertTrue(env.containsAll(List.of("APPMESH_RESOURCE_ARN=mesh/apps/virtualNode/serviceB", "PROXY_CONTROL_API_URL=https://meshwork.internal",
                "AWS_REGION=us-east-1", "APPMESH_IGNORE_UID=1337", "APPMESH_APP_PORTS=8000,8001", "APPMESH_EGRESS_IGNORED_PORTS=5432",
                "APPMESH_EGRESS_IGNORED_IP=169.254.169.254,169.254.170.2", "APPMESH_ENABLE_IPV6=1")), env.toString());
        assertEquals("rw-r-----", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(root.resolve("etc/meshwork/proxy.env"))), "the settings are not world-readable");
        // What systemd reads: the proxy unit takes this file and runs as 1337.
        String unit = Files.readString(root.resolve("etc/systemd/system/meshwork-proxy.service"));
        assertTrue(unit.contains("EnvironmentFile=") && unit.contains("/etc/meshwork/proxy.env") && unit.contains("User=1337"), unit);
    }
}
