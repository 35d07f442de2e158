package io.meshwork.eks.support;

import io.meshwork.proxy.support.NetworkNamespaces;
import tools.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a pod spec (as an admission webhook left it) on this machine the way a kubelet would, minus
 * the container images: the pod is a network namespace; each container is a process in it, with
 * exactly the container's {@code env} on top of its image's environment and nothing inherited from
 * the test, as the container's user ({@code securityContext.runAsUser}, else the pod's, else the
 * image's); its {@code command} replaces the image's entry point as in Kubernetes. Exec probes run
 * the same way inside the container. The images are stood in for by {@link Image}s: what the image
 * would provide (its entry point, its {@code ENV}, its {@code USER}), on this machine's own files.
 */
public final class KubeletEmulation {
    /** An image's entry point (used when the container has no {@code command}), its environment, and its user (null: root). */
    public record Image(List<String> entrypoint, Map<String, String> env, Integer user) {
    }

    private final NetworkNamespaces net;
    private final String ns;
    private final JsonNode pod;

    public KubeletEmulation(NetworkNamespaces net, String ns, JsonNode pod) {
        this.net = net;
        this.ns = ns;
        this.pod = pod;
    }

    /** An init container run to its end (the next one starts only if it exits 0). */
    public NetworkNamespaces.Result runInit(String name, Image image) {
        JsonNode container = find("initContainers", name);
        return net.exec(ns, Map.of(), inContainer(container, image, Map.of(), command(container, image)).toArray(String[]::new));
    }

    /** Starts a container's process; {@code extraEnv} is what Kubernetes or the node would add (say which, where called). */
    public Process start(String name, Image image, Map<String, String> extraEnv, Path log) {
        JsonNode container = find("containers", name);
        return net.start(ns, null, Map.of(), log, inContainer(container, image, extraEnv, command(container, image)).toArray(String[]::new));
    }

    /** {@code kubectl exec} (or the kubelet's exec probe): {@code command} in the container, as its user, with its environment. */
    public NetworkNamespaces.Result exec(String name, Image image, Map<String, String> extraEnv, List<String> command) {
        JsonNode container = find("containers", name);
        return net.exec(ns, Map.of(), inContainer(container, image, extraEnv, command).toArray(String[]::new));
    }

    /** The container's readiness probe, as the kubelet runs an exec probe (with its {@code timeoutSeconds}). */
    public NetworkNamespaces.Result readinessProbe(String name, Image image, Map<String, String> extraEnv) {
        JsonNode probe = find("containers", name).path("readinessProbe");
        if (!probe.path("exec").path("command").isArray()) {
            throw new IllegalStateException("container " + name + " has no exec readiness probe: " + probe);
        }
        List<String> command = new ArrayList<>(List.of("timeout", String.valueOf(probe.path("timeoutSeconds").asInt(1))));
        probe.path("exec").path("command").forEach(c -> command.add(c.asString()));
        return exec(name, image, extraEnv, command);
    }

    /** The container's {@code env}, in order; {@code valueFrom} is not emulated and fails loudly. */
    public Map<String, String> env(String name) {
        JsonNode container = find("containers", name);
        if (container == null) {
            container = find("initContainers", name);
        }
        return env(container);
    }

    private static Map<String, String> env(JsonNode container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode e : container.path("env")) {
            if (e.has("valueFrom")) {
                throw new IllegalStateException("env " + e.path("name").asString() + " uses valueFrom, which this emulation does not resolve");
            }
            env.put(e.path("name").asString(), e.path("value").asString(""));
        }
        return env;
    }

    /** {@code setpriv} to the container's user (unless root), then {@code env -i} with exactly its environment. */
    private List<String> inContainer(JsonNode container, Image image, Map<String, String> extraEnv, List<String> command) {
        Integer uid = user(container, image);
        List<String> full = new ArrayList<>();
        if (uid != null && uid != 0) {
            full.addAll(List.of("setpriv", "--reuid", uid.toString(), "--regid", uid.toString(), "--clear-groups"));
        }
        Map<String, String> env = new LinkedHashMap<>(image.env());
        env.putAll(extraEnv);
        env.putAll(env(container)); // the pod spec wins over the image, as in Kubernetes
        full.add("env");
        full.add("-i");
        env.forEach((k, v) -> full.add(k + "=" + v));
        full.addAll(command);
        return full;
    }

    private Integer user(JsonNode container, Image image) {
        JsonNode own = container.path("securityContext").path("runAsUser");
        if (own.isNumber()) {
            return own.asInt();
        }
        JsonNode podLevel = pod.path("spec").path("securityContext").path("runAsUser");
        return podLevel.isNumber() ? podLevel.asInt() : image.user();
    }

    private static List<String> command(JsonNode container, Image image) {
        List<String> command = new ArrayList<>();
        if (container.path("command").isArray() && !container.path("command").isEmpty()) {
            container.path("command").forEach(c -> command.add(c.asString()));
        } else {
            command.addAll(image.entrypoint());
        }
        container.path("args").forEach(a -> command.add(a.asString()));
        return command;
    }

    private JsonNode find(String list, String name) {
        for (JsonNode c : pod.path("spec").path(list)) {
            if (name.equals(c.path("name").asString(""))) {
                return c;
            }
        }
        return null;
    }
}
