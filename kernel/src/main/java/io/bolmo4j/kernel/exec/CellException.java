package io.bolmo4j.kernel.exec;

import java.util.List;

/** A cell that failed to compile or threw: what Jupyter shows as {@code ename}, {@code evalue} and the traceback. */
public class CellException extends RuntimeException {
    private final String ename;
    private final List<String> traceback;

    public CellException(String ename, String evalue, List<String> traceback, Throwable cause) {
        super(evalue, cause);
        this.ename = ename;
        this.traceback = List.copyOf(traceback);
    }

    /** Short exception name, e.g. {@code ArithmeticException} or {@code CompilationException}. */
    public String ename() {
        return ename;
    }

    /** The message. */
    public String evalue() {
        return getMessage() == null ? "" : getMessage();
    }

    /** Traceback lines in cell terms (no newlines inside lines). */
    public List<String> traceback() {
        return traceback;
    }
}
