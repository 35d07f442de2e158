package io.meshwork.eks.manifests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The seven appmesh.k8s.aws/v1beta2 CRDs in config/crd/bases: what kubectl shows for them, that
 * they keep App Mesh's contract, and that App Mesh users' manifests (samples/valid) are accepted
 * while broken ones (samples/invalid) are refused for the reason their first line names.
 */
class CustomResourceDefinitionsTest {

  private static final String GROUP = "appmesh.k8s.aws";
  private static final String VERSION = "v1beta2";

  /** A kind as App Mesh's controller defines it. */
  record Kind(String kind, String plural, String scope, String arnField, Set<String> specFields) {}

  static final List<Kind> KINDS = List.of(
      new Kind("Mesh", "meshes", "Cluster", "meshARN",
          Set.of("awsName", "namespaceSelector", "egressFilter", "meshOwner",
              "meshServiceDiscovery")),
      new Kind("VirtualNode", "virtualnodes", "Namespaced", "virtualNodeARN",
          Set.of("awsName", "podSelector", "listeners", "serviceDiscovery", "backends",
              "backendGroups", "backendDefaults", "logging", "meshRef")),
      new Kind("VirtualService", "virtualservices", "Namespaced", "virtualServiceARN",
          Set.of("awsName", "provider", "meshRef")),
      new Kind("VirtualRouter", "virtualrouters", "Namespaced", "virtualRouterARN",
          Set.of("awsName", "listeners", "routes", "meshRef")),
      new Kind("VirtualGateway", "virtualgateways", "Namespaced", "virtualGatewayARN",
          Set.of("awsName", "namespaceSelector", "podSelector", "gatewayRouteSelector",
              "listeners", "logging", "backendDefaults", "meshRef")),
      new Kind("GatewayRoute", "gatewayroutes", "Namespaced", "gatewayRouteARN",
          Set.of("awsName", "priority", "grpcRoute", "httpRoute", "http2Route",
              "virtualGatewayRef", "meshRef")),
      // App Mesh has no BackendGroup resource, so no ARN and no printer columns.
      new Kind("BackendGroup", "backendgroups", "Namespaced", null,
          Set.of("virtualservices", "meshRef")));

  private static final Pattern EXPECT =
      Pattern.compile("^# expect: (\\S+) (\\S+)(?: (\\S+))?$", Pattern.MULTILINE);

  private static final Map<String, Schema> SCHEMAS = new LinkedHashMap<>();

