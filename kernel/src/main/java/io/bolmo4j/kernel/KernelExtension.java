package io.bolmo4j.kernel;

import io.bolmo4j.kernel.display.DisplayRenderer;

import java.util.List;

/**
 * A library's plug-in to the kernel, found by {@link java.util.ServiceLoader} (a
 * {@code META-INF/services/io.bolmo4j.kernel.KernelExtension} file in its jar) on the kernel's class path or in jars
 * added with {@code %classpath}. The kernel knows no library's types: a library brings its own default imports,
 * renderers for its types, and whatever it must set up when a session starts (e.g. routing its progress reporting to
 * {@link io.bolmo4j.kernel.display.ProgressBar}s).
 */
public interface KernelExtension {
    /** Import statements every session runs first, e.g. {@code "import com.acme.api.*;"}. */
    default List<String> imports() {
        return List.of();
    }

    /** Renderers for the library's own types. */
    default List<DisplayRenderer<?>> renderers() {
        return List.of();
    }

    /** Called once per class loader the extension is found in, before the first cell. */
    default void start() {
    }
}
