package io.bolmo4j.io;

import java.nio.file.Path;
import java.util.Map;

/** Writes safetensors files from Java memory: streamed in blocks, atomically (a temp file in the same folder, then a rename). */
public final class Safetensors {
    private Safetensors() {}

    /** Writes {@code tensors} in their iteration order with {@code metadata} as {@code __metadata__}. */
    public static void write(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata) {
        try (SafetensorsWriter w = new SafetensorsWriter(file, HostTensor.specs(tensors), metadata)) {
            HostTensor.stream(tensors.values(), w::write);
            w.finish();
        }
    }
}
