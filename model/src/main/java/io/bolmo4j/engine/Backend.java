package io.bolmo4j.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.Enumeration;
import java.util.Locale;
import java.util.Properties;

/**
 * Where tensors live and how many threads compute them.
 *
 * <p>Settings are read once, before the PyTorch engine starts, from (first match wins) {@link #configure},
 * the system properties {@code bolmo4j.device} / {@code bolmo4j.threads}, or the environment variables
 * {@code BOLMO4J_DEVICE} / {@code BOLMO4J_THREADS}. Device is {@code auto} (a GPU when the CUDA natives and a
 * GPU are present, else the CPU), {@code cpu}, {@code gpu} or {@code gpu:N}. Nothing is ever downloaded:
 * {@code ai.djl.offline} is forced on.
 */
public final class Backend {
    private static String deviceSetting;
    private static Integer threadSetting;
    private static Device device;
    private static NDManager root;

    private Backend() {}

    /**
     * Chooses device and thread count programmatically. The device must be chosen before the first tensor is
     * created; the thread count may change later (one thread makes runs bit-reproducible, see README).
     *
     * @param deviceName {@code auto}, {@code cpu}, {@code gpu} or {@code gpu:N}; null keeps the property/env setting
     * @param threads intra-op threads; null keeps the property/env setting (default: all cores)
     */
    public static synchronized void configure(String deviceName, Integer threads) {
        if (root != null) {
            if (deviceName != null) {
                throw new IllegalStateException("Backend already started on " + device + "; choose the device before creating tensors");
            }
            if (threads != null) {
                JniUtils.setNumThreads(checkedThreads(threads));
            }
            return;
        }
        deviceSetting = deviceName;
        threadSetting = threads;
    }

    /** The device every bolmo4j tensor is created on. */
    public static synchronized Device device() {
        start();
        return device;
    }

    /** The process-wide manager; models and caches create child managers from it. */
    public static synchronized NDManager root() {
        start();
        return root;
    }

    /**
     * Stops autograd recording on the calling thread. PyTorch's grad mode is per thread and on by default in threads
     * the engine did not start from (a notebook cell runs on its own thread): there, in-place parameter updates
     * fail and inference would record graphs. Training turns recording on inside its gradient collector only.
     */
    public static void noGrad() {
        start();
        if (JniUtils.isGradMode()) {
            JniUtils.setGradMode(false);
        }
    }

    /** A new long-lived child manager on {@link #device()}; the caller closes it. */
    public static NDManager newManager() {
        return root().newSubManager();
    }

    private static synchronized void start() {
        if (root != null) {
            return;
        }
        System.setProperty("ai.djl.offline", "true");
        Integer threads = threadSetting != null ? threadSetting : intSetting("bolmo4j.threads", "BOLMO4J_THREADS");
        if (threads != null) {
            System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(checkedThreads(threads)));
        }
        System.setProperty("ai.djl.pytorch.num_interop_threads",
                System.getProperty("ai.djl.pytorch.num_interop_threads", "1"));
        Engine engine = Engine.getEngine("PyTorch");
        device = resolve(stringSetting(deviceSetting, "bolmo4j.device", "BOLMO4J_DEVICE", "auto"), engine);
        root = engine.newBaseManager(device);
    }

    /** Intra-op threads the engine computes with now. */
    public static int threads() {
        start();
        return JniUtils.getNumThreads();
    }

    /**
     * The thread count of the settings, without starting the engine: the engine's own once it runs, else the one
     * configured, else all cores.
     */
    public static synchronized int threadSetting() {
        if (root != null) {
            return JniUtils.getNumThreads();
        }
        Integer t = threadSetting != null ? threadSetting : intSetting("bolmo4j.threads", "BOLMO4J_THREADS");
        return t != null ? checkedThreads(t) : Runtime.getRuntime().availableProcessors();
    }

    /**
     * Whether tensors live on a GPU. Without starting the engine when the answer is known: a {@code cpu} device
     * setting, or a build without CUDA natives (no {@code native/lib/pytorch.properties} of a {@code cu*} flavor on
     * the class path), never has one.
     */
    public static synchronized boolean onGpu() {
        if (root == null) {
            String setting = stringSetting(deviceSetting, "bolmo4j.device", "BOLMO4J_DEVICE", "auto").trim().toLowerCase(Locale.ROOT);
            if (setting.equals("cpu") || (setting.equals("auto") && !cudaNatives())) {
                return false;
            }
        }
        return device().getDeviceType().equals(Device.Type.GPU);
    }

    private static boolean cudaNatives() {
        try {
            Enumeration<URL> found = Backend.class.getClassLoader().getResources("native/lib/pytorch.properties");
            while (found.hasMoreElements()) {
                Properties p = new Properties();
                try (InputStream in = found.nextElement().openStream()) {
                    p.load(in);
                }
                if (p.getProperty("flavor", "").startsWith("cu")) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return true; // unknown: let the engine look
        }
    }

    private static int checkedThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("thread count must be >= 1, got " + threads);
        }
        return threads;
    }

    static Device resolve(String name, Engine engine) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        int gpus = engine.getGpuCount();
        switch (n) {
            case "auto":
                return gpus > 0 ? Device.gpu() : Device.cpu();
            case "cpu":
                return Device.cpu();
            default:
                if (n.matches("(gpu|cuda)(:\\d{1,4})?")) {
                    int id = n.contains(":") ? Integer.parseInt(n.substring(n.indexOf(':') + 1)) : 0;
                    if (id >= gpus) {
                        throw new IllegalStateException("device " + name + " requested but " + gpus
                                + " GPU(s) are visible; build with -Pgpu for the CUDA natives, or use --device cpu");
                    }
                    return Device.gpu(id);
                }
                throw new IllegalArgumentException("unknown device '" + name + "': use auto, cpu, gpu or gpu:N");
        }
    }

    private static String stringSetting(String explicit, String property, String env, String fallback) {
        if (explicit != null) {
            return explicit;
        }
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            v = System.getenv(env);
        }
        return v == null || v.isBlank() ? fallback : v;
    }

    private static Integer intSetting(String property, String env) {
        String v = stringSetting(null, property, env, null);
        if (v == null) {
            return null;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(property + "/" + env + " must be an integer, got '" + v + "'", e);
        }
    }
}
