package io.bolmo4j.io;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 digests (of checkpoints, pre-tokenized data and built-in models), which every JDK provides. */
public final class Sha256 {
    private Sha256() {}

    /** A new SHA-256 digest. */
    public static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
