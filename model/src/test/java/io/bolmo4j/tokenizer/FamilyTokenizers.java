package io.bolmo4j.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** The real tokenizer.json files of the model families in the test resources ({@code /families/NAME/}). */
public final class FamilyTokenizers {
    private FamilyTokenizers() {}

    /** {@code /families/NAME/tokenizer.json.gz} (qwen3, llama3) gunzipped to a temp file, once per JVM. */
    public static synchronized Path file(String name) {
        Path file = Fixtures.dir().resolve(name + "-tokenizer.json");
        if (!Files.exists(file)) {
            try (InputStream in = new GZIPInputStream(
                    FamilyTokenizers.class.getResourceAsStream("/families/" + name + "/tokenizer.json.gz"))) {
                Files.write(file, in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            file.toFile().deleteOnExit();
        }
        return file;
    }
}
