package io.meshwork.proxyapi;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.jr.ob.JSONObjectException;
import com.fasterxml.jackson.jr.ob.JacksonJrExtension;
import com.fasterxml.jackson.jr.ob.api.ExtensionContext;
import com.fasterxml.jackson.jr.ob.api.ReaderWriterModifier;
import com.fasterxml.jackson.jr.ob.api.ValueReader;
import com.fasterxml.jackson.jr.ob.impl.JSONReader;

import java.io.IOException;

/**
 * Makes jackson-jr refuse a value of the wrong kind where a message has a number, a string or a
 * boolean. Left alone it reads {@code "soon"} as 0 for a port, {@code "yes"} as false for
 * {@code enforce} (TLS off), and an object given for a string as null, after which it reads that
 * object's fields as the enclosing record's and drops the rest: a snapshot that says something else
 * than it meant must be refused, not served. Stricter than databind was, which also turned
 * {@code "12"} into 12 and {@code 1.5} into 1: the control plane never writes either.
 */
final class StrictScalars extends JacksonJrExtension {
    @Override
    protected void register(ExtensionContext context) {
        context.insertModifier(new ReaderWriterModifier() {
            @Override
            public ValueReader modifyValueReader(JSONReader reader, Class<?> type, ValueReader standard) {
                Kind kind = Kind.of(type);
                return kind == null ? standard : new Strict(type, standard, kind);
            }
        });
    }

    private enum Kind {
        WHOLE_NUMBER("a whole number"), STRING("a string"), BOOLEAN("true or false");

        private final String expected;

        Kind(String expected) {
            this.expected = expected;
        }

        static Kind of(Class<?> type) {
            if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
                return WHOLE_NUMBER;
            }
            if (type == String.class) {
                return STRING;
            }
            return type == boolean.class || type == Boolean.class ? BOOLEAN : null;
        }

        boolean accepts(JsonToken token) {
            return switch (this) {
                case WHOLE_NUMBER -> token == JsonToken.VALUE_NUMBER_INT;
                case STRING -> token == JsonToken.VALUE_STRING;
                case BOOLEAN -> token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE;
            };
        }
    }

    private static final class Strict extends ValueReader {
        private final ValueReader standard;
        private final Kind kind;
        private final boolean primitive;

        Strict(Class<?> type, ValueReader standard, Kind kind) {
            super(type);
            this.standard = standard;
            this.kind = kind;
            this.primitive = type.isPrimitive(); // null is no int
        }

        @Override
        public Object read(JSONReader reader, JsonParser p) throws IOException {
            JsonToken token = p.currentToken();
            if (kind.accepts(token) || token == JsonToken.VALUE_NULL && !primitive) {
                return standard.read(reader, p);
            }
            throw new JSONObjectException("expected " + kind.expected + " for " + p.currentName() + ", found " + _tokenDesc(p)
                    + " at " + p.currentLocation().offsetDescription());
        }
    }
}
