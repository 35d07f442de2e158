package io.meshwork.controlapi.store;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Only the store speaks SQL: no class outside {@code store/} touches JDBC types or carries SQL
 * in a string literal, so a schema change is a change to {@code store/} and its migrations alone.
 */
class SqlConfinedToStoreTest {
    private static final Path SOURCES = Path.of("src/main/java");
    private static final Path STORE = SOURCES.resolve("io/meshwork/controlapi/store");
    private static final Pattern JDBC = Pattern.compile("\\bjavax?\\.sql\\.");
    private static final Pattern STRING_LITERAL = Pattern.compile("\"\"\"[\\s\\S]*?\"\"\"|\"(?:\\\\.|[^\"\\\\\\n])*\"");
    private static final Pattern SQL = Pattern.compile(String.join("|",
            "\\b(?:SELECT|INSERT|UPDATE|DELETE|MERGE|WHERE|JOIN|VALUES|COALESCE)\\b",
            "(?i)\\bselect\\b.+\\bfrom\\b", "(?i)\\binsert\\s+into\\b", "(?i)\\bdelete\\s+from\\b",
            "(?i)\\bupdate\\s+\\w+\\s+set\\b", "(?i)\\b(?:create|alter|drop)\\s+(?:table|index)\\b",
            "(?i)\\bfor\\s+update\\b"));

    @Test
    void noClassOutsideTheStoreUsesJdbcOrSqlText() {
        List<String> offences = new ArrayList<>();
        for (Path file : javaFiles()) {
            if (file.startsWith(STORE)) {
                continue;
            }
            String source = read(file);
            if (JDBC.matcher(source).find()) {
                offences.add(file + " uses java.sql");
            }
            sqlLiterals(source).forEach(literal -> offences.add(file + " holds SQL: " + literal));
        }
        assertEquals(List.of(), offences, "move the SQL into a store/ class and call it with a Transaction");
    }

    @Test
    void theCheckRecognizesTheStoresOwnSql() {
        // Guards the check above against passing vacuously (wrong directory, a pattern that matches nothing).
        String resources = read(STORE.resolve("ResourceStore.java"));
        assertTrue(JDBC.matcher(resources).find());
        assertTrue(sqlLiterals(resources).size() >= 10, "ResourceStore's statements are recognized as SQL");
        assertTrue(javaFiles().size() > 100, "the scan sees the whole module: " + javaFiles().size());
    }

    private static List<String> sqlLiterals(String source) {
        List<String> out = new ArrayList<>();
        Matcher literal = STRING_LITERAL.matcher(source);
        while (literal.find()) {
            if (SQL.matcher(literal.group()).find()) {
                out.add(literal.group());
            }
        }
        return out;
    }

    private static List<Path> javaFiles() {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            return files.filter(f -> f.toString().endsWith(".java")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
