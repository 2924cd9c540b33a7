package io.bolmo4j.cli;

import io.bolmo4j.bolmo.train.StageTrainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Writes a stage's step log as CSV: step, lr, loss, its named parts, bytes/s (header from the first step). The file
 * is created at the first step, so a run refused before training (e.g. a mismatched resume) leaves an old log alone.
 */
final class StepCsv implements Consumer<StageTrainer.Step>, AutoCloseable {
    private final Path file;
    private Writer out;

    StepCsv(Path file) {
        this.file = file;
    }

    @Override
    public void accept(StageTrainer.Step s) {
        try {
            if (out == null) {
                out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
                out.write("step,lr," + String.join(",", s.parts().keySet()) + ",bytes_per_s\n");
            }
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%d,%.6g", s.step(), s.lr()));
            s.parts().values().forEach(v -> row.append(String.format(Locale.ROOT, ",%.6g", v)));
            row.append(String.format(Locale.ROOT, ",%.1f%n", s.bytesPerSecond()));
            out.write(row.toString());
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            if (out != null) {
                out.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
