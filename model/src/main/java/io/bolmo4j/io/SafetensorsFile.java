package io.bolmo4j.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A memory-mapped safetensors file: 8-byte little-endian header length, a JSON header, then the raw data. The header
 * is validated completely when the file is opened, so a bad file fails at once with its name and the tensor at fault.
 * Files over 2 GiB are mapped in several windows; a tensor may straddle two of them.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** Headers above this size are rejected as corrupt (real ones are a few MB at most). */
    static final long MAX_HEADER = 100L << 20;
    private static final long WINDOW = 1L << 30;

    private final Path path;
    private final FileChannel channel;
    private final long size;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;
    private final MappedByteBuffer[] windows;

    private SafetensorsFile(Path path) throws IOException {
        this.path = path;
        if (Files.exists(path) && !Files.isRegularFile(path)) { // a named pipe would block the open forever
            throw fail("not a regular file (" + (Files.isDirectory(path) ? "a folder" : "a named pipe, socket or device")
                    + "); weights are read from a safetensors file");
        }
        this.channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            this.size = channel.size();
            if (size < 8) {
                throw fail("file is " + size + " bytes, shorter than the 8-byte header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen < 2 || headerLen > MAX_HEADER || 8 + headerLen > size) {
                throw fail("header length " + Long.toUnsignedString(headerLen) + " does not fit the file size " + size);
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            readFully(header, 8);
            Map<String, String> meta = new LinkedHashMap<>();
            this.tensors = Collections.unmodifiableMap(parseHeader(
                    new String(header.array(), StandardCharsets.UTF_8), 8 + headerLen, meta));
            this.metadata = Collections.unmodifiableMap(meta);
            windows = new MappedByteBuffer[(int) ((size + WINDOW - 1) / WINDOW)];
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Opens and validates a file. */
    public static SafetensorsFile open(Path path) {
        try {
            return new SafetensorsFile(path);
        } catch (IOException e) {
            throw new CheckpointException(path + ": cannot read: " + e.getMessage(), e);
        }
    }

    public Path path() {
        return path;
    }

    /** Tensor names in header order. */
    public List<String> names() {
        return new ArrayList<>(tensors.keySet());
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public TensorInfo info(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new CheckpointException(path + ": no tensor '" + name + "'");
        }
        return t;
    }

    /** The header's {@code __metadata__} (empty when absent). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Values of a float tensor (F32, F16 or BF16) as fp32. */
    public float[] readFloats(String name) {
        TensorInfo t = info(name);
        if (!t.dtype().isFloat()) {
            throw new CheckpointException(path + ": tensor '" + name + "' is " + t.dtype() + ", not a float type");
        }
        int n = elementCount(t);
        float[] out = new float[n];
        t.dtype().decode(bytes(t), out, n);
        return out;
    }

    /**
     * Reads {@code dst.remaining()} bytes of tensor {@code name}'s data from byte {@code offset} on into {@code dst}
     * with positional reads, not through the mapping: streamed passes over large files then leave nothing of them in
     * this process's resident memory (only in the page cache).
     */
    public void read(String name, long offset, ByteBuffer dst) {
        TensorInfo t = info(name);
        if (offset < 0 || offset + dst.remaining() > t.end() - t.begin()) {
            throw new CheckpointException(path + ": tensor '" + name + "': bytes [" + offset + ", "
                    + (offset + dst.remaining()) + ") lie outside its " + (t.end() - t.begin()) + " bytes");
        }
        try {
            readFully(dst, t.begin() + offset);
        } catch (IOException e) {
            throw new CheckpointException(path + ": cannot read tensor '" + name + "': " + e.getMessage(), e);
        }
    }

    /**
     * A read-only mapping of exactly tensor {@code name}'s bytes (little-endian), for engines that compute on the
     * weights where they lie: the pages become resident as they are read and stay shared with the page cache. The
     * mapping outlives this file's channel.
     */
    public ByteBuffer map(String name) {
        TensorInfo t = info(name);
        long len = t.end() - t.begin();
        if (len > Integer.MAX_VALUE) {
            throw new CheckpointException(path + ": tensor '" + name + "' has " + len + " bytes, more than one mapping holds (2 GiB)");
        }
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, t.begin(), len).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new CheckpointException(path + ": cannot map tensor '" + name + "': " + e.getMessage(), e);
        }
    }

    /** Values of an I64 (or I32, widened) tensor. */
    public long[] readLongs(String name) {
        TensorInfo t = info(name);
        if (t.dtype() == DType.I32) {
            return Arrays.stream(readInts(name)).asLongStream().toArray();
        }
        if (t.dtype() != DType.I64) {
            throw new CheckpointException(path + ": tensor '" + name + "' is " + t.dtype() + ", not an integer type");
        }
        long[] out = new long[elementCount(t)];
        bytes(t).asLongBuffer().get(out);
        return out;
    }

    /** Values of an I32 tensor. */
    public int[] readInts(String name) {
        TensorInfo t = info(name);
        if (t.dtype() != DType.I32) {
            throw new CheckpointException(path + ": tensor '" + name + "' is " + t.dtype() + ", not I32");
        }
        int[] out = new int[elementCount(t)];
        bytes(t).asIntBuffer().get(out);
        return out;
    }

    private int elementCount(TensorInfo t) {
        long n = t.elements();
        if (n > Integer.MAX_VALUE - 8) {
            throw new CheckpointException(path + ": tensor '" + t.name() + "' has " + n + " elements, more than a Java array holds");
        }
        return (int) n;
    }

    /** The tensor's bytes, little-endian; a view of the mapping when it lies in one window, else a copy. */
    private ByteBuffer bytes(TensorInfo t) {
        long len = t.end() - t.begin();
        int w = (int) (t.begin() / WINDOW);
        if ((t.end() - 1) / WINDOW == w || len == 0) {
            MappedByteBuffer win = window(w);
            int from = (int) (t.begin() - (long) w * WINDOW);
            return win.duplicate().position(from).limit(from + (int) len).slice().order(ByteOrder.LITTLE_ENDIAN);
        }
        ByteBuffer copy = ByteBuffer.allocate((int) len).order(ByteOrder.LITTLE_ENDIAN);
        try {
            readFully(copy, t.begin());
        } catch (IOException e) {
            throw new CheckpointException(path + ": cannot read tensor '" + t.name() + "': " + e.getMessage(), e);
        }
        return copy.flip();
    }

    private synchronized MappedByteBuffer window(int w) {
        if (windows[w] == null) {
            long start = (long) w * WINDOW;
            try {
                windows[w] = channel.map(FileChannel.MapMode.READ_ONLY, start, Math.min(WINDOW, size - start));
            } catch (IOException e) {
                throw new CheckpointException(path + ": cannot map bytes from " + start + ": " + e.getMessage(), e);
            }
        }
        return windows[w];
    }

    private void readFully(ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int r = channel.read(buf, pos);
            if (r < 0) {
                throw new IOException("unexpected end of file at byte " + pos);
            }
            pos += r;
        }
    }

    private Map<String, TensorInfo> parseHeader(String json, long dataStart, Map<String, String> meta) {
        JsonElement root;
        try {
            root = JsonParser.parseString(json);
        } catch (JsonParseException e) {
            throw fail("header is not valid JSON: " + e.getMessage());
        }
        if (!root.isJsonObject()) {
            throw fail("header is not a JSON object");
        }
        long dataSize = size - dataStart;
        Map<String, TensorInfo> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : root.getAsJsonObject().entrySet()) {
            String name = e.getKey();
            if (name.equals("__metadata__")) {
                if (!e.getValue().isJsonObject()) {
                    throw fail("__metadata__ must be an object of strings");
                }
                for (Map.Entry<String, JsonElement> m : e.getValue().getAsJsonObject().entrySet()) {
                    meta.put(m.getKey(), m.getValue().isJsonPrimitive() ? m.getValue().getAsString() : m.getValue().toString());
                }
                continue;
            }
            out.put(name, parseEntry(name, e.getValue(), dataStart, dataSize));
        }
        checkOverlaps(out.values());
        return out;
    }

    private TensorInfo parseEntry(String name, JsonElement v, long dataStart, long dataSize) {
        if (!v.isJsonObject()) {
            throw fail(name, "header entry is not an object");
        }
        JsonObject o = v.getAsJsonObject();
        for (String key : new String[] {"dtype", "shape", "data_offsets"}) {
            if (!o.has(key)) {
                throw fail(name, "header entry lacks '" + key + "'");
            }
        }
        DType dtype = o.get("dtype").isJsonPrimitive() ? DType.parse(o.get("dtype").getAsString()) : null;
        if (dtype == null) {
            throw fail(name, "unknown dtype " + o.get("dtype"));
        }
        long[] shape = longs(name, o.get("shape"), "shape", -1);
        long[] off = longs(name, o.get("data_offsets"), "data_offsets", 2);
        long elements = 1;
        for (long s : shape) {
            if (s < 0) {
                throw fail(name, "negative dimension in shape");
            }
            try {
                elements = Math.multiplyExact(elements, s);
                Math.multiplyExact(elements, dtype.size());
            } catch (ArithmeticException e) {
                throw fail(name, "shape " + Arrays.toString(shape) + " has more bytes than a 64-bit size holds");
            }
        }
        if (off[0] < 0 || off[0] > off[1]) {
            throw fail(name, "data_offsets [" + off[0] + ", " + off[1] + "] are not an ordered range");
        }
        if (off[1] > dataSize) {
            throw fail(name, "data_offsets end " + off[1] + " lies past the end of the data (" + dataSize
                    + " bytes): the file is truncated or the header is wrong");
        }
        if (off[1] - off[0] != elements * dtype.size()) {
            throw fail(name, "holds " + (off[1] - off[0]) + " bytes but " + dtype + " shape "
                    + Arrays.toString(shape) + " needs " + elements * dtype.size());
        }
        return new TensorInfo(name, dtype, shape, dataStart + off[0], dataStart + off[1]);
    }

    private long[] longs(String name, JsonElement e, String key, int expectedLength) {
        if (!e.isJsonArray() || (expectedLength >= 0 && e.getAsJsonArray().size() != expectedLength)) {
            throw fail(name, "'" + key + "' must be a list" + (expectedLength >= 0 ? " of " + expectedLength + " integers" : " of integers"));
        }
        long[] out = new long[e.getAsJsonArray().size()];
        for (int i = 0; i < out.length; i++) {
            JsonElement x = e.getAsJsonArray().get(i);
            if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber() || x.getAsDouble() != Math.rint(x.getAsDouble())) {
                throw fail(name, "'" + key + "' must hold integers, got " + x);
            }
            out[i] = x.getAsLong();
        }
        return out;
    }

    private void checkOverlaps(Collection<TensorInfo> all) {
        List<TensorInfo> sorted = new ArrayList<>(all);
        sorted.sort((a, b) -> Long.compare(a.begin(), b.begin()));
        for (int i = 1; i < sorted.size(); i++) {
            TensorInfo prev = sorted.get(i - 1), cur = sorted.get(i);
            if (cur.begin() < prev.end() && cur.end() > cur.begin()) {
                throw fail(cur.name(), "data overlaps tensor '" + prev.name() + "'");
            }
        }
    }

    private CheckpointException fail(String message) {
        return new CheckpointException(path + ": " + message);
    }

    private CheckpointException fail(String tensor, String message) {
        return new CheckpointException(path + ": tensor '" + tensor + "': " + message);
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a read-only channel cannot lose data
        }
    }
}
