package io.bolmo4j.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A training run's step log as CSV, one row per {@link Trainer.Step} (a resumed run's replayed steps first, so the file
 * always holds the whole run). The file is created at the first step, so a run refused before training (e.g. a
 * mismatched resume) leaves an old log alone.
 */
public final class StepLog implements Consumer<Trainer.Step>, AutoCloseable {
    private final Path file;
    private final Function<Trainer.Step, String> header;
    private final Function<Trainer.Step, String> row;
    private Writer out;

    /**
     * @param header the header line, from the first step (e.g. its loss parts)
     * @param row    one step's line
     */
    public StepLog(Path file, Function<Trainer.Step, String> header, Function<Trainer.Step, String> row) {
        this.file = file;
        this.header = header;
        this.row = row;
    }

    @Override
    public void accept(Trainer.Step s) {
        try {
            if (out == null) {
                out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
                out.write(header.apply(s) + "\n");
            }
            out.write(row.apply(s) + "\n");
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
