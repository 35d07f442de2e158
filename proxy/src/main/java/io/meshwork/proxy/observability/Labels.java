package io.meshwork.proxy.observability;

/** A metric's name and label values, rendered once as the Prometheus series key. */
record Labels(String series) {
    static Labels of(String name, String... pairs) {
        StringBuilder sb = new StringBuilder(name);
        if (pairs.length > 0) {
            sb.append('{');
            for (int i = 0; i < pairs.length; i += 2) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(pairs[i]).append("=\"").append(escape(pairs[i + 1])).append('"');
            }
            sb.append('}');
        }
        return new Labels(sb.toString());
    }

    private static String escape(String v) {
        return v == null ? "" : v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
