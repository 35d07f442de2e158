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
 * Makes jackson-jr refuse anything but a whole number where a snapshot has an {@code int} or a
 * {@code long} (a port, a timeout, a revision). Left alone it reads {@code "soon"} as 0 and
 * {@code 1.5} as 1, where databind refused both: a snapshot that says something else than it
 * meant must be refused, not served.
 */
final class WholeNumbers extends JacksonJrExtension {
    @Override
    protected void register(ExtensionContext context) {
        context.insertModifier(new ReaderWriterModifier() {
            @Override
            public ValueReader modifyValueReader(JSONReader reader, Class<?> type, ValueReader standard) {
                boolean primitive = type == int.class || type == long.class;
                return primitive || type == Integer.class || type == Long.class ? new Strict(type, standard, primitive) : standard;
            }
        });
    }

    private static final class Strict extends ValueReader {
        private final ValueReader standard;
        private final boolean primitive;

        Strict(Class<?> type, ValueReader standard, boolean primitive) {
            super(type);
            this.standard = standard;
            this.primitive = primitive;
        }

        @Override
        public Object read(JSONReader reader, JsonParser p) throws IOException {
            JsonToken token = p.currentToken();
            if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NULL && !primitive) {
                return standard.read(reader, p);
            }
            throw new JSONObjectException("expected a whole number for " + p.currentName() + ", found " + _tokenDesc(p)
                    + " at " + p.currentLocation().offsetDescription());
        }
    }
}
