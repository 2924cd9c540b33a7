package io.bolmo4j.progress;

import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Progress of long work (training, evaluation): percentage, rate, ETA and live metrics. The default renders one
 * carriage-return line on stderr (plain lines every few seconds when stderr is not a terminal or under CI); a
 * notebook kernel installs its own renderer with {@link #setFactory}.
 */
public interface Progress extends AutoCloseable {
    /** Reports that {@code done} of the total units are complete, with current metrics. */
    void update(long done, Map<String, ?> metrics);

    @Override
    void close();

    /** Starts a progress display of {@code total} units named {@code unit} (e.g. "steps"). */
    static Progress start(String label, long total, String unit) {
        return Factory.current.apply(new Spec(label, total, unit));
    }

    /** Replaces how progress is shown (e.g. an updatable HTML bar in Jupyter). */
    static void setFactory(Function<Spec, Progress> factory) {
        Factory.current = factory;
    }

    /** The text bar on stderr (what a notebook renderer falls back to outside a running cell). */
    static Progress text(Spec spec) {
        return new TextProgress(spec);
    }

    /** What a display is asked to show. */
    record Spec(String label, long total, String unit) {}

    /** Holder of the installed factory. */
    final class Factory {
        static volatile Function<Spec, Progress> current = Progress::text;

        private Factory() {}
    }

    /**
     * Counts, rate and ETA of one piece of work and its one-line status, e.g.
     * {@code stage 1  42% 126/300 steps [01:02<01:25, 2.03 steps/s] loss=3.21}: what every display shows.
     */
    final class Meter {
        private final Spec spec;
        private final long start = System.nanoTime();
        private long first = -1; // the first count reported: a resumed run's rate counts from there
        private long done;
        private Map<String, ?> metrics = Map.of();

        public Meter(Spec spec) {
            this.spec = spec;
        }

        public void update(long done, Map<String, ?> metrics) {
            if (first < 0) {
                first = done - 1;
            }
            this.done = done;
            this.metrics = metrics;
        }

        public long done() {
            return done;
        }

        public boolean finished() {
            return done >= spec.total();
        }

        /** The status line now. */
        public String status() {
            double secs = (System.nanoTime() - start) / 1e9;
            double rate = first < 0 ? 0 : (done - first) / Math.max(secs, 1e-9);
            double eta = rate > 0 ? (spec.total() - done) / rate : Double.NaN;
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%s %3.0f%% %d/%d %s [%s<%s, %.2f %s/s]",
                    spec.label(), 100.0 * done / Math.max(1, spec.total()), done, spec.total(), spec.unit(), clock(secs),
                    clock(eta), rate, spec.unit()));
            metrics.forEach((k, v) -> sb.append(' ').append(k).append('=')
                    .append(v instanceof Double || v instanceof Float ? String.format(Locale.ROOT, "%.4g", ((Number) v).doubleValue()) : v));
            return sb.toString();
        }

        /** Seconds as mm:ss or h:mm:ss ("?" when unknown). */
        private static String clock(double s) {
            if (Double.isNaN(s) || Double.isInfinite(s)) {
                return "?";
            }
            long t = Math.round(s);
            return t >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60)
                    : String.format(Locale.ROOT, "%02d:%02d", t / 60, t % 60);
        }
    }

    /** A text bar on stderr, throttled. */
    final class TextProgress implements Progress {
        private final Meter meter;
        private final boolean interactive = System.console() != null && !"true".equals(System.getenv("CI"));
        private long lastPrint;
        private String lastLine = "";

        TextProgress(Spec spec) {
            meter = new Meter(spec);
        }

        @Override
        public void update(long done, Map<String, ?> metrics) {
            meter.update(done, metrics);
            long now = System.nanoTime();
            if (!meter.finished() && now - lastPrint < (interactive ? 200_000_000L : 10_000_000_000L)) {
                return;
            }
            lastPrint = now;
            lastLine = meter.status();
            System.err.print(interactive ? "\r" + lastLine : lastLine + "\n");
            System.err.flush();
        }

        @Override
        public void close() {
            if (interactive && !lastLine.isEmpty()) {
                System.err.println();
            }
        }
    }
}
