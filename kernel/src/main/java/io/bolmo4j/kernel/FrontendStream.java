package io.bolmo4j.kernel;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * stdout or stderr of a running cell, streamed to the front end while the cell runs: text is sent at most every
 * {@value #BATCH_MILLIS} ms (so a loop printing thousands of lines does not flood the channel) and at once by
 * {@link #sendNow()} (end of cell, before a display, so outputs keep their order).
 */
final class FrontendStream extends OutputStream {
    static final long BATCH_MILLIS = 50;
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bolmo4j-stream-flush");
        t.setDaemon(true);
        return t;
    });
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final Consumer<String> sink;
    private boolean scheduled;

    FrontendStream(Consumer<String> sink) {
        this.sink = sink;
    }

    @Override
    public synchronized void write(int b) {
        buffer.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        buffer.write(b, off, len);
    }

    @Override
    public synchronized void flush() {
        if (buffer.size() > 0 && !scheduled) {
            scheduled = true;
            TIMER.schedule(this::sendNow, BATCH_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** Sends what is buffered, keeping an incomplete UTF-8 sequence for the next send. */
    synchronized void sendNow() {
        scheduled = false;
        byte[] bytes = buffer.toByteArray();
        int end = completeUtf8Prefix(bytes);
        if (end == 0) {
            return;
        }
        buffer.reset();
        buffer.write(bytes, end, bytes.length - end);
        sink.accept(new String(bytes, 0, end, StandardCharsets.UTF_8));
    }

    /** Length of the longest prefix that does not end inside a multi-byte character. */
    static int completeUtf8Prefix(byte[] b) {
        int n = b.length;
        for (int i = n - 1; i >= Math.max(0, n - 4); i--) {
            int c = b[i] & 0xff;
            if (c < 0x80) {
                return n;
            }
            if (c >= 0xc0) {
                int len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
                return n - i >= len ? n : i;
            }
        }
        return n;
    }
}
