package io.bolmo4j.cli;

import io.bolmo4j.bolmo.StageTrainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.Locale;
import java.util.function.Consumer;

/** Writes a stage's step log as CSV: step, lr, loss, its named parts, bytes/s (header from the first step). */
final class StepCsv implements Consumer<StageTrainer.Step> {
    private final Writer out;
    private boolean header;

    StepCsv(Writer out) {
        this.out = out;
    }

    @Override
    public void accept(StageTrainer.Step s) {
        try {
            if (!header) {
                out.write("step,lr," + String.join(",", s.parts().keySet()) + ",bytes_per_s\n");
                header = true;
            }
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%d,%.6g", s.step(), s.lr()));
            s.parts().values().forEach(v -> row.append(String.format(Locale.ROOT, ",%.6g", v)));
            row.append(String.format(Locale.ROOT, ",%.1f%n", s.bytesPerSecond()));
            out.write(row.toString());
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
