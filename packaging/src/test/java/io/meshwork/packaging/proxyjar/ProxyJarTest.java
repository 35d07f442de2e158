package io.meshwork.packaging.proxyjar;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one jar bin/proxy and the EC2 install run (proxy/target/meshwork-proxy.jar) holds what the
 * module jar and its 80-odd libraries hold, so the proxy behaves as it does on that class path:
 * every class, every service provider (the proxy's tracing providers share service files with
 * OpenTelemetry's), every licence and notice, and no signature of a library it merged.
 */
class ProxyJarTest {
    private static final Path TARGET = Path.of(System.getProperty("meshwork.root", "..")).resolve("proxy/target");
    private static final Path ONE_JAR = TARGET.resolve("meshwork-proxy.jar");
    private static final List<Path> CLASS_PATH = new ArrayList<>();

    @BeforeAll
    static void classPath() throws IOException {
        assertTrue(Files.isRegularFile(ONE_JAR), "build the proxy first (mvn -pl proxy -am package): " + ONE_JAR);
        CLASS_PATH.add(TARGET.resolve("proxy-0.1.0-SNAPSHOT.jar"));
        try (Stream<Path> libs = Files.list(TARGET.resolve("lib"))) {
            libs.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(CLASS_PATH::add);
        }
        assertTrue(CLASS_PATH.size() > 50, "the module jar and its libraries: " + CLASS_PATH.size());
    }

    @Test
    void everyClassAndServiceProviderOfTheClassPathIsInIt() throws IOException {
        Map<String, Set<String>> providers = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        try (JarFile one = new JarFile(ONE_JAR.toFile())) {
            for (Path jar : CLASS_PATH) {
                try (JarFile part = new JarFile(jar.toFile())) {
                    part.stream().filter(e -> !e.isDirectory()).forEach(e -> {
                        String name = e.getName();
                        if (name.startsWith("META-INF/services/")) {
                            providers.computeIfAbsent(name, k -> new LinkedHashSet<>()).addAll(lines(part, name));
                        } else if (name.endsWith(".class") && !name.endsWith("module-info.class") && one.getEntry(name) == null) {
                            missing.add(jar.getFileName() + "!" + name);
                        }
                    });
                }
            }
            assertEquals(List.of(), missing, "classes of the class path missing from the one jar");
            assertTrue(providers.keySet().stream().anyMatch(s -> s.endsWith("ConfigurableSpanExporterProvider")), providers.keySet().toString());
            for (Map.Entry<String, Set<String>> service : providers.entrySet()) {
                assertEquals(service.getValue(), new LinkedHashSet<>(lines(one, service.getKey())), service.getKey());
            }
            assertTrue(one.stream().noneMatch(e -> e.getName().matches("META-INF/[^/]+\\.(SF|RSA|DSA)")),
                    "a merged jar cannot keep the signatures of the jars it merged");
        }
    }

    @Test
    void itStartsTheProxyAndKeepsTheLibrariesVersionedClassesAndNotices() throws IOException {
        try (JarFile one = new JarFile(ONE_JAR.toFile())) {
            Manifest manifest = one.getManifest();
            assertEquals("io.meshwork.proxy.ProxyMain", manifest.getMainAttributes().getValue("Main-Class"));
            assertEquals("true", manifest.getMainAttributes().getValue("Multi-Release"), "BouncyCastle's and Jackson's classes for newer Java");
            assertTrue(one.stream().anyMatch(e -> e.getName().startsWith("META-INF/versions/") && e.getName().endsWith(".class")),
                    "the libraries' versioned classes are kept");
            String notices = text(one, "META-INF/NOTICE") + text(one, "META-INF/NOTICE.txt");
            for (Path jar : CLASS_PATH) {
                try (JarFile part = new JarFile(jar.toFile())) {
                    for (String file : List.of("META-INF/NOTICE", "META-INF/NOTICE.txt")) {
                        String notice = text(part, file).strip();
                        if (!notice.isEmpty()) {
                            String firstLine = notice.lines().findFirst().orElseThrow();
                            assertTrue(notices.contains(firstLine), jar.getFileName() + "'s " + file + " is kept: " + firstLine);
                        }
                    }
                }
            }
        }
    }

    private static List<String> lines(JarFile jar, String name) {
        return text(jar, name).lines().map(l -> l.replaceAll("#.*", "").strip()).filter(l -> !l.isEmpty()).toList();
    }

    private static String text(JarFile jar, String name) {
        var entry = jar.getEntry(name);
        if (entry == null) {
            return "";
        }
        try (InputStream in = jar.getInputStream(entry)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
