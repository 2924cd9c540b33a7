package io.bolmo4j.kernel.magic;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Line magics ({@code %name args} on a line of their own) and cell magics ({@code %%name args} as the first line,
 * applying to the rest of the cell), IPython-style.
 */
public final class Magics {
    /** Runs cell code (with magics) for magics that evaluate code, e.g. {@code %time}. */
    @FunctionalInterface
    public interface Evaluator {
        Object eval(String code);
    }

    /** A line magic: returns a value to display, or {@link io.bolmo4j.kernel.exec.JShellEvaluator#NO_VALUE}. */
    @FunctionalInterface
    public interface LineMagic {
        Object run(String args, Evaluator eval);
    }

    /** A cell magic. */
    @FunctionalInterface
    public interface CellMagic {
        Object run(String args, String body, Evaluator eval);
    }

    private final Map<String, LineMagic> line = new TreeMap<>();
    private final Map<String, CellMagic> cell = new TreeMap<>();

    /** Registers a line magic. */
    public Magics line(String name, LineMagic magic) {
        line.put(name, magic);
        return this;
    }

    /** Registers a cell magic. */
    public Magics cell(String name, CellMagic magic) {
        cell.put(name, magic);
        return this;
    }

    /** Names of the line magics. */
    public List<String> lineNames() {
        return List.copyOf(line.keySet());
    }

    /** Names of the cell magics. */
    public List<String> cellNames() {
        return List.copyOf(cell.keySet());
    }

    LineMagic lineMagic(String name) {
        LineMagic m = line.get(name);
        if (m == null) {
            throw new MagicException("unknown line magic %" + name + " (see %lsmagic)");
        }
        return m;
    }

    /**
     * Runs a cell: a leading {@code %%magic} takes the whole cell; otherwise code between magic lines is evaluated
     * in order with {@code code}, and the value of the last part is returned.
     */
    public Object run(String source, Evaluator code, Object noValue) {
        String trimmed = source.stripLeading();
        if (trimmed.startsWith("%%")) {
            int nl = trimmed.indexOf('\n');
            String head = (nl < 0 ? trimmed : trimmed.substring(0, nl)).substring(2).strip();
            String body = nl < 0 ? "" : trimmed.substring(nl + 1);
            String name = head.split("\\s+", 2)[0];
            CellMagic m = cell.get(name);
            if (m == null) {
                throw new MagicException("unknown cell magic %%" + name + " (see %lsmagic)");
            }
            return m.run(head.substring(name.length()).strip(), body, c -> run(c, code, noValue));
        }
        Object result = noValue;
        String[] lines = source.split("\n", -1);
        int chunkStart = 0;
        for (int i = 0; i <= lines.length; i++) {
            String s = i < lines.length ? lines[i].strip() : "";
            boolean magic = i < lines.length && s.startsWith("%") && !s.startsWith("%%");
            if (magic || i == lines.length) {
                String chunk = String.join("\n", Arrays.asList(lines).subList(chunkStart, i));
                if (!chunk.isBlank()) {
                    // leading newlines keep the chunk's lines numbered as in the cell
                    result = code.eval("\n".repeat(chunkStart) + chunk);
                }
                chunkStart = i + 1;
            }
            if (magic) {
                String name = s.substring(1).split("\\s+", 2)[0];
                result = lineMagic(name).run(s.substring(1 + name.length()).strip(), c -> run(c, code, noValue));
            }
        }
        return result;
    }

    /** A magic used wrongly. */
    public static final class MagicException extends RuntimeException {
        public MagicException(String message) {
            super(message);
        }
    }
}
