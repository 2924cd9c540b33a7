package io.bolmo4j.io;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes safetensors files from Java memory: streamed in blocks, atomically (a temp file in the same folder, then a rename). */
public final class Safetensors {
    static final int BLOCK = 1 << 20;

    private Safetensors() {}

    /** Writes {@code tensors} in their iteration order with {@code metadata} as {@code __metadata__}. */
    public static void write(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata) {
        Map<String, TensorSpec> specs = new LinkedHashMap<>();
        tensors.forEach((name, t) -> specs.put(name, t.spec()));
        try (SafetensorsWriter w = new SafetensorsWriter(file, specs, metadata)) {
            ByteBuffer block = ByteBuffer.allocate(BLOCK);
            for (HostTensor t : tensors.values()) {
                t.stream(block, w::write);
            }
            w.finish();
        }
    }
}
