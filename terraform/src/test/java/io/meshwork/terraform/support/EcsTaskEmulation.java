package io.meshwork.terraform.support;

import io.meshwork.cloudmap.testing.MotoIdentities;
import io.meshwork.proxy.support.NetworkNamespaces;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.ContainerDependency;
import software.amazon.awssdk.services.ecs.model.HealthCheck;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;
import software.amazon.awssdk.services.servicediscovery.ServiceDiscoveryClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Runs ECS task definitions on this machine the way the ECS agent (awsvpc mode) would, from what
 * Terraform registered in moto: each task gets a network namespace with an address of its own,
 * the App Mesh redirect rules its {@code proxyConfiguration} asks for (written by
 * {@code bin/proxy-init}, as ECS's CNI plugin writes the same rules), the credentials and task
 * metadata endpoints on 169.254.170.2, and its containers started in {@code dependsOn} order, a
 * HEALTHY dependency decided by the container's own {@code healthCheck} run as Docker runs it
 * (interval, timeout, retries, start period). Once running, a task is registered in its service's
 * Cloud Map registry, as ECS's service discovery does.
 *
 * <p>Containers run as processes in the namespace, as the container's user: the Meshwork proxy
 * image's entry point ({@code packaging/bin/meshwork-proxy}, on the built jars), any other image's
 * {@code command} on this machine's own files (the images themselves are tested under runc in
 * packaging/).
 */
public final class EcsTaskEmulation implements AutoCloseable {
    private static final String REGION = "us-east-1";
    private static final String AGENT = "169.254.170.2";

    private final NetworkNamespaces net;
    private final Path work;
    private final String proxyClasspath;
    private final MotoIdentities identities;
    private final ServiceDiscoveryClient cloudMap;
    private final String hosts;
    private final List<Path> hostFiles = new ArrayList<>();
    private int next = 1;

    /** A running task. */
    public record Task(String service, String ns, String address, String taskArn, String instanceId, String registryId,
                       Map<String, Process> containers) {
    }

    /**
     * @param hosts lines for the tasks' /etc/hosts: names their apps call (a virtual service needs
     *              an address the app can dial; the redirect takes it from there, as with App Mesh)
     */
    public EcsTaskEmulation(NetworkNamespaces net, Path work, MotoIdentities identities, ServiceDiscoveryClient cloudMap,
                            String hosts) throws IOException {
        this.net = net;
        this.work = work;
        this.identities = identities;
        this.cloudMap = cloudMap;
        this.hosts = hosts;
        this.proxyClasspath = stageProxy(work.resolve("proxy"));
    }

    /** Runs one task of {@code definition} for {@code service} until it is RUNNING (every dependency met). */
    public Task run(String service, TaskDefinition definition, String registryId) throws Exception {
        int n = next++;
        String ns = net.task("t" + n, "10.99.0." + n);
        String address = "10.99.0." + n;
        String id = UUID.randomUUID().toString().replace("-", "");
        String taskArn = "arn:aws:ecs:" + REGION + ":123456789012:task/shop/" + id;
        Path etc = Path.of("/etc/netns", ns);
        Files.createDirectories(etc);
        Files.writeString(etc.resolve("hosts"), "127.0.0.1 localhost\n::1 localhost\n" + hosts);
        hostFiles.add(etc);

        agentEndpoints(ns, id, taskArn, definition);
        if (definition.proxyConfiguration() != null) {
            Map<String, String> rules = new HashMap<>();
            definition.proxyConfiguration().properties().forEach(p -> rules.put(PROXY_INIT_NAMES.get(p.name()), p.value()));
            rules.remove(null);
            NetworkNamespaces.Result enabled = net.exec(ns, rules, Path.of(Terraform.SOURCES.getParent().toString(), "bin", "proxy-init")
                    .toString(), "enable");
            if (enabled.exitCode() != 0) {
                throw new IllegalStateException("the task's redirect rules failed: " + enabled.output());
            }
        }

        Map<String, Process> started = new LinkedHashMap<>();
        for (ContainerDefinition container : inDependencyOrder(definition.containerDefinitions())) {
            for (ContainerDependency dependency : container.dependsOn()) {
                if ("HEALTHY".equals(dependency.conditionAsString())) {
                    awaitHealthy(ns, definition, dependency.containerName(), started.get(dependency.containerName()));
                }
            }
            started.put(container.name(), start(ns, n, id, container));
        }
        String instanceId = null;
        if (registryId != null) {
            instanceId = id;
            String instance = instanceId;
            cloudMap.registerInstance(r -> r.serviceId(registryId).instanceId(instance).attributes(Map.of(
                    "AWS_INSTANCE_IPV4", address, "ECS_CLUSTER_NAME", "shop", "ECS_SERVICE_NAME", service,
                    "ECS_TASK_DEFINITION_FAMILY", definition.family(), "REGION", REGION, "AVAILABILITY_ZONE", "us-east-1a")));
        }
        return new Task(service, ns, address, taskArn, instanceId, registryId, started);
    }

