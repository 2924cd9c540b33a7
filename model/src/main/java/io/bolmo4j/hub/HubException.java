package io.bolmo4j.hub;

/**
 * A download or cache lookup that cannot be done, in one line that names the repository, the revision and, where one
 * is concerned, the file: not found, refused (401/403), offline without a cached copy, a corrupted transfer.
 */
public final class HubException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, for callers that word their own hint (e.g. a missing folder that looked like a repo id). */
    public enum Kind {
        /** No such repository, revision or file (404). */
        NOT_FOUND,
        /** The Hub refused the request (401, 403: private, gated, or a bad token). */
        REFUSED,
        /** HF_HUB_OFFLINE is set and the cache lacks what was asked for. */
        OFFLINE_MISS,
        /** The Hub could not be reached or answered with an error. */
        UNREACHABLE,
        /** A downloaded file does not match the checksum or size the Hub announced. */
        CORRUPT
    }

    private final Kind kind;

    HubException(Kind kind, String message) {
        super(message.replaceAll("\\s*[\\r\\n]+\\s*", " "));
        this.kind = kind;
    }

    HubException(Kind kind, String message, Throwable cause) {
        this(kind, message);
        initCause(cause);
    }

    public Kind kind() {
        return kind;
    }
}
