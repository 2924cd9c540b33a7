package io.bolmo4j.kernel;

import io.bolmo4j.kernel.display.Renderers;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Loads and starts the {@link KernelExtension}s of a class loader. */
public final class KernelExtensions {
    /** Extension classes already started (a child class loader sees its parent's extensions again). */
    private static final Set<String> STARTED = ConcurrentHashMap.newKeySet();

    private KernelExtensions() {}

    /**
     * Starts every extension {@code loader} provides that was not started before, and registers its renderers.
     *
     * @return the import statements those extensions ask for, in the order found
     */
    public static List<String> start(ClassLoader loader) {
        List<String> imports = new ArrayList<>();
        for (KernelExtension e : ServiceLoader.load(KernelExtension.class, loader)) {
            if (STARTED.add(e.getClass().getName())) {
                e.renderers().forEach(Renderers::register);
                e.start();
                imports.addAll(e.imports());
            }
        }
        return imports;
    }
}
