package io.bolmo4j.kernel.display;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** A value that is already a MIME bundle, e.g. from {@link Display#html(String)}. */
public final class Rich {
    private final Map<String, Object> bundle;

    Rich(Map<String, Object> bundle) {
        this.bundle = Collections.unmodifiableMap(new LinkedHashMap<>(bundle));
    }

    /** The MIME bundle. */
    public Map<String, Object> bundle() {
        return bundle;
    }

    @Override
    public String toString() {
        return String.valueOf(bundle.getOrDefault("text/plain", bundle.keySet().toString()));
    }
}
