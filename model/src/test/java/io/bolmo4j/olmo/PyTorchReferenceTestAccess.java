package io.bolmo4j.olmo;

/** Lets tests in other packages ask whether Debian's PyTorch is available (and fail in CI when it is not). */
public final class PyTorchReferenceTestAccess {
    private PyTorchReferenceTestAccess() {}

    public static boolean torchAvailable() {
        return PyTorchReferenceTest.torchAvailable();
    }
}
