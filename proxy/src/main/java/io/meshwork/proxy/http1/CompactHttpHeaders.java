package io.meshwork.proxy.http1;

import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.DefaultHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.Collections;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The headers of a message as the proxy keeps them: names and values side by side in one array,
 * in the order they arrived, looked up by a scan that ignores case. A message carries a handful
 * of headers, so a scan is as quick as a hash and costs one array instead of Netty's hash table
 * (a bucket array, a list head and a 48-byte entry per header); the trailers most messages end
 * with, nearly always empty, cost no array at all. Names and values are validated as Netty's
 * {@link io.netty.handler.codec.http.DefaultHttpHeaders} validates them, with its validators and
 * its error messages; values convert as there (a {@link Date} becomes an HTTP date).
 * <p>
 * One difference on purpose: {@code set} replaces a header where it stands (and drops its other
 * occurrences) instead of moving it to the end, so a forwarded message keeps the order it came in.
 */
public final class CompactHttpHeaders extends HttpHeaders {
    private static final CharSequence[] NONE = new CharSequence[0];

    private final DefaultHeaders.NameValidator<CharSequence> nameValidator;
    private final DefaultHeaders.ValueValidator<CharSequence> valueValidator;
    /** Name at 2i, value at 2i + 1. */
    private CharSequence[] slots;
    private int size;

    CompactHttpHeaders(DefaultHeaders.NameValidator<CharSequence> nameValidator,
                       DefaultHeaders.ValueValidator<CharSequence> valueValidator, int sizeHint) {
        this.nameValidator = nameValidator;
        this.valueValidator = valueValidator;
        this.slots = sizeHint == 0 ? NONE : new CharSequence[sizeHint * 2];
    }

    // --- reading ---

    @Override
    public String get(String name) {
        return get((CharSequence) name);
    }

    @Override
    public String get(CharSequence name) {
        int i = indexOf(name, 0);
        return i < 0 ? null : slots[2 * i + 1].toString();
    }

    @Override
    public Integer getInt(CharSequence name) {
        return parsed(name, value -> value instanceof AsciiString ascii ? ascii.parseInt() : Integer.parseInt(value.toString()));
    }

    @Override
    public int getInt(CharSequence name, int defaultValue) {
        Integer value = getInt(name);
        return value == null ? defaultValue : value;
    }

    @Override
    public Short getShort(CharSequence name) {
        return parsed(name, value -> value instanceof AsciiString ascii ? ascii.parseShort() : Short.parseShort(value.toString()));
    }

    @Override
    public short getShort(CharSequence name, short defaultValue) {
        Short value = getShort(name);
        return value == null ? defaultValue : value;
    }

    @Override
    public Long getTimeMillis(CharSequence name) {
        return parsed(name, value -> {
            Date date = DateFormatter.parseHttpDate(value);
            return date == null ? null : date.getTime();
        });
    }

    @Override
    public long getTimeMillis(CharSequence name, long defaultValue) {
        Long value = getTimeMillis(name);
        return value == null ? defaultValue : value;
    }

