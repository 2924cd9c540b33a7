package io.bolmo4j.kernel.display;

import java.util.Map;

/** Where {@link Display} sends bundles: the kernel's IOPub channel while a cell runs. */
public interface DisplaySink {
    /**
     * Shows a bundle.
     *
     * @param displayId id under which it can be updated later (never null)
     * @param update    true to replace what an earlier call showed under {@code displayId}
     */
    void display(Map<String, Object> bundle, String displayId, boolean update);

    /** Clears the cell's output, now or (with {@code wait}) when the next output arrives. */
    void clear(boolean wait);

    /** Sends text printed so far now, so that it comes before what is sent next. */
    default void flush() {}
}
