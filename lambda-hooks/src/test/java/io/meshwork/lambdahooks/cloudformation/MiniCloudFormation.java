package io.meshwork.lambdahooks.cloudformation;

import com.amazonaws.services.lambda.runtime.events.CloudFormationCustomResourceEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.meshwork.lambdahooks.CustomResourceHandler;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A small stand-in for CloudFormation, enough to drive a custom-resource handler as a stack does:
 * resources in dependency order (Ref, Fn::GetAtt, DependsOn), Ref and GetAtt resolved from the
 * answers already given, every property value a string, Create / Update (with the old properties)
 * / Delete, a new physical id on Update taken as a replacement whose old resource is deleted
 * after the stack's updates, removed resources deleted in reverse order, and each answer read
 * from the PUT to a local ResponseURL.
 */
public final class MiniCloudFormation implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the handler answered one event. */
    public record Answer(String logicalId, String requestType, String status, String reason, String physicalId, Map<String, String> data,
                  int bytes) {
    }

    private record Deployed(String type, String physicalId, Map<String, String> data, Map<String, Object> properties) {
    }

    /** How an event reaches the handler: called directly, or through Lambda's runtime interface client. */
    @FunctionalInterface
    public interface Delivery {
        void deliver(CloudFormationCustomResourceEvent event) throws Exception;
    }

    private final Delivery delivery;
    private final List<Long> deliveryNanos = new ArrayList<>();
    private final HttpServer responseUrl;
    private final Map<String, byte[]> answers = new ConcurrentHashMap<>();
    private final Map<String, Deployed> deployed = new LinkedHashMap<>();
    private final List<String> order = new ArrayList<>();
    private final String stackId = "arn:aws:cloudformation:us-east-1:111122223333:stack/shop/" + UUID.randomUUID();

    public MiniCloudFormation(CustomResourceHandler handler) throws IOException {
        this(event -> handler.handleRequest(event, null));
    }

    public MiniCloudFormation(Delivery delivery) throws IOException {
        this.delivery = delivery;
        this.responseUrl = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        responseUrl.createContext("/", exchange -> {
            if (exchange.getRequestHeaders().containsKey("Content-Type") && !exchange.getRequestHeaders().getFirst("Content-Type").isEmpty()) {
                exchange.sendResponseHeaders(403, -1); // S3's pre-signed URL: the signature covers no Content-Type
                exchange.close();
                return;
            }
            answers.put(exchange.getRequestURI().getPath().substring(1), exchange.getRequestBody().readAllBytes());
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        responseUrl.start();
    }

    /** Creates or updates the stack to {@code template}; the answers in the order given. */
    public List<Answer> deploy(JsonNode template) throws IOException {
        JsonNode resources = template.path("Resources");
        List<Answer> out = new ArrayList<>();
        List<Deployed> replaced = new ArrayList<>();
        List<String> sorted = dependencyOrder(resources);
        for (String logicalId : sorted) {
            JsonNode resource = resources.get(logicalId);
            Map<String, Object> props = resolve(resource.path("Properties"));
            Deployed before = deployed.get(logicalId);
            if (before != null && before.properties().equals(props)) {
                continue;
            }
            CloudFormationCustomResourceEvent event = event(before == null ? "Create" : "Update", logicalId, resource.path("Type").asText(),
                    props, before);
            Answer answer = send(event);
            out.add(answer);
            if (!answer.status().equals("SUCCESS")) {
                if (before == null) {
                    deployed.put(logicalId, new Deployed(event.getResourceType(), answer.physicalId(), Map.of(), props));
                }
                return out; // CloudFormation stops here (and would roll back)
            }
            if (before != null && !before.physicalId().equals(answer.physicalId())) {
                replaced.add(before);
            }
            deployed.put(logicalId, new Deployed(event.getResourceType(), answer.physicalId(), answer.data(), props));
            if (!order.contains(logicalId)) {
                order.add(logicalId);
            }
        }
        // Cleanup: replaced resources, then resources no longer in the template, in reverse order.
        for (Deployed old : replaced) {
            out.add(send(deleteEvent("replaced", old)));
        }
        for (String logicalId : reversed()) {
            if (!resources.has(logicalId)) {
                out.add(send(deleteEvent(logicalId, deployed.remove(logicalId))));
                order.remove(logicalId);
            }
        }
        return out;
    }

    /** Deletes every resource of the stack, dependents first. */
    public List<Answer> deleteStack() throws IOException {
        List<Answer> out = new ArrayList<>();
        for (String logicalId : reversed()) {
            out.add(send(deleteEvent(logicalId, deployed.remove(logicalId))));
        }
        order.clear();
        return out;
    }

    /** Delivers one Delete for a resource as it stands (e.g. to delete it twice). */
    public Answer deleteAgain(String logicalId, String physicalId, Map<String, Object> props, String type) throws IOException {
        return send(deleteEvent(logicalId, new Deployed(type, physicalId, Map.of(), props)));
    }

    /** Delivers one Update as CloudFormation's rollback would, with the properties to return to and the ones to leave. */
    public Answer update(String logicalId, String physicalId, Map<String, Object> props, Map<String, Object> oldProps, String type)
            throws IOException {
        CloudFormationCustomResourceEvent event = base("Update", logicalId, type);
        event.setPhysicalResourceId(physicalId);
        event.setResourceProperties(props);
        event.setOldResourceProperties(oldProps);
        return send(event);
    }

    public String physicalId(String logicalId) {
        return deployed.get(logicalId).physicalId();
    }

    public Map<String, Object> properties(String logicalId) {
        return deployed.get(logicalId).properties();
    }

    private List<String> reversed() {
        List<String> r = new ArrayList<>(order);
        java.util.Collections.reverse(r);
        return r;
    }

    private CloudFormationCustomResourceEvent event(String type, String logicalId, String resourceType, Map<String, Object> props,
                                                    Deployed before) {
        CloudFormationCustomResourceEvent event = base(type, logicalId, resourceType);
        event.setResourceProperties(props);
        if (before != null) {
            event.setPhysicalResourceId(before.physicalId());
            event.setOldResourceProperties(before.properties());
        }
        return event;
    }

    private CloudFormationCustomResourceEvent deleteEvent(String logicalId, Deployed resource) {
        CloudFormationCustomResourceEvent event = base("Delete", logicalId, resource.type());
        event.setPhysicalResourceId(resource.physicalId());
        event.setResourceProperties(resource.properties());
        return event;
    }

    private CloudFormationCustomResourceEvent base(String type, String logicalId, String resourceType) {
        CloudFormationCustomResourceEvent event = new CloudFormationCustomResourceEvent();
        String requestId = UUID.randomUUID().toString();
        event.setRequestType(type);
        event.setRequestId(requestId);
        event.setStackId(stackId);
        event.setLogicalResourceId(logicalId);
        event.setResourceType(resourceType);
        event.setServiceToken("arn:aws:lambda:us-east-1:111122223333:function:meshwork");
        event.setResponseUrl("http://127.0.0.1:" + responseUrl.getAddress().getPort() + "/" + requestId);
        return event;
    }

    /** How long each delivery took, event to answer. */
    public List<Long> deliveryNanos() {
        return deliveryNanos;
    }

    /** The event as CloudFormation sends it to Lambda (its JSON). */
    public static String json(CloudFormationCustomResourceEvent event) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("RequestType", event.getRequestType());
        json.put("ServiceToken", event.getServiceToken());
        json.put("ResponseURL", event.getResponseUrl());
        json.put("StackId", event.getStackId());
        json.put("RequestId", event.getRequestId());
        json.put("LogicalResourceId", event.getLogicalResourceId());
        if (event.getPhysicalResourceId() != null) {
            json.put("PhysicalResourceId", event.getPhysicalResourceId());
        }
        json.put("ResourceType", event.getResourceType());
        json.put("ResourceProperties", event.getResourceProperties());
        if (event.getOldResourceProperties() != null) {
            json.put("OldResourceProperties", event.getOldResourceProperties());
        }
        try {
            return JSON.writeValueAsString(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Answer send(CloudFormationCustomResourceEvent event) throws IOException {
        long start = System.nanoTime();
        try {
            delivery.deliver(event);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
        deliveryNanos.add(System.nanoTime() - start);
        byte[] body = answers.remove(event.getRequestId());
        if (body == null) {
            throw new AssertionError("no answer was PUT for " + event.getRequestType() + " " + event.getLogicalResourceId());
        }
        JsonNode json = JSON.readTree(body);
        Map<String, String> data = new LinkedHashMap<>();
        json.path("Data").fields().forEachRemaining(e -> data.put(e.getKey(), e.getValue().asText()));
        for (String field : new String[]{"StackId", "RequestId", "LogicalResourceId"}) {
            if (!json.path(field).asText().equals(switch (field) {
                case "StackId" -> event.getStackId();
                case "RequestId" -> event.getRequestId();
                default -> event.getLogicalResourceId();
            })) {
                throw new AssertionError("the answer's " + field + " is not the event's: " + json);
            }
        }
        return new Answer(event.getLogicalResourceId(), event.getRequestType(), json.path("Status").asText(), json.path("Reason").asText(),
                json.path("PhysicalResourceId").asText(), data, body.length);
    }

    /** Ref and Fn::GetAtt resolved; every scalar a string, as CloudFormation sends it. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> resolve(JsonNode properties) {
        return (Map<String, Object>) value(properties);
    }

    private Object value(JsonNode node) {
        if (node.isObject()) {
            if (node.size() == 1 && node.has("Ref")) {
                return deployed.get(node.get("Ref").asText()).physicalId();
            }
            if (node.size() == 1 && node.has("Fn::GetAtt")) {
                String attribute = node.get("Fn::GetAtt").get(1).asText();
                String value = deployed.get(node.get("Fn::GetAtt").get(0).asText()).data().get(attribute);
                if (value == null) {
                    throw new AssertionError("GetAtt " + node + ": the resource's answer has no " + attribute);
                }
                return value;
            }
            Map<String, Object> out = new LinkedHashMap<>();
            node.fields().forEachRemaining(e -> out.put(e.getKey(), value(e.getValue())));
            return out;
        }
        if (node.isArray()) {
            List<Object> out = new ArrayList<>();
            node.forEach(n -> out.add(value(n)));
            return out;
        }
        return node.asText();
    }

    private static List<String> dependencyOrder(JsonNode resources) {
        Map<String, Set<String>> needs = new HashMap<>();
        resources.fieldNames().forEachRemaining(id -> {
            Set<String> deps = new LinkedHashSet<>();
            references(resources.get(id), deps);
            resources.get(id).path("DependsOn").forEach(d -> deps.add(d.asText()));
            deps.remove(id);
            needs.put(id, deps);
        });
        List<String> sorted = new ArrayList<>();
        List<String> left = new ArrayList<>();
        resources.fieldNames().forEachRemaining(left::add);
        while (!left.isEmpty()) {
            Iterator<String> it = left.iterator();
            boolean progressed = false;
            while (it.hasNext()) {
                String id = it.next();
                if (sorted.containsAll(needs.get(id))) {
                    sorted.add(id);
                    it.remove();
                    progressed = true;
                }
            }
            if (!progressed) {
                throw new AssertionError("circular references among " + left);
            }
        }
        return sorted;
    }

    private static void references(JsonNode node, Set<String> out) {
        if (node.isObject()) {
            if (node.has("Ref")) {
                out.add(node.get("Ref").asText());
            }
            if (node.has("Fn::GetAtt")) {
                out.add(node.get("Fn::GetAtt").get(0).asText());
            }
            node.forEach(n -> references(n, out));
        } else if (node.isArray()) {
            node.forEach(n -> references(n, out));
        }
    }

    @Override
    public void close() {
        responseUrl.stop(0);
    }
}
