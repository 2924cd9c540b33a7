package io.bolmo4j.kernel.widget;

import com.google.gson.JsonObject;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Jupyter comms, the kernel side: comms the kernel opens (widgets) and comms a front end opens to a registered
 * target. Messages leave through the {@link Channel} the kernel sets for the request being handled (so they carry it
 * as their parent); incoming messages are dispatched by comm id.
 */
public final class Comms {
    /** Where comm messages go: the kernel's IOPub channel, with the current request as parent. */
    public interface Channel {
        /** Publishes a {@code comm_open}, {@code comm_msg} or {@code comm_close} message. */
        void send(String msgType, JsonObject content, JsonObject metadata);

        /** The id of the request being handled, for output capture by {@link Output}. */
        String parentId();
    }

    /** One open comm's receiving end. */
    public interface Handler {
        /** A {@code comm_msg} from the front end. */
        void message(JsonObject data);

        /** The front end closed the comm. */
        default void closed() {}
    }

    /** A target front ends open comms to; returns null to refuse (the comm is then closed). */
    @FunctionalInterface
    public interface Target {
        Handler opened(String commId, JsonObject data);
    }

    private record Open(String target, Handler handler) {}

    private static volatile Channel channel;
    private static final Map<String, Open> OPEN = new ConcurrentHashMap<>();
    private static final Map<String, Target> TARGETS = new ConcurrentHashMap<>();

    private Comms() {}

    /** Sets the channel of the request being handled (the last one stays for messages sent between requests). */
    public static void channel(Channel c) {
        channel = c;
    }

    /** Whether a front end can be reached (inside a kernel). */
    public static boolean connected() {
        return channel != null;
    }

    /** The id of the request being handled, or "" outside a kernel. */
    public static String parentId() {
        Channel c = channel;
        return c == null ? "" : c.parentId();
    }

    /** Registers a target for comms the front end opens. */
    public static void target(String name, Target target) {
        TARGETS.put(name, target);
    }

    /** Opens a comm to {@code target} in the front end. */
    public static void open(String id, String target, JsonObject data, JsonObject metadata, Handler handler) {
        OPEN.put(id, new Open(target, handler));
        JsonObject c = new JsonObject();
        c.addProperty("comm_id", id);
        c.addProperty("target_name", target);
        c.add("data", data);
        send("comm_open", c, metadata);
    }

    /** Sends data on an open comm. */
    public static void send(String id, JsonObject data) {
        JsonObject c = new JsonObject();
        c.addProperty("comm_id", id);
        c.add("data", data);
        send("comm_msg", c, new JsonObject());
    }

    /** Closes a comm from the kernel side. */
    public static void close(String id) {
        if (OPEN.remove(id) != null) {
            JsonObject c = new JsonObject();
            c.addProperty("comm_id", id);
            c.add("data", new JsonObject());
            send("comm_close", c, new JsonObject());
        }
    }

    private static void send(String type, JsonObject content, JsonObject metadata) {
        Channel c = channel;
        if (c != null) {
            c.send(type, content, metadata);
        }
    }

    /** A front end opened a comm; false when no target takes it (the kernel then closes it, as the protocol asks). */
    public static boolean openedByFrontend(String id, String target, JsonObject data) {
        Target t = target == null ? null : TARGETS.get(target);
        Handler h = t == null ? null : t.opened(id, data == null ? new JsonObject() : data);
        if (h == null) {
            return false;
        }
        OPEN.put(id, new Open(target, h));
        return true;
    }

    /** A {@code comm_msg} from the front end (messages to unknown comms are dropped, as ipykernel does). */
    public static void received(String id, JsonObject data) {
        Open o = OPEN.get(id);
        if (o != null) {
            o.handler().message(data == null ? new JsonObject() : data);
        }
    }

    /** The front end closed a comm. */
    public static void closedByFrontend(String id) {
        Open o = OPEN.remove(id);
        if (o != null) {
            o.handler().closed();
        }
    }

    /** Open comms (id -> target name), of one target when {@code target} is not null: {@code comm_info_reply}. */
    public static Map<String, String> info(String target) {
        Map<String, String> out = new TreeMap<>();
        OPEN.forEach((id, o) -> {
            if (target == null || target.equals(o.target())) {
                out.put(id, o.target());
            }
        });
        return out;
    }
}
