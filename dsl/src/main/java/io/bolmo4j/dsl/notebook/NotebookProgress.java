package io.bolmo4j.dsl.notebook;

import io.bolmo4j.kernel.display.Display;
import io.bolmo4j.kernel.display.ProgressBar;
import io.bolmo4j.progress.Progress;

import java.util.Map;

/**
 * bolmo4j's progress as a bar in the running cell's output, and for training (work counted in steps) a live chart of
 * its losses under it; outside a cell, the text bar on stderr.
 */
final class NotebookProgress implements Progress {
    private final Meter meter;
    private final ProgressBar bar;
    private final TrainingChart chart;

    private NotebookProgress(Spec spec) {
        meter = new Meter(spec);
        bar = ProgressBar.open(spec.total(), meter.status());
        chart = spec.unit().equals("steps") ? new TrainingChart(spec.label() + ": loss and metrics by step") : null;
    }

    static Progress create(Spec spec) {
        return Display.attached() ? new NotebookProgress(spec) : Progress.text(spec);
    }

    @Override
    public void update(long done, Map<String, ?> metrics) {
        meter.update(done, metrics);
        bar.update(done, meter.status());
        if (chart != null) {
            chart.add(done, metrics);
        }
    }

    @Override
    public void close() {
        bar.update(meter.done(), meter.status() + (meter.finished() ? "" : " (stopped)"));
        bar.close();
        if (chart != null) {
            chart.close();
        }
    }
}
