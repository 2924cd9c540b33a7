package io.bolmo4j.tokenizer;

/** Unchecked error for an unsupported or malformed tokenizer file, or an invalid token id. */
public final class TokenizerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong, naming the offending field or value */
    public TokenizerException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong
     * @param cause   the underlying parse or I/O error
     */
    public TokenizerException(String message, Throwable cause) {
        super(message, cause);
    }
}
