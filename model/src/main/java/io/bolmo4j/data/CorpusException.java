package io.bolmo4j.data;

/** Unchecked failure while reading a corpus: an unreadable file or, in strict mode, a malformed JSONL line. */
public class CorpusException extends RuntimeException {
    /**
     * @param message what went wrong and where (file and line when known)
     * @param cause   underlying error, or null
     */
    public CorpusException(String message, Throwable cause) {
        super(message, cause);
    }
}