    /** The first value of {@code name} parsed, or null when there is none or it does not parse (as Netty's headers answer). */
    private <T> T parsed(CharSequence name, Function<CharSequence, T> parse) {
        int i = indexOf(name, 0);
        if (i < 0) {
            return null;
        }
        try {
            return parse.apply(slots[2 * i + 1]);
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Override
    public List<String> getAll(String name) {
        return getAll((CharSequence) name);
    }

    @Override
    public List<String> getAll(CharSequence name) {
        int i = indexOf(name, 0);
        if (i < 0) {
            return Collections.emptyList();
        }
        int second = indexOf(name, i + 1);
        if (second < 0) {
            return Collections.singletonList(slots[2 * i + 1].toString()); // the usual case, and the decoders' Content-Length check
        }
        List<String> values = new ArrayList<>(2);
        for (; i >= 0; i = indexOf(name, i + 1)) {
            values.add(slots[2 * i + 1].toString());
        }
        return values;
    }

    @Override
    public Iterator<String> valueStringIterator(CharSequence name) {
        return new Values<>(name, CharSequence::toString);
    }

    @Override
    public Iterator<? extends CharSequence> valueCharSequenceIterator(CharSequence name) {
        return new Values<>(name, Function.identity());
    }

    @Override
    public List<Map.Entry<String, String>> entries() {
        if (size == 0) {
            return Collections.emptyList();
        }
        List<Map.Entry<String, String>> entries = new ArrayList<>(size);
        iterator().forEachRemaining(entries::add);
        return entries;
    }

    @Override
    public boolean contains(String name) {
        return indexOf(name, 0) >= 0;
    }

    @Override
    public boolean contains(CharSequence name) {
        return indexOf(name, 0) >= 0;
    }

    // The value checks HttpUtil makes on every message (keep-alive, chunked, 100-continue), answered
    // by a scan instead of HttpHeaders' default, which makes a value iterator each time. Members are
    // trimmed of characters up to ' ' as Netty trims a String (the decoders' values are Strings).

    @Override
    public boolean contains(String name, String value, boolean ignoreCase) {
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
            String candidate = slots[2 * i + 1].toString(); // a String already, but for a value set as another kind
            if (ignoreCase ? candidate.equalsIgnoreCase(value) : candidate.equals(value)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean containsValue(CharSequence name, CharSequence value, boolean ignoreCase) {
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
            if (listContains(slots[2 * i + 1], value, ignoreCase)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether one of the comma-separated members of {@code list}, trimmed, is {@code expected}:
     * HttpHeaders' own rule, including that an empty member after a last comma does not count.
     */
    private static boolean listContains(CharSequence list, CharSequence expected, boolean ignoreCase) {
        int length = list.length();
        int begin = 0;
        int comma = AsciiString.indexOf(list, ',', 0);
        if (comma < 0) {
            return trimmedEquals(list, 0, length, expected, ignoreCase);
        }
        do {
            if (trimmedEquals(list, begin, comma, expected, ignoreCase)) {
                return true;
            }
            begin = comma + 1;
            comma = AsciiString.indexOf(list, ',', begin);
        } while (comma >= 0);
        return begin < length && trimmedEquals(list, begin, length, expected, ignoreCase);
    }

    private static boolean trimmedEquals(CharSequence s, int begin, int end, CharSequence expected, boolean ignoreCase) {
        while (begin < end && s.charAt(begin) <= ' ') {
            begin++;
        }
        while (end > begin && s.charAt(end - 1) <= ' ') {
            end--;
        }
        if (end - begin != expected.length()) {
            return false;
        }
        for (int i = 0; i < end - begin; i++) {
            char a = s.charAt(begin + i);
            char b = expected.charAt(i);
            if (a != b && !(ignoreCase && AsciiString.toLowerCase(a) == AsciiString.toLowerCase(b))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Iterator<Map.Entry<String, String>> iterator() {
        return new Entries<>(CharSequence::toString);
    }

    @Override
    public Iterator<Map.Entry<CharSequence, CharSequence>> iteratorCharSequence() {
        return new Entries<>(Function.identity());
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Set<String> names() {
        // The first spelling of each name, in the order they arrived; a set that ignores case finds the
        // repeats, so a request with thousands of headers costs n log n here, not n² scans.
        Set<String> seen = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < size; i++) {
            String name = slots[2 * i].toString();
            if (seen.add(name)) {
                names.add(name);
            }
        }
        return names;
    }

    // --- writing ---

    @Override
    public HttpHeaders add(String name, Object value) {
        return add((CharSequence) name, value);
    }

    @Override
    public HttpHeaders add(CharSequence name, Object value) {
        nameValidator.validateName(name);
        append(name, validated(name, value));
        return this;
    }

    /**
     * Adds a header a decoder has already checked against the rules {@code add} applies (a token
     * for a name; for a value no control character but horizontal tab, no space at either end)
     * without checking it again: the HTTP/1.1 decoders here, and Netty's HTTP/2 decoder.
     */
    public void addChecked(CharSequence name, CharSequence value) {
        append(name, value);
    }

    /** The name of the header at {@code index} (0 to {@code size() - 1}), for a walk without an iterator. */
    public CharSequence nameAt(int index) {
        Objects.checkIndex(index, size);
        return slots[2 * index];
    }

    /** The value of the header at {@code index}. */
    public CharSequence valueAt(int index) {
        Objects.checkIndex(index, size);
        return slots[2 * index + 1];
    }

    @Override
    public HttpHeaders add(String name, Iterable<?> values) {
        return add((CharSequence) name, values);
    }

    @Override
    public HttpHeaders add(CharSequence name, Iterable<?> values) {
        nameValidator.validateName(name);
        for (Object value : values) {
            append(name, validated(name, value));
        }
        return this;
    }

    @Override
    public HttpHeaders addInt(CharSequence name, int value) {
        return add(name, Integer.toString(value));
    }

    @Override
    public HttpHeaders addShort(CharSequence name, short value) {
        return add(name, Short.toString(value));
    }

    @Override
    public HttpHeaders set(String name, Object value) {
        return set((CharSequence) name, value);
    }

    @Override
    public HttpHeaders set(CharSequence name, Object value) {
        nameValidator.validateName(name);
        CharSequence converted = validated(name, value);
        int i = indexOf(name, 0);
        if (i < 0) {
            append(name, converted);
        } else {
            slots[2 * i] = name;
            slots[2 * i + 1] = converted;
            removeFrom(name, i + 1);
        }
        return this;
    }

    @Override
    public HttpHeaders set(String name, Iterable<?> values) {
        return set((CharSequence) name, values);
    }

    @Override
    public HttpHeaders set(CharSequence name, Iterable<?> values) {
        nameValidator.validateName(name);
        List<CharSequence> converted = new ArrayList<>();
        for (Object value : values) {
            converted.add(validated(name, value));
        }
        removeFrom(name, 0);
        for (CharSequence value : converted) {
            append(name, value);
        }
        return this;
    }

    @Override
    public HttpHeaders setInt(CharSequence name, int value) {
        return set(name, Integer.toString(value));
    }

    @Override
    public HttpHeaders setShort(CharSequence name, short value) {
        return set(name, Short.toString(value));
    }

    @Override
    public HttpHeaders remove(String name) {
        return remove((CharSequence) name);
    }

    @Override
    public HttpHeaders remove(CharSequence name) {
        removeFrom(name, 0);
        return this;
    }

    /** Removes every header with any of these names, in one pass over the headers. */
    public CompactHttpHeaders removeAll(AsciiString[] names) {
        removeFrom(0, null, names);
        return this;
    }

    private static boolean anyOf(AsciiString[] names, CharSequence name) {
        for (AsciiString candidate : names) {
            if (candidate.length() == name.length() && candidate.contentEqualsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public HttpHeaders clear() {
        Arrays.fill(slots, 0, 2 * size, null);
        size = 0;
        return this;
    }

    @Override
    public HttpHeaders copy() {
        CompactHttpHeaders copy = new CompactHttpHeaders(nameValidator, valueValidator, 0);
        copy.slots = size == 0 ? NONE : Arrays.copyOf(slots, 2 * size);
        copy.size = size;
        return copy;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof HttpHeaders other) || other.size() != size) {
            return false;
        }
        for (String name : names()) {
            if (!getAll(name).equals(other.getAll(name))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 0;
        for (int i = 0; i < size; i++) {
            h += AsciiString.hashCode(slots[2 * i]) * 31 + slots[2 * i + 1].toString().hashCode();
        }
        return h;
    }

    // --- the array ---

    /** The position of the first header named {@code name} at or after {@code from}, or -1. */
    private int indexOf(CharSequence name, int from) {
        if (name == null) {
            return -1;
        }
        CharSequence[] s = slots;
        for (int i = from; i < size; i++) {
            CharSequence candidate = s[2 * i];
            if (candidate == name || AsciiString.contentEqualsIgnoreCase(candidate, name)) {
                return i;
            }
        }
        return -1;
    }

    private void append(CharSequence name, CharSequence value) {
        if (2 * size == slots.length) {
            slots = Arrays.copyOf(slots, Math.max(8, slots.length * 2));
        }
        slots[2 * size] = name;
        slots[2 * size + 1] = value;
        size++;
    }

    /** Removes every header named {@code name} at or after {@code from}, keeping the order of the rest. */
    private void removeFrom(CharSequence name, int from) {
        removeFrom(from, name, null);
    }

    /**
     * Removes, at or after {@code from}, every header named {@code name} (when given) or any of
     * {@code names} (otherwise); the rest keep their order.
     */
    private void removeFrom(int from, CharSequence name, AsciiString[] names) {
        int kept = from;
        for (int i = from; i < size; i++) {
            CharSequence candidate = slots[2 * i];
            boolean named = name != null ? candidate == name || AsciiString.contentEqualsIgnoreCase(candidate, name)
                    : anyOf(names, candidate);
            if (!named) {
                slots[2 * kept] = candidate;
                slots[2 * kept + 1] = slots[2 * i + 1];
                kept++;
            }
        }
        Arrays.fill(slots, 2 * kept, 2 * size, null);
        size = kept;
    }

    private void removeAt(int index) {
        System.arraycopy(slots, 2 * index + 2, slots, 2 * index, 2 * (size - index - 1));
        size--;
        slots[2 * size] = null;
        slots[2 * size + 1] = null;
    }

    /** The value as a header holds it, after the checks {@code DefaultHttpHeaders} makes, with its messages. */
    private CharSequence validated(CharSequence name, Object value) {
        Objects.requireNonNull(value, "value");
        CharSequence converted = value instanceof CharSequence text ? text
                : value instanceof Date date ? DateFormatter.format(date)
                : value instanceof Calendar calendar ? DateFormatter.format(calendar.getTime())
                : value.toString();
        try {
            valueValidator.validate(converted);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Validation failed for header '" + name + "'", e);
        }
        return converted;
    }

    /** The values of one name, in order. */
    private final class Values<T> implements Iterator<T> {
        private final CharSequence name;
        private final Function<CharSequence, T> as;
        private int next;

        Values(CharSequence name, Function<CharSequence, T> as) {
            this.name = name;
            this.as = as;
            this.next = indexOf(name, 0);
        }

        @Override
        public boolean hasNext() {
            return next >= 0;
        }

        @Override
        public T next() {
            if (next < 0) {
                throw new NoSuchElementException();
            }
            T value = as.apply(slots[2 * next + 1]);
            next = indexOf(name, next + 1);
            return value;
        }
    }

    /** Every header in order, as entries whose {@code setValue} changes the header (validated). */
    private final class Entries<T extends CharSequence> implements Iterator<Map.Entry<T, T>> {
        private final Function<CharSequence, T> as;
        private int next;
        private int last = -1;

        Entries(Function<CharSequence, T> as) {
            this.as = as;
        }

        @Override
        public boolean hasNext() {
            return next < size;
        }

        @Override
        public Map.Entry<T, T> next() {
            if (next >= size) {
                throw new NoSuchElementException();
            }
            last = next++;
            return new Entry(last);
        }

        @Override
        public void remove() {
            if (last < 0) {
                throw new IllegalStateException();
            }
            removeAt(last);
            next = last;
            last = -1;
        }

        private final class Entry implements Map.Entry<T, T> {
            private final int index;
            private final T key;

            Entry(int index) {
                this.index = index;
                this.key = as.apply(slots[2 * index]);
            }

            @Override
            public T getKey() {
                return key;
            }

            @Override
            public T getValue() {
                return as.apply(slots[2 * index + 1]);
            }

            @Override
            public T setValue(T value) {
                T old = getValue();
                slots[2 * index + 1] = validated(slots[2 * index], value);
                return old;
            }

            @Override
            public String toString() {
                return key + "=" + getValue();
            }
        }
    }
}
