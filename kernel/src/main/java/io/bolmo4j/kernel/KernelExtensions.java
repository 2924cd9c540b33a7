package io.bolmo4j.kernel;

import io.bolmo4j.kernel.display.Renderers;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Loads and starts the {@link KernelExtension}s of a class loader. */
public final class KernelExtensions {
    /** Extension classes already started, with their imports (a child class loader sees its parent's extensions again). */
    private static final Map<String, List<String>> STARTED = new ConcurrentHashMap<>();

    private KernelExtensions() {}

    /**
     * Starts every extension {@code loader} provides that was not started before, and registers its renderers.
     *
     * @return the import statements those extensions ask for, in the order found
     */
    public static List<String> start(ClassLoader loader) {
        List<String> imports = new ArrayList<>();
        for (KernelExtension e : ServiceLoader.load(KernelExtension.class, loader)) {
            if (STARTED.putIfAbsent(e.getClass().getName(), List.copyOf(e.imports())) == null) {
                e.renderers().forEach(Renderers::register);
                e.start();
                imports.addAll(e.imports());
            }
        }
        return imports;
    }

    /**
     * Starts the extensions {@code loader} provides that were not started before.
     *
     * @return the imports of every extension {@code loader} provides, started now or before (what a new session runs)
     */
    public static List<String> imports(ClassLoader loader) {
        start(loader);
        List<String> imports = new ArrayList<>();
        for (KernelExtension e : ServiceLoader.load(KernelExtension.class, loader)) {
            imports.addAll(STARTED.getOrDefault(e.getClass().getName(), List.of()));
        }
        return imports;
    }
}
