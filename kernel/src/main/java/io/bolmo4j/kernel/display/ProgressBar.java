package io.bolmo4j.kernel.display;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A progress bar in the cell output, updated in place ({@code update_display_data}) with a status line the work
 * writes itself (counts, rate, metrics). Cells open one with {@code progressBar(total, status)}; libraries route their
 * own progress reporting here from a {@link io.bolmo4j.kernel.KernelExtension}. While a bar is open, an interrupt gives
 * the work time to stop at its next step.
 */
public final class ProgressBar implements AutoCloseable {
    private static final long MIN_UPDATE_NANOS = 250_000_000L;
    /** Threads with an open bar: long work that stops cleanly at its next step when interrupted. */
    private static final Set<Thread> ACTIVE = ConcurrentHashMap.newKeySet();

    private final String id = UUID.randomUUID().toString();
    private final Thread owner = Thread.currentThread();
    private final long total;
    private long done;
    private String status;
    private long lastUpdate;

    private ProgressBar(long total, String status) {
        this.total = Math.max(1, total);
        this.status = status;
        ACTIVE.add(owner);
        Display.show(bundle(), id, false);
    }

    /** Shows a bar for {@code total} units of work with its first status line. */
    public static ProgressBar open(long total, String status) {
        return new ProgressBar(total, status);
    }

    /** Whether {@code t} is inside work that shows a progress bar (and so checks for interrupts between steps). */
    public static boolean active(Thread t) {
        return ACTIVE.contains(t);
    }

    /** Moves the bar to {@code done} units with a new status line (shown at most four times a second, and at the end). */
    public synchronized void update(long done, String status) {
        this.done = done;
        this.status = status;
        long now = System.nanoTime();
        if (done >= total || now - lastUpdate >= MIN_UPDATE_NANOS) {
            lastUpdate = now;
            Display.show(bundle(), id, true);
        }
    }

    /** Shows the last status for good. */
    @Override
    public synchronized void close() {
        ACTIVE.remove(owner);
        Display.show(bundle(), id, true);
    }

    private Map<String, Object> bundle() {
        String html = String.format(Locale.ROOT, "<div class=\"bolmo4j-progress\" style=\"font-family:monospace\">"
                        + "<progress value=\"%d\" max=\"%d\" style=\"width:40%%;vertical-align:middle\"></progress> %s</div>",
                done, total, TablesawRenderers.escape(status));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("text/html", html);
        out.put("text/plain", status);
        return out;
    }
}
