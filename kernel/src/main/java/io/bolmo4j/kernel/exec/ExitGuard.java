package io.bolmo4j.kernel.exec;

import java.security.Permission;

/**
 * Refuses {@code System.exit} from cell code, so a stray exit cannot kill the kernel and lose the session. Installed
 * as a permissive {@link SecurityManager} (everything else allowed); where the JVM forbids installing one (JDK 18+
 * without {@code -Djava.security.manager=allow}) the guard is simply absent.
 */
@SuppressWarnings({"removal", "deprecation"})
public final class ExitGuard extends SecurityManager {
    private ExitGuard() {}

    /** Installs the guard; returns false where the JVM does not allow it. */
    public static boolean install() {
        if (System.getSecurityManager() instanceof ExitGuard) {
            return true;
        }
        try {
            System.setSecurityManager(new ExitGuard()); // JDK 17 logs a deprecation warning to the server log
            return true;
        } catch (UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    @Override
    public void checkExit(int status) {
        ThreadGroup g = Thread.currentThread().getThreadGroup();
        for (; g != null; g = g.getParent()) {
            if (g == CellExecutionControl.CELL_THREADS) {
                throw new SecurityException("System.exit(" + status + ") is disabled in the kernel: use Kernel > Restart instead");
            }
        }
    }

    @Override
    public void checkPermission(Permission perm) {
    }

    @Override
    public void checkPermission(Permission perm, Object context) {
    }
}
