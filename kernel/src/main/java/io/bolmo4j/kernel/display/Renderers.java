package io.bolmo4j.kernel.display;

import io.bolmo4j.kernel.widget.Widget;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The renderer registry: built-in renderers for Tablesaw tables and charts, images and {@link Rich} bundles, plus
 * those registered by libraries (see {@link DisplayRenderer}). Values without a renderer show as {@code text/plain}.
 */
public final class Renderers {
    private static final Map<Class<?>, DisplayRenderer<?>> REGISTRY = new ConcurrentHashMap<>();

    static {
        register(DisplayRenderer.of(Rich.class, Rich::bundle));
        register(new ImageRenderer());
        register(DisplayRenderer.of(Widget.class, Widget::bundle));
        TablesawRenderers.registerIfPresent();
    }

    private Renderers() {}

    /** Adds or replaces the renderer for its type. */
    public static void register(DisplayRenderer<?> renderer) {
        REGISTRY.put(renderer.type(), renderer);
    }

    /** Registers the renderers found by {@link ServiceLoader} in {@code loader} (e.g. after {@code %classpath}). */
    public static int loadServices(ClassLoader loader) {
        int n = 0;
        for (DisplayRenderer<?> r : ServiceLoader.load(DisplayRenderer.class, loader)) {
            register(r);
            n++;
        }
        return n;
    }

    /** The MIME bundle of a value; always has {@code text/plain}. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static Map<String, Object> render(Object value) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (value != null) {
            DisplayRenderer r = find(value.getClass());
            if (r != null) {
                out.putAll(r.render(value));
            }
        }
        out.putIfAbsent("text/plain", plain(value));
        return out;
    }

    private static DisplayRenderer<?> find(Class<?> type) {
        // breadth-first over superclasses and interfaces: the most specific registration wins
        List<Class<?>> queue = new ArrayList<>(List.of(type));
        for (int i = 0; i < queue.size(); i++) {
            Class<?> c = queue.get(i);
            DisplayRenderer<?> r = REGISTRY.get(c);
            if (r != null) {
                return r;
            }
            if (c.getSuperclass() != null) {
                queue.add(c.getSuperclass());
            }
            queue.addAll(Arrays.asList(c.getInterfaces()));
        }
        return null;
    }

    /** Text of a value as Java shows it, with arrays spelled out. */
    static String plain(Object value) {
        if (value == null) {
            return "null";
        }
        if (value.getClass().isArray()) {
            if (value instanceof Object[] a) {
                return Arrays.deepToString(a);
            }
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0, n = Array.getLength(value); i < n; i++) {
                sb.append(i > 0 ? ", " : "").append(Array.get(value, i));
            }
            return sb.append(']').toString();
        }
        return String.valueOf(value);
    }
}
