package io.bolmo4j.kernel.display;

import io.bolmo4j.progress.Progress;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A progress bar in the cell output, updated in place ({@code update_display_data}): percentage, counts, rate, ETA
 * and the live metrics of the work. Installed as bolmo4j's {@link Progress} factory by the kernel; outside a running
 * cell it falls back to the text bar.
 */
public final class NotebookProgress implements Progress {
    private static final long MIN_UPDATE_NANOS = 250_000_000L;
    private final Spec spec;
    private final String id = UUID.randomUUID().toString();
    private final long start = System.nanoTime();
    private long lastUpdate;
    private long first = -1;
    private long done;
    private Map<String, ?> metrics = Map.of();

    /** Threads with an open bar: long bolmo4j work that stops cleanly at its next step when interrupted. */
    private static final Set<Thread> ACTIVE = ConcurrentHashMap.newKeySet();
    private final Thread owner = Thread.currentThread();

    private NotebookProgress(Spec spec) {
        this.spec = spec;
        ACTIVE.add(owner);
        Display.show(bundle(false), id, false);
    }

    /** Whether {@code t} is inside work that shows a progress bar (and so checks for interrupts between steps). */
    public static boolean active(Thread t) {
        return ACTIVE.contains(t);
    }

    /** The factory the kernel installs. */
    public static Progress create(Spec spec) {
        return Display.attached() ? new NotebookProgress(spec) : Progress.text(spec);
    }

    @Override
    public synchronized void update(long done, Map<String, ?> metrics) {
        if (first < 0) {
            first = done - 1;
        }
        this.done = done;
        this.metrics = new LinkedHashMap<>(metrics);
        long now = System.nanoTime();
        if (done >= spec.total() || now - lastUpdate >= MIN_UPDATE_NANOS) {
            lastUpdate = now;
            Display.show(bundle(false), id, true);
        }
    }

    @Override
    public synchronized void close() {
        ACTIVE.remove(owner);
        Display.show(bundle(true), id, true);
    }

    private Map<String, Object> bundle(boolean closed) {
        double secs = (System.nanoTime() - start) / 1e9;
        double rate = first < 0 ? 0 : (done - first) / Math.max(secs, 1e-9);
        double eta = rate > 0 ? (spec.total() - done) / rate : Double.NaN;
        double pct = spec.total() > 0 ? 100.0 * done / spec.total() : 0;
        StringBuilder m = new StringBuilder();
        metrics.forEach((k, v) -> m.append(' ').append(k).append('=').append(v instanceof Double || v instanceof Float
                ? String.format(Locale.ROOT, "%.4g", ((Number) v).doubleValue()) : String.valueOf(v)));
        String status = String.format(Locale.ROOT, "%s %3.0f%% %d/%d %s [%s<%s, %.2f %s/s]%s%s", spec.label(), pct, done,
                spec.total(), spec.unit(), Progress.clock(secs), Progress.clock(eta), rate, spec.unit(), m,
                closed && done < spec.total() ? " (stopped)" : "");
        String html = String.format(Locale.ROOT, "<div class=\"bolmo4j-progress\" style=\"font-family:monospace\">"
                        + "<progress value=\"%d\" max=\"%d\" style=\"width:40%%;vertical-align:middle\"></progress> %s</div>",
                done, Math.max(1, spec.total()), TablesawRenderers.escape(status));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("text/html", html);
        out.put("text/plain", status);
        return out;
    }
}
