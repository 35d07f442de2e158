package io.meshwork.proxy.support;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The Prometheus text format (0.0.4) read back into samples, as a scraper would, so tests assert
 * on label values and numbers rather than on how a line happens to be spelled. Comments are
 * checked for {@code # TYPE} consistency only.
 */
public final class PrometheusText {
    /** One line: {@code name{labels} value}. */
    public record Sample(String name, Map<String, String> labels, double value) {
        public String label(String name) {
            return labels.getOrDefault(name, "");
        }
    }

    private final List<Sample> samples;
    private final Map<String, String> types;

    private PrometheusText(List<Sample> samples, Map<String, String> types) {
        this.samples = samples;
        this.types = types;
    }

    public static PrometheusText parse(String text) {
        List<Sample> samples = new ArrayList<>();
        Map<String, String> types = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.substring(7).split(" ");
                types.put(parts[0], parts[1]);
                continue;
            }
            if (line.startsWith("#")) {
                continue;
            }
            samples.add(sample(line));
        }
        return new PrometheusText(samples, types);
    }

    private static Sample sample(String line) {
        int brace = line.indexOf('{');
        int space = line.indexOf(' ');
        Map<String, String> labels = new LinkedHashMap<>();
        String name;
        int rest;
        if (brace >= 0 && (space < 0 || brace < space)) {
            name = line.substring(0, brace);
            int i = brace + 1;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                String key = line.substring(i, eq);
                if (line.charAt(eq + 1) != '"') {
                    throw new IllegalArgumentException("label value not quoted: " + line);
                }
                StringBuilder value = new StringBuilder();
                int j = eq + 2;
                for (; line.charAt(j) != '"'; j++) {
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char next = line.charAt(++j);
                        value.append(next == 'n' ? '\n' : next);
                    } else {
                        value.append(c);
                    }
                }
                labels.put(key, value.toString());
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            rest = i + 1;
        } else {
            name = line.substring(0, space);
            rest = space;
        }
        String[] tail = line.substring(rest).trim().split(" ");
        return new Sample(name, labels, Double.parseDouble(tail[0]));
    }

    public List<Sample> samples() {
        return samples;
    }

    /** The type a {@code # TYPE} line gave the family {@code name}, or null. */
    public String type(String family) {
        return types.get(family);
    }

    /** Samples named {@code name} whose labels include every pair of {@code labels} (name, value, name, value ...). */
    public List<Sample> find(String name, String... labels) {
        Predicate<Sample> match = s -> s.name().equals(name);
        for (int i = 0; i < labels.length; i += 2) {
            String key = labels[i];
            String value = labels[i + 1];
            match = match.and(s -> value.equals(s.labels().getOrDefault(key, "")));
        }
        return samples.stream().filter(match).toList();
    }

    /** The sum over {@link #find}: 0 when none match. */
    public double sum(String name, String... labels) {
        return find(name, labels).stream().mapToDouble(Sample::value).sum();
    }

    /** The one sample that matches; fails when there are none or several. */
    public double value(String name, String... labels) {
        List<Sample> found = find(name, labels);
        if (found.size() != 1) {
            throw new AssertionError(found.size() + " samples of " + name + " " + List.of(labels) + ": " + found);
        }
        return found.get(0).value();
    }
}