  @BeforeAll
  static void loadSchemas() {
    SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4);
    for (Kind kind : KINDS) {
      JsonNode openApi = rawCrd(kind).path("spec").path("versions").path(0)
          .path("schema").path("openAPIV3Schema");
      SCHEMAS.put(kind.kind(), registry.getSchema(StructuralSchemas.toJsonSchema(openApi)));
    }
  }

  static Stream<DynamicTest> perKind(Consumer<Kind> check) {
    return KINDS.stream().map(k -> DynamicTest.dynamicTest(k.kind(), () -> check.accept(k)));
  }

  static Path crdFile(Kind kind) {
    return Manifests.configDir().resolve("crd/bases/" + GROUP + "_" + kind.plural() + ".yaml");
  }

  static JsonNode rawCrd(Kind kind) {
    return Manifests.yamlDocument(crdFile(kind));
  }

  static CustomResourceDefinition crd(Kind kind) {
    return Manifests.KUBERNETES.unmarshal(Manifests.read(crdFile(kind)),
        CustomResourceDefinition.class);
  }

  // ------------------------------------------------------------------------------------------
  // The CRD files

  @Test
  void basesHoldExactlyTheSevenKindsAndKustomizeListsThemAll() {
    Set<String> expected = KINDS.stream().map(k -> GROUP + "_" + k.plural() + ".yaml")
        .collect(Collectors.toCollection(TreeSet::new));
    Set<String> present = Manifests.yamlFiles(Manifests.configDir().resolve("crd/bases")).stream()
        .map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(expected, present);

    JsonNode kustomization = Manifests.yamlDocument(
        Manifests.configDir().resolve("crd/kustomization.yaml"));
    Set<String> listed = new TreeSet<>();
    kustomization.path("resources").forEach(r -> listed.add(r.asString().replace("bases/", "")));
    assertEquals(expected, listed, "crd/kustomization.yaml resources");
  }

  @Test
  void committedCrdsAreWhatTheGeneratorWrites(@TempDir Path out) throws Exception {
    Path generator = Manifests.configDir().resolve("crd/generate.py");
    Manifests.ProcessResult result = Manifests.run(
        List.of("python3", generator.toString(), "--out", out.toString()), out);
    assertEquals(0, result.exitCode(), "generate.py failed:\n" + result.stderr());
    for (Kind kind : KINDS) {
      Path generated = out.resolve(crdFile(kind).getFileName());
      assertTrue(Files.exists(generated), "generate.py did not write " + generated.getFileName());
      String difference = firstDifference(Manifests.read(generated), Manifests.read(crdFile(kind)));
      assertNull(difference, crdFile(kind).getFileName() + " is not what generate.py writes ("
          + difference + "): run python3 config/crd/generate.py and commit the result");
    }
    try (Stream<Path> files = Files.list(out)) {
      assertEquals(KINDS.size(), files.count(), "generate.py wrote files no test knows about");
    }
  }

  /** Null when equal, else the first line that differs. */
  private static String firstDifference(String expected, String actual) {
    String[] want = expected.split("\n", -1);
    String[] have = actual.split("\n", -1);
    for (int i = 0; i < Math.max(want.length, have.length); i++) {
      String w = i < want.length ? want[i] : "<end of file>";
      String h = i < have.length ? have[i] : "<end of file>";
      if (!w.equals(h)) {
        return "line " + (i + 1) + ": generated `" + w.strip() + "`, committed `" + h.strip() + "`";
      }
    }
    return null;
  }

  @TestFactory
  Stream<DynamicTest> crdNamesGroupVersionAndScopeAsAppMeshDoes() {
    return perKind(CustomResourceDefinitionsTest::crdNamesGroupVersionAndScopeAsAppMeshDoesFor);
  }

  private static void crdNamesGroupVersionAndScopeAsAppMeshDoesFor(Kind kind) {
    CustomResourceDefinition crd = crd(kind);
    assertEquals("apiextensions.k8s.io/v1", crd.getApiVersion());
    assertEquals(kind.plural() + "." + GROUP, crd.getMetadata().getName());
    assertEquals(GROUP, crd.getSpec().getGroup());
    assertEquals(kind.scope(), crd.getSpec().getScope());
    assertEquals(kind.kind(), crd.getSpec().getNames().getKind());
    assertEquals(kind.kind() + "List", crd.getSpec().getNames().getListKind());
    assertEquals(kind.plural(), crd.getSpec().getNames().getPlural());
    assertEquals(kind.kind().toLowerCase(), crd.getSpec().getNames().getSingular());
    List<String> categories = crd.getSpec().getNames().getCategories();
    if (kind.scope().equals("Namespaced")) {
      assertEquals(List.of("all"), categories, "`kubectl get all` lists namespaced kinds");
    } else {
      assertTrue(categories == null || categories.isEmpty(), "a cluster-scoped kind in `all`");
    }
    assertTrue(crd.getMetadata().getAnnotations() == null
        || crd.getMetadata().getAnnotations().isEmpty(), "CRD annotations");

    assertEquals(1, crd.getSpec().getVersions().size());
    CustomResourceDefinitionVersion version = crd.getSpec().getVersions().get(0);
    assertEquals(VERSION, version.getName());
    assertTrue(version.getServed(), "served");
    assertTrue(version.getStorage(), "storage");
    assertNotNull(version.getSubresources().getStatus(), "status subresource");
    assertNull(version.getSubresources().getScale(), "scale subresource");
    assertNull(crd.getSpec().getConversion(), "conversion (only one version)");
  }

  @TestFactory
  Stream<DynamicTest> printerColumnsShowTheArnFromStatusAndTheAge() {
    return perKind(CustomResourceDefinitionsTest::printerColumnsShowTheArnFromStatusAndTheAgeFor);
  }

  private static void printerColumnsShowTheArnFromStatusAndTheAgeFor(Kind kind) {
    CustomResourceDefinitionVersion version = crd(kind).getSpec().getVersions().get(0);
    List<CustomResourceColumnDefinition> columns = version.getAdditionalPrinterColumns();
    if (kind.arnField() == null) {
      assertTrue(columns == null || columns.isEmpty(), "BackendGroup has no App Mesh ARN");
      return;
    }
    assertEquals(2, columns.size(), "columns");
    assertEquals("ARN", columns.get(0).getName());
    assertEquals("string", columns.get(0).getType());
    assertEquals(".status." + kind.arnField(), columns.get(0).getJsonPath());
    assertEquals("AGE", columns.get(1).getName());
    assertEquals("date", columns.get(1).getType());
    assertEquals(".metadata.creationTimestamp", columns.get(1).getJsonPath());

    JsonNode status = rawCrd(kind).at("/spec/versions/0/schema/openAPIV3Schema/properties/status");
    assertEquals("string", status.at("/properties/" + kind.arnField() + "/type").asString(""),
        "the ARN column reads a status field the schema keeps");
    assertTrue(status.has("properties") && status.get("properties").has("conditions"),
        "status.conditions");
  }

  @TestFactory
  Stream<DynamicTest> specKeepsAppMeshFieldNames() {
    return perKind(CustomResourceDefinitionsTest::specKeepsAppMeshFieldNamesFor);
  }

  private static void specKeepsAppMeshFieldNamesFor(Kind kind) {
    JsonNode spec = rawCrd(kind).at("/spec/versions/0/schema/openAPIV3Schema/properties/spec");
    assertEquals(new TreeSet<>(kind.specFields()), new TreeSet<>(spec.path("properties").propertyNames()));
  }

  @TestFactory
  Stream<DynamicTest> schemaIsStructuralAndPreservesUnknownFieldsOnlyAtTheRoot() {
    return perKind(CustomResourceDefinitionsTest::schemaIsStructuralAndPreservesUnknownFieldsOnlyAtTheRootFor);
  }

  private static void schemaIsStructuralAndPreservesUnknownFieldsOnlyAtTheRootFor(Kind kind) {
    JsonNode root = rawCrd(kind).at("/spec/versions/0/schema/openAPIV3Schema");
    assertTrue(root.path("x-kubernetes-preserve-unknown-fields").asBoolean(false),
        "App Mesh's CRDs keep unknown top-level fields");
    List<String> problems = new ArrayList<>();
    walk(root, "", problems);
    assertEquals(List.of(), problems);
  }

  private static void walk(JsonNode schema, String path, List<String> problems) {
    if (!path.isEmpty() && schema.has("x-kubernetes-preserve-unknown-fields")) {
      problems.add(path + ": x-kubernetes-preserve-unknown-fields below the root");
    }
    String type = schema.path("type").asString("");
    if (!Set.of("object", "array", "string", "integer", "number", "boolean").contains(type)
        && !schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
      problems.add(path + ": no type (the API server refuses non-structural schemas)");
    }
    if (type.equals("array") && !schema.has("items")) {
      problems.add(path + ": an array without items");
    }
    if (schema.has("required")) {
      for (JsonNode name : schema.get("required")) {
        if (!schema.path("properties").has(name.asString())) {
          problems.add(path + ": requires " + name.asString() + ", which is not a property");
        }
      }
    }
    schema.path("properties").properties()
        .forEach(p -> walk(p.getValue(), path + "/" + p.getKey(), problems));
    if (schema.has("items")) {
      walk(schema.get("items"), path + "/items", problems);
    }
    if (schema.path("additionalProperties").isObject()) {
      walk(schema.get("additionalProperties"), path + "/additionalProperties", problems);
    }
  }

  // ------------------------------------------------------------------------------------------
  // Samples

  static Stream<DynamicTest> perSample(String which, Consumer<Path> check) {
    return Manifests.yamlFiles(Manifests.samplesDir(which)).stream()
        .map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> check.accept(p)));
  }

  @TestFactory
  Stream<DynamicTest> validSampleIsAccepted() {
    return perSample("valid", CustomResourceDefinitionsTest::validSampleIsAcceptedFor);
  }

  private static void validSampleIsAcceptedFor(Path file) {
    String name = file.getFileName().toString();
    List<JsonNode> documents = Manifests.yamlDocuments(file);
    assertFalse(documents.isEmpty(), name + " is empty");
    for (JsonNode object : documents) {
      List<Error> errors = validate(object);
      assertEquals(List.of(), describe(errors), name + " should be accepted");
    }
  }

  @TestFactory
  Stream<DynamicTest> invalidSampleIsRejectedForTheNamedReason() {
    return perSample("invalid", CustomResourceDefinitionsTest::invalidSampleIsRejectedFor);
  }

  private static void invalidSampleIsRejectedFor(Path file) {
    String name = file.getFileName().toString();
    Matcher expect = EXPECT.matcher(Manifests.read(file));
    if (!expect.find()) {
      fail(name + " does not start with `# expect: <pointer> <keyword> [property]`");
    }
    String pointer = expect.group(1);
    String keyword = expect.group(2);
    String property = expect.group(3);

    List<Error> errors = validate(Manifests.yamlDocument(file));
    assertFalse(errors.isEmpty(), name + " was accepted; expected " + keyword + " at " + pointer);
    for (Error error : errors) {
      String where = pointer(error.getInstanceLocation());
      assertEquals(pointer + " " + keyword, where + " " + error.getKeyword(),
          name + " is broken in another way too: " + error.getMessage());
      if (property != null) {
        assertEquals(property, error.getProperty(), name + ": " + error.getMessage());
      }
      assertTrue(error.getMessage() != null && !error.getMessage().isBlank(), "a message");
    }
  }

  @Test
  void everyKindHasValidAndInvalidSamples() {
    Map<String, int[]> counts = new LinkedHashMap<>();
    KINDS.forEach(k -> counts.put(k.kind(), new int[2]));
    for (int i = 0; i < 2; i++) {
      for (Path file : Manifests.yamlFiles(Manifests.samplesDir(i == 0 ? "valid" : "invalid"))) {
        for (JsonNode object : Manifests.yamlDocuments(file)) {
          counts.get(object.path("kind").asString())[i]++;
        }
      }
    }
    counts.forEach((kind, n) -> {
      assertTrue(n[0] >= 2, kind + ": " + n[0] + " valid samples");
      assertTrue(n[1] >= 1, kind + ": " + n[1] + " invalid samples");
    });
  }

  @Test
  void schemaConversionFollowsKubernetesRules() {
    JsonNode structural = Manifests.JSON.readTree("""
        {"type": "object", "x-kubernetes-preserve-unknown-fields": true,
         "properties": {
           "spec": {"type": "object", "properties": {
             "port": {"x-kubernetes-int-or-string": true},
             "note": {"type": "string", "nullable": true},
             "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true,
                      "properties": {"known": {"type": "string"}}},
             "labels": {"type": "object", "additionalProperties": {"type": "string"}}}}}}
        """);
    Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4)
        .getSchema(StructuralSchemas.toJsonSchema(structural));
    assertEquals(List.of(), describe(schema.validate(Manifests.JSON.readTree("""
        {"extra": 1, "spec": {"port": "http", "note": null, "free": {"anything": [1]},
         "labels": {"a": "b"}}}
        """))));
    assertEquals(List.of(), describe(schema.validate(Manifests.JSON.readTree(
        "{\"spec\": {\"port\": 8080}}"))));
    assertFalse(schema.validate(Manifests.JSON.readTree("{\"spec\": {\"port\": true}}")).isEmpty(),
        "int-or-string refuses a boolean");
    assertFalse(schema.validate(Manifests.JSON.readTree("{\"spec\": {\"prot\": 1}}")).isEmpty(),
        "an unknown field under spec is refused");
    assertFalse(schema.validate(Manifests.JSON.readTree("{\"spec\": {\"labels\": {\"a\": 1}}}"))
        .isEmpty(), "map values keep their type");
  }

  /** Errors for the object against its kind's schema, plus a wrong apiVersion or kind. */
  static List<Error> validate(JsonNode object) {
    String kind = object.path("kind").asString("");
    assertEquals(GROUP + "/" + VERSION, object.path("apiVersion").asString(""), "apiVersion");
    Schema schema = SCHEMAS.get(kind);
    assertNotNull(schema, "kind " + kind + " is not one of " + SCHEMAS.keySet());
    assertFalse(object.path("metadata").path("name").asString("").isEmpty(), "metadata.name");
    return schema.validate(object);
  }

  static List<String> describe(List<Error> errors) {
    return errors.stream()
        .map(e -> pointer(e.getInstanceLocation()) + " " + e.getKeyword() + ": " + e.getMessage())
        .toList();
  }

  static String pointer(NodePath path) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < path.getNameCount(); i++) {
      out.append('/').append(path.getElement(i));
    }
    return out.toString();
  }
}
