package io.bolmo4j.kernel.exec;

/** Reported when a cell was stopped by an interrupt request. */
public final class CellInterruptedException extends RuntimeException {
    CellInterruptedException() {
        super("the cell was interrupted");
    }
}