    /** Stops a task as ECS does: out of Cloud Map, then its containers. */
    public void stop(Task task) {
        if (task.instanceId() != null) {
            cloudMap.deregisterInstance(r -> r.serviceId(task.registryId()).instanceId(task.instanceId()));
        }
        task.containers().values().forEach(p -> {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        });
    }

    /** ECS task metadata names for App Mesh's proxyConfiguration properties, as the CNI plugin maps them. */
    private static final Map<String, String> PROXY_INIT_NAMES = Map.of(
            "IgnoredUID", "APPMESH_IGNORE_UID", "IgnoredGID", "APPMESH_IGNORE_GID", "AppPorts", "APPMESH_APP_PORTS",
            "ProxyIngressPort", "APPMESH_ENVOY_INGRESS_PORT", "ProxyEgressPort", "APPMESH_ENVOY_EGRESS_PORT",
            "EgressIgnoredIPs", "APPMESH_EGRESS_IGNORED_IP", "EgressIgnoredPorts", "APPMESH_EGRESS_IGNORED_PORTS");

    /** 169.254.170.2 in the task: the task role's credentials (from moto's STS) and the task metadata endpoint. */
    private void agentEndpoints(String ns, String id, String taskArn, TaskDefinition definition) throws IOException {
        Path root = Files.createDirectories(work.resolve("agent-" + ns));
        if (definition.taskRoleArn() != null) {
            AwsSessionCredentials role = identities.assumeRole(definition.taskRoleArn(), "ecs-task-" + id.substring(0, 8));
            Files.createDirectories(root.resolve("v2/credentials"));
            Files.writeString(root.resolve("v2/credentials/" + id), """
                    {"AccessKeyId": "%s", "SecretAccessKey": "%s", "Token": "%s", "Expiration": "%s", "RoleArn": "%s"}"""
                    .formatted(role.accessKeyId(), role.secretAccessKey(), role.sessionToken(),
                            role.expirationTime().orElse(Instant.now().plus(Duration.ofHours(1))), definition.taskRoleArn()));
        }
        Files.createDirectories(root.resolve("v4/" + id));
        Files.writeString(root.resolve("v4/" + id + "/task"), """
                {"Cluster": "shop", "TaskARN": "%s", "Family": "%s", "Revision": "%d", "DesiredStatus": "RUNNING", "KnownStatus": "RUNNING"}"""
                .formatted(taskArn, definition.family(), definition.revision()));
        net.exec(ns, Map.of(), "ip", "addr", "add", AGENT + "/32", "dev", "lo");
        net.start(ns, null, Map.of(), work.resolve("agent-" + ns + ".log"), "python3", "-m", "http.server", "80", "--bind", AGENT,
                "--directory", root.toString());
    }

    private Process start(String ns, int n, String id, ContainerDefinition container) throws IOException {
        Map<String, String> env = new HashMap<>();
        container.environment().forEach((KeyValuePair kv) -> env.put(kv.name(), kv.value()));
        // What the ECS agent adds to every container.
        env.put("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/" + id);
        env.put("ECS_CONTAINER_METADATA_URI_V4", "http://" + AGENT + "/v4/" + id);
        env.put("AWS_REGION", REGION);
        env.put("AWS_DEFAULT_REGION", REGION);
        env.put("AWS_EXECUTION_ENV", "AWS_ECS_FARGATE");
        Integer uid = container.user() == null ? null : Integer.valueOf(container.user());
        Path log = work.resolve(ns + "-" + container.name() + ".log");
        List<String> command;
        if (container.image().contains("meshwork-proxy")) {
            // The image's entry point, on the built jars; its data on the task's own volume.
            env.put("MESHWORK_PROXY_CLASSPATH", proxyClasspath);
            env.put("JAVA_HOME", System.getProperty("java.home"));
            Path data = Files.createDirectories(work.resolve("data-" + ns + "-" + container.name()));
            data.toFile().setWritable(true, false);
            env.put("PROXY_DATA_DIR", data.toString());
            command = List.of(Path.of(Terraform.SOURCES.getParent().toString(), "packaging", "bin", "meshwork-proxy").toString());
        } else {
            command = new ArrayList<>(container.entryPoint());
            command.addAll(container.command());
        }
        return net.start(ns, uid, env, log, command.toArray(String[]::new));
    }

