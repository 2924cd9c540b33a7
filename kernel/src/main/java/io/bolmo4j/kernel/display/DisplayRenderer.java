package io.bolmo4j.kernel.display;

import java.util.Map;
import java.util.function.Function;

/**
 * Renders values of one type as a MIME bundle (e.g. {@code text/html} plus a short {@code text/plain}). Libraries
 * register renderers for their own types through {@link java.util.ServiceLoader} (a
 * {@code META-INF/services/io.bolmo4j.kernel.display.DisplayRenderer} file in their jar) or {@link Renderers#register}.
 */
public interface DisplayRenderer<T> {
    /** The type rendered; subclasses and implementations are rendered too, the most specific renderer wins. */
    Class<T> type();

    /** MIME type to data: strings for text types, base64 strings for images, JSON-able maps for application/json. */
    Map<String, Object> render(T value);

    /** The renderer of {@code type} that {@code render} implements, e.g. {@code of(Table.class, t -> Map.of(...))}. */
    static <T> DisplayRenderer<T> of(Class<T> type, Function<? super T, Map<String, Object>> render) {
        return new DisplayRenderer<>() {
            @Override
            public Class<T> type() {
                return type;
            }

            @Override
            public Map<String, Object> render(T value) {
                return render.apply(value);
            }
        };
    }
}
