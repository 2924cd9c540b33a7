package io.bolmo4j.cpu;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.bolmo4j.engine.Backend;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Which engine runs inference (generation, scoring, chat): the Java engine of this package on the CPU, or DJL's
 * PyTorch, which always trains and runs on a GPU. The setting is read from (first match wins) {@link #configure}, the
 * system property {@code bolmo4j.engine}, or the environment variable {@code BOLMO4J_ENGINE}: {@code auto} (default:
 * Java on the CPU, DJL on a GPU), {@code java} or {@code djl}.
 * <p>
 * The Java engine computes with the Vector API, an incubator module of JDK 17: the JVM needs
 * {@code --add-modules jdk.incubator.vector} (the {@code bolmo4j} launcher, the kernel and the tests pass it). Without
 * it {@code auto} falls back to DJL, and {@code java} is an error that says so. {@code auto} also keeps DJL on a JVM
 * that only compiles with C1 ({@code -XX:TieredStopAtLevel} below 4, as the Jupyter kernel starts): only C2 turns
 * vector code into vector instructions.
 */
public enum InferenceEngine {
    JAVA, DJL;

    private static volatile String setting;

    /** Chooses the engine: {@code auto}, {@code java} or {@code djl}; null keeps the property/environment setting. */
    public static void configure(String name) {
        if (name != null) {
            parse(name);
        }
        setting = name;
    }

    /** The engine inference runs on now. */
    public static InferenceEngine current() {
        String s = setting;
        if (s == null) {
            s = System.getProperty("bolmo4j.engine");
        }
        if (s == null || s.isBlank()) {
            s = System.getenv("BOLMO4J_ENGINE");
        }
        InferenceEngine chosen = s == null || s.isBlank() ? null : parse(s);
        if (chosen == DJL) {
            return DJL;
        }
        if (chosen == JAVA) {
            if (!vectorApi()) {
                throw new IllegalStateException("the Java engine needs the JVM option --add-modules jdk.incubator.vector"
                        + " (the bolmo4j launcher passes it); or choose the DJL engine");
            }
            return JAVA;
        }
        return vectorApi() && optimizingCompiler() && !Backend.onGpu() ? JAVA : DJL;
    }

    /** Threads the Java engine computes with: the {@code --threads} setting, by default all cores. */
    public static int threads() {
        return Backend.threadSetting();
    }

    private static InferenceEngine parse(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> null;
            case "java" -> JAVA;
            case "djl" -> DJL;
            default -> throw new IllegalArgumentException("unknown engine '" + name + "': use auto, java or djl");
        };
    }

    /** Whether HotSpot's C2 compiles hot code (the default), which the Vector API needs to be fast. */
    private static boolean optimizingCompiler() {
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return vm == null || Integer.parseInt(vm.getVMOption("TieredStopAtLevel").getValue()) >= 4;
        } catch (IllegalArgumentException e) {
            return true; // not HotSpot, or no such option: assume an optimising JIT
        }
    }

    private static boolean vectorApi() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }
}
