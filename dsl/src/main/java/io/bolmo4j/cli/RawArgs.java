package io.bolmo4j.cli;

import io.bolmo4j.data.TextFile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The command line's arguments as the bytes the user typed, decoded as strict UTF-8. The JVM decodes arguments in the
 * locale's charset and replaces what it cannot decode: under {@code LANG=C} every non-ASCII byte becomes a
 * replacement character, and invalid UTF-8 in a UTF-8 locale does too, so a text would be scored, tokenized or
 * continued as something else without a word. Where the system shows a process's raw arguments
 * ({@code /proc/self/cmdline}), each one is decoded again from its bytes: valid UTF-8 whatever the locale, and
 * invalid UTF-8 an error naming the option and the byte.
 */
final class RawArgs {
    private RawArgs() {}

    /**
     * {@code args} decoded strictly from this process's raw arguments; {@code args} itself where those cannot be read
     * or do not match.
     *
     * @throws IllegalArgumentException naming the option and byte offset of an argument that is not UTF-8
     */
    static String[] of(String[] args) {
        List<byte[]> raw = cmdline(Path.of("/proc/self/cmdline"));
        return raw == null ? args : decode(args, raw);
    }

    /** The decoding of {@code args} from {@code raw}, the whole command line (the arguments are its last entries). */
    static String[] decode(String[] args, List<byte[]> raw) {
        if (raw.size() < args.length) {
            return args;
        }
        List<byte[]> mine = raw.subList(raw.size() - args.length, raw.size());
        for (int i = 0; i < args.length; i++) {
            if (isAscii(mine.get(i)) && !args[i].equals(new String(mine.get(i), StandardCharsets.US_ASCII))) {
                return args; // not this JVM's arguments after all (an unusual launcher): keep what the JVM decoded
            }
        }
        String[] out = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            byte[] b = mine.get(i);
            int eq = args[i].startsWith("--") ? indexOf(b, (byte) '=') : -1;
            if (eq > 0) { // --text=VALUE: the value is what the user wrote, and offsets count from its start
                String option = new String(b, 0, eq, StandardCharsets.UTF_8);
                out[i] = option + "=" + TextFile.decode(Arrays.copyOfRange(b, eq + 1, b.length), option);
            } else {
                out[i] = TextFile.decode(b, i > 0 && args[i - 1].startsWith("-") && !args[i - 1].contains("=")
                        ? args[i - 1] : "argument " + (i + 1) + " of the command line");
            }
        }
        return out;
    }

    private static int indexOf(byte[] b, byte x) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == x) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isAscii(byte[] b) {
        for (byte x : b) {
            if (x < 0) {
                return false;
            }
        }
        return true;
    }

    /** The NUL-separated entries of a {@code cmdline} file; null when it cannot be read. */
    static List<byte[]> cmdline(Path file) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (IOException | SecurityException e) {
            return null;
        }
        List<byte[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < all.length; i++) {
            if (all[i] == 0) {
                out.add(Arrays.copyOfRange(all, start, i));
                start = i + 1;
            }
        }
        if (start < all.length) {
            out.add(Arrays.copyOfRange(all, start, all.length));
        }
        return out;
    }
}
