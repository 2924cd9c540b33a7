package io.bolmo4j.olmo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A shipped model unpacked from the jar lands once in the cache, complete, and every later run reuses it. */
class BuiltinModelsTest {
    @TempDir
    Path cache;

    @Test
    void unpackedOnceAndReused() throws IOException {
        Path first = BuiltinModels.unpack(BuiltinModels.TINY, cache);
        Path again = BuiltinModels.unpack(BuiltinModels.TINY, cache);
        assertEquals(first, again);
        assertEquals(List.of(first.getFileName().toString()), List.of(cache.toFile().list()), "one folder, no temp beside it");
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json")) {
            try (InputStream in = BuiltinModels.class.getResourceAsStream("/models/tiny-olmo/" + f)) {
                assertArrayEquals(in.readAllBytes(), Files.readAllBytes(first.resolve(f)), f);
            }
        }
    }
}
