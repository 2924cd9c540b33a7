package io.bolmo4j.io;

/** A checkpoint file or directory that cannot be read or written; the message names the file and tensor. */
public final class CheckpointException extends RuntimeException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