    /** Docker's health check: the command every interval; unhealthy after {@code retries} failures past the start period. */
    private void awaitHealthy(String ns, TaskDefinition definition, String name, Process process) throws InterruptedException {
        HealthCheck check = definition.containerDefinitions().stream().filter(c -> c.name().equals(name)).findFirst()
                .map(ContainerDefinition::healthCheck).orElse(null);
        if (check == null) {
            throw new IllegalStateException(name + " is depended on as HEALTHY but has no healthCheck: ECS would never start the task");
        }
        List<String> command = check.command();
        String shell = command.get(0).equals("CMD-SHELL") ? String.join(" ", command.subList(1, command.size())) : null;
        long start = System.nanoTime();
        int failures = 0;
        while (true) {
            Thread.sleep(Duration.ofSeconds(orDefault(check.interval(), 30)).toMillis());
            if (process != null && !process.isAlive()) {
                throw new IllegalStateException(name + " exited before it was HEALTHY (see its log in " + work + ")");
            }
            NetworkNamespaces.Result result = shell != null ? net.exec(ns, Map.of(), "timeout", String.valueOf(orDefault(check.timeout(), 5)),
                    "sh", "-c", shell) : net.exec(ns, Map.of(), command.subList(1, command.size()).toArray(String[]::new));
            if (result.exitCode() == 0) {
                return;
            }
            boolean inStartPeriod = System.nanoTime() - start < Duration.ofSeconds(orDefault(check.startPeriod(), 0)).toNanos();
            if (!inStartPeriod && ++failures >= orDefault(check.retries(), 3)) {
                throw new IllegalStateException(name + " is UNHEALTHY: its health check failed " + failures + " times");
            }
        }
    }

    private static int orDefault(Integer value, int otherwise) {
        return value == null ? otherwise : value;
    }

    private static List<ContainerDefinition> inDependencyOrder(List<ContainerDefinition> containers) {
        List<ContainerDefinition> ordered = new ArrayList<>();
        List<ContainerDefinition> left = new ArrayList<>(containers);
        while (!left.isEmpty()) {
            ContainerDefinition ready = left.stream().filter(c -> c.dependsOn().stream().allMatch(d -> ordered.stream()
                    .anyMatch(o -> o.name().equals(d.containerName())))).findFirst()
                    .orElseThrow(() -> new IllegalStateException("dependsOn has a cycle or names no container: " + left));
            ordered.add(ready);
            left.remove(ready);
        }
        return ordered;
    }

    /** The proxy's jar and lib/ (from its module's package phase), where uid 1337 can read them. */
    private static String stageProxy(Path dir) throws IOException {
        Path target = Terraform.SOURCES.getParent().resolve(Path.of("proxy", "target"));
        Path jar = target.resolve("proxy-0.1.0-SNAPSHOT.jar");
        if (!Files.exists(jar) || !Files.isDirectory(target.resolve("lib"))) {
            throw new IllegalStateException("build the proxy first (mvn package): " + jar + " and its lib/ are missing");
        }
        Files.createDirectories(dir.resolve("lib"));
        Files.copy(jar, dir.resolve(jar.getFileName()));
        try (var libs = Files.list(target.resolve("lib"))) {
            for (Path lib : (Iterable<Path>) libs::iterator) {
                Files.copy(lib, dir.resolve("lib").resolve(lib.getFileName()));
            }
        }
        try (var files = Files.walk(dir)) {
            files.forEach(f -> {
                f.toFile().setReadable(true, false);
                f.toFile().setExecutable(Files.isDirectory(f), false);
            });
        }
        return dir.resolve(jar.getFileName()).toString();
    }

    @Override
    public void close() {
        for (Path etc : hostFiles) {
            TestDirs.delete(etc);
        }
    }
}
