package io.bolmo4j.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * Streams one safetensors file: the header (from the tensors' types and shapes, in map order) at once, then the data
 * as it comes, in header order. It is written to a hidden temp file beside the target and renamed over it by
 * {@link #finish()}; closing an unfinished writer removes the temp file, so the target is never partial.
 */
public final class SafetensorsWriter implements AutoCloseable {
    private final Path file;
    private final Path tmp;
    private final FileChannel channel;
    private final long dataBytes;
    private long written;
    private boolean finished;

    public SafetensorsWriter(Path file, Map<String, TensorSpec> tensors, Map<String, String> metadata) {
        this.file = file;
        JsonObject header = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            metadata.forEach(meta::addProperty);
            header.add("__metadata__", meta);
        }
        long offset = 0;
        for (Map.Entry<String, TensorSpec> e : tensors.entrySet()) {
            JsonObject entry = new JsonObject();
            entry.addProperty("dtype", e.getValue().dtype().name());
            JsonArray shape = new JsonArray();
            for (long s : e.getValue().shape()) {
                shape.add(s);
            }
            entry.add("shape", shape);
            JsonArray off = new JsonArray();
            off.add(offset);
            offset += e.getValue().bytes();
            off.add(offset);
            entry.add("data_offsets", off);
            header.add(e.getKey(), entry);
        }
        this.dataBytes = offset;
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8; // keep the data 8-byte aligned, padding with spaces as the reference does
        Path t = null;
        FileChannel ch = null;
        try {
            t = AtomicFiles.tempFor(file);
            ch = FileChannel.open(t, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
            head.putLong(padded).put(json);
            while (head.hasRemaining()) {
                head.put((byte) ' ');
            }
            writeAll(ch, head.flip());
        } catch (IOException e) {
            closeQuietly(ch);
            AtomicFiles.deleteQuietly(t);
            throw new CheckpointException(file + ": cannot write: " + e.getMessage(), e);
        }
        this.tmp = t;
        this.channel = ch;
    }

    /** Data bytes still expected. */
    public long remaining() {
        return dataBytes - written;
    }

    /** Appends the next bytes of tensor data (all of {@code data}'s remaining bytes). */
    public void write(ByteBuffer data) {
        if (data.remaining() > remaining()) {
            throw new CheckpointException(file + ": " + data.remaining() + " bytes given but only " + remaining()
                    + " remain for the tensors in its header");
        }
        written += data.remaining();
        try {
            writeAll(channel, data);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot write: " + e.getMessage(), e);
        }
    }

    /** Checks that every tensor's bytes were written, syncs, and renames the file into place. */
    public void finish() {
        if (remaining() != 0) {
            throw new CheckpointException(file + ": " + remaining() + " bytes of tensor data were never written");
        }
        try {
            channel.force(true);
            channel.close();
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            finished = true;
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot write: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (!finished) {
            closeQuietly(channel);
            AtomicFiles.deleteQuietly(tmp);
        }
    }

    private static void writeAll(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            if (ch != null) {
                ch.close();
            }
        } catch (IOException ignored) {
            // the temp file is removed next; nothing of it is kept
        }
    }
}
