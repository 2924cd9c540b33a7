package io.bolmo4j.kernel;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import io.bolmo4j.kernel.display.Display;
import io.bolmo4j.kernel.display.Renderers;
import io.bolmo4j.kernel.exec.CellException;
import io.bolmo4j.kernel.exec.JShellEvaluator;
import io.bolmo4j.kernel.widget.Comms;
import io.bolmo4j.kernel.widget.WidgetSession;
import org.dflib.jjava.jupyter.channels.JupyterConnection;
import org.dflib.jjava.jupyter.channels.ShellReplyEnvironment;
import org.dflib.jjava.jupyter.messages.Message;
import org.dflib.jjava.jupyter.messages.MessageType;
import org.dflib.jjava.jupyter.messages.comm.CommOpenCommand;
import org.dflib.jjava.jupyter.messages.request.CompleteRequest;
import org.dflib.jjava.jupyter.messages.request.ExecuteRequest;
import org.dflib.jjava.jupyter.messages.request.HistoryRequest;
import org.dflib.jjava.jupyter.messages.request.InspectRequest;
import org.dflib.jjava.jupyter.messages.request.IsCompleteRequest;
import org.dflib.jjava.jupyter.messages.request.ShutdownRequest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * The Jupyter wire protocol (5.3) over jjava-jupyter's channels, with replies written as plain JSON so they are
 * complete where the library's message classes are not (status fields, history tuples, formatted tracebacks).
 * Cells run on the shell channel's thread; interrupt and shutdown arrive on the control channel's own thread.
 */
public final class JavaKernel {
    static final String PROTOCOL_VERSION = "5.3";
    static final String VERSION = "0.1.0";
    private final CompletableFuture<KernelSession> session;
    private final AtomicInteger executionCount = new AtomicInteger(1);
    private volatile Runnable onShutdown = () -> {};

    /** A kernel whose session is being created (JShell start-up takes a while; kernel_info is answered meanwhile). */
    public JavaKernel(CompletableFuture<KernelSession> session) {
        this.session = session;
    }

    /** Registers the handlers; {@code onShutdown} runs after a shutdown_request is answered. */
    public void attach(JupyterConnection conn, Runnable onShutdown) {
        this.onShutdown = onShutdown;
        conn.setHandler(MessageType.KERNEL_INFO_REQUEST, (env, msg) -> reply(env, MessageType.KERNEL_INFO_REPLY, kernelInfo()));
        conn.setHandler(MessageType.EXECUTE_REQUEST, this::execute);
        conn.setHandler(MessageType.COMPLETE_REQUEST, this::complete);
        conn.setHandler(MessageType.INSPECT_REQUEST, this::inspect);
        conn.setHandler(MessageType.IS_COMPLETE_REQUEST, this::isComplete);
        conn.setHandler(MessageType.HISTORY_REQUEST, this::history);
        conn.setHandler(MessageType.INTERRUPT_REQUEST, (env, msg) -> {
            session.thenAccept(KernelSession::interrupt);
            reply(env, MessageType.INTERRUPT_REPLY, ok());
        });
        conn.setHandler(MessageType.SHUTDOWN_REQUEST, this::shutdown);
        conn.setHandler(MessageType.COMM_INFO_REQUEST, (env, msg) -> {
            JsonObject comms = new JsonObject();
            Comms.info(msg.getContent().getTargetName()).forEach((id, target) -> {
                JsonObject t = new JsonObject();
                t.addProperty("target_name", target);
                comms.add(id, t);
            });
            JsonObject c = ok();
            c.add("comms", comms);
            reply(env, MessageType.COMM_INFO_REPLY, c);
        });
        WidgetSession.install();
        // a comm to a target nobody registered is answered by closing it, as the protocol asks
        conn.setHandler(MessageType.COMM_OPEN_COMMAND, (env, msg) -> {
            env.setBusyDeferIdle();
            Comms.channel(channel(env));
            CommOpenCommand open = msg.getContent();
            if (!Comms.openedByFrontend(open.getCommID(), open.getTargetName(), open.getData())) {
                JsonObject c = new JsonObject();
                c.addProperty("comm_id", open.getCommID());
                c.add("data", new JsonObject());
                env.publish(message(env, MessageType.COMM_CLOSE_COMMAND, c));
            }
        });
        // widget state and clicks: the idle status after each one lets the front end send the next (its throttle)
        conn.setHandler(MessageType.COMM_MSG_COMMAND, (env, msg) -> {
            env.setBusyDeferIdle();
            Comms.channel(channel(env));
            session().handle(frontend(env, false), () -> Comms.received(msg.getContent().getCommID(), msg.getContent().getData()));
        });
        conn.setHandler(MessageType.COMM_CLOSE_COMMAND, (env, msg) -> {
            env.setBusyDeferIdle();
            Comms.closedByFrontend(msg.getContent().getCommID());
        });
    }

    /** Comm messages published with the request {@code env} answers as their parent. */
    private static Comms.Channel channel(ShellReplyEnvironment env) {
        String parent = env.getContext().getHeader().getId();
        return new Comms.Channel() {
            @Override
            @SuppressWarnings({"unchecked", "rawtypes"})
            public void send(String msgType, JsonObject content, JsonObject metadata) {
                MessageType<?> type = switch (msgType) {
                    case "comm_open" -> MessageType.COMM_OPEN_COMMAND;
                    case "comm_msg" -> MessageType.COMM_MSG_COMMAND;
                    default -> MessageType.COMM_CLOSE_COMMAND;
                };
                Map<String, Object> meta = new LinkedHashMap<>();
                metadata.entrySet().forEach(e -> meta.put(e.getKey(), e.getValue().getAsString()));
                // blobs null, not empty: jjava-jupyter leaves a message with an empty blob list unterminated
                env.publish(new Message(env.getContext(), type, content, null, meta));
            }

            @Override
            public String parentId() {
                return parent;
            }
        };
    }

    private KernelSession session() {
        return session.join();
    }

    static JsonObject kernelInfo() {
        JsonObject c = ok();
        c.addProperty("protocol_version", PROTOCOL_VERSION);
        c.addProperty("implementation", "bolmo4j");
        c.addProperty("implementation_version", VERSION);
        JsonObject lang = new JsonObject();
        lang.addProperty("name", "java");
        lang.addProperty("version", Runtime.version().toString());
        lang.addProperty("mimetype", "text/x-java-source");
        lang.addProperty("file_extension", ".jshell");
        lang.addProperty("pygments_lexer", "java");
        lang.addProperty("codemirror_mode", "text/x-java");
        lang.addProperty("nbconvert_exporter", "script");
        c.add("language_info", lang);
        c.addProperty("banner", "bolmo4j " + VERSION + " :: Java " + Runtime.version() + " (JShell)");
        JsonArray links = new JsonArray();
        JsonObject api = new JsonObject();
        api.addProperty("text", "Java " + Runtime.version().feature() + " API");
        api.addProperty("url", "https://docs.oracle.com/en/java/javase/" + Runtime.version().feature() + "/docs/api/");
        links.add(api);
        c.add("help_links", links);
        c.addProperty("debugger", false);
        return c;
    }

    private void execute(ShellReplyEnvironment env, Message<ExecuteRequest> msg) {
        ExecuteRequest req = msg.getContent();
        env.setBusyDeferIdle();
        boolean silent = req.isSilent();
        boolean store = req.shouldStoreHistory() && !silent;
        int count = store ? executionCount.getAndIncrement() : executionCount.get();
        if (!silent) {
            JsonObject input = new JsonObject();
            input.addProperty("code", req.getCode());
            input.addProperty("execution_count", count);
            env.publish(message(env, MessageType.PUBLISH_EXECUTE_INPUT, input));
        }
        Comms.channel(channel(env));
        KernelSession.Frontend frontend = frontend(env, silent);
        JsonObject reply;
        try {
            Object cellId = msg.getNonNullMetadata().get("cellId"); // JupyterLab and Notebook 7 send it
            Map<String, Object> result = session().execute(req.getCode(), cellId == null ? null : String.valueOf(cellId), count, store, frontend);
            if (result != null && !silent) {
                JsonObject r = displayContent(result);
                if (r.getAsJsonObject("data").has("text/plain")) {
                    r.addProperty("execution_count", count);
                    env.publish(message(env, MessageType.PUBLISH_EXECUTION_RESULT, r));
                } else {
                    // a value with no text (an ipywidgets 6 widget) is displayed, as IPython does: no empty Out[n]
                    env.publish(message(env, MessageType.PUBLISH_DISPLAY_DATA, r));
                }
            }
            reply = ok();
            reply.addProperty("execution_count", count);
            reply.add("user_expressions", userExpressions(req.getUserExpr(), count));
            reply.add("payload", new JsonArray());
        } catch (RuntimeException | Error e) {
            // a failed cell, or a fault of the kernel itself (reported even to a silent request; the kernel stays alive)
            boolean cellFailed = e instanceof CellException;
            CellException error = cellFailed ? (CellException) e
                    : new CellException(e.getClass().getSimpleName(), String.valueOf(e.getMessage()), List.of(e.toString()), e);
            if (!silent || !cellFailed) {
                env.publish(message(env, MessageType.PUBLISH_ERROR, errorContent(error)));
            }
            reply = errorContent(error);
            reply.addProperty("status", "error");
            reply.addProperty("execution_count", count);
        }
        env.defer().reply(message(env, MessageType.EXECUTE_REPLY, reply));
    }

    /** Streams, displays and clears of a cell or a widget callback, published with {@code env}'s request as parent. */
    private static KernelSession.Frontend frontend(ShellReplyEnvironment env, boolean silent) {
        return new KernelSession.Frontend() {
            @Override
            public void stream(String name, String text) {
                if (!silent) {
                    JsonObject s = new JsonObject();
                    s.addProperty("name", name);
                    s.addProperty("text", text);
                    env.publish(message(env, MessageType.PUBLISH_STREAM, s));
                }
            }

            @Override
            public void display(Map<String, Object> bundle, String displayId, boolean update) {
                JsonObject d = displayContent(bundle);
                JsonObject tr = new JsonObject();
                tr.addProperty("display_id", displayId);
                d.add("transient", tr);
                env.publish(message(env, update ? MessageType.PUBLISH_UPDATE_DISPLAY_DATA : MessageType.PUBLISH_DISPLAY_DATA, d));
            }

            @Override
            public void clear(boolean wait) {
                JsonObject c = new JsonObject();
                c.addProperty("wait", wait);
                env.publish(message(env, MessageType.PUBLISH_CLEAR_OUTPUT, c));
            }
        };
    }

    private JsonObject userExpressions(Map<String, String> exprs, int count) {
        JsonObject out = new JsonObject();
        if (exprs == null) {
            return out;
        }
        exprs.forEach((name, code) -> {
            JsonObject r;
            try {
                Object v = session().shell().eval(code, count);
                r = displayContent(Renderers.render(v == JShellEvaluator.NO_VALUE ? null : v));
                r.addProperty("status", "ok");
            } catch (CellException e) {
                r = errorContent(e);
                r.addProperty("status", "error");
            }
            out.add(name, r);
        });
        return out;
    }

    private void complete(ShellReplyEnvironment env, Message<CompleteRequest> msg) {
        CompleteRequest req = msg.getContent();
        JsonObject c = ok();
        JShellEvaluator.Completion comp;
        try {
            comp = session().complete(req.getCode(), req.getCursorPos());
        } catch (RuntimeException e) {
            comp = new JShellEvaluator.Completion(List.of(), req.getCursorPos(), req.getCursorPos());
        }
        JsonArray matches = new JsonArray();
        comp.matches().forEach(matches::add);
        c.add("matches", matches);
        c.addProperty("cursor_start", comp.start());
        c.addProperty("cursor_end", comp.end());
        c.add("metadata", new JsonObject());
        reply(env, MessageType.COMPLETE_REPLY, c);
    }

    private void inspect(ShellReplyEnvironment env, Message<InspectRequest> msg) {
        InspectRequest req = msg.getContent();
        String doc;
        try {
            doc = session().shell().documentation(req.getCode(), req.getCursorPos(), req.getDetailLevel() > 0);
        } catch (RuntimeException e) {
            doc = null;
        }
        JsonObject c = ok();
        c.addProperty("found", doc != null);
        JsonObject data = new JsonObject();
        if (doc != null) {
            data.addProperty("text/plain", doc);
        }
        c.add("data", data);
        c.add("metadata", new JsonObject());
        reply(env, MessageType.INSPECT_REPLY, c);
    }

    private void isComplete(ShellReplyEnvironment env, Message<IsCompleteRequest> msg) {
        String r;
        try {
            r = session().shell().isComplete(msg.getContent().getCode());
        } catch (RuntimeException e) {
            r = "unknown";
        }
        JsonObject c = new JsonObject();
        if (r.isBlank()) {
            c.addProperty("status", "incomplete");
            c.addProperty("indent", r);
        } else {
            c.addProperty("status", r);
        }
        reply(env, MessageType.IS_COMPLETE_REPLY, c);
    }

    private void history(ShellReplyEnvironment env, Message<HistoryRequest> msg) {
        HistoryRequest req = msg.getContent();
        List<KernelSession.HistoryEntry> all = session().history();
        List<KernelSession.HistoryEntry> picked = new ArrayList<>();
        switch (req.getAccessType()) {
            case TAIL -> {
                int n = ((HistoryRequest.Tail) req).getMaxReturnLength();
                picked.addAll(all.subList(Math.max(0, all.size() - Math.max(0, n)), all.size()));
            }
            case RANGE -> {
                HistoryRequest.Range r = (HistoryRequest.Range) req;
                int stop = r.getStop() <= 0 ? Integer.MAX_VALUE : r.getStop();
                picked.addAll(all.stream().filter(e -> e.line() >= r.getStart() && e.line() < stop).toList());
            }
            case SEARCH -> {
                HistoryRequest.Search s = (HistoryRequest.Search) req;
                Pattern p = glob(s.getPattern());
                Set<String> seen = new LinkedHashSet<>();
                for (int i = all.size() - 1; i >= 0; i--) {
                    KernelSession.HistoryEntry e = all.get(i);
                    if (p.matcher(e.input()).matches() && (!s.filterUnique() || seen.add(e.input()))) {
                        picked.add(0, e);
                    }
                }
                int n = s.getMaxReturnLength();
                if (n > 0 && picked.size() > n) {
                    picked = new ArrayList<>(picked.subList(picked.size() - n, picked.size()));
                }
            }
        }
        JsonArray h = new JsonArray();
        for (KernelSession.HistoryEntry e : picked) {
            JsonArray t = new JsonArray();
            t.add(0);
            t.add(e.line());
            if (req.includeOutput()) {
                JsonArray io = new JsonArray();
                io.add(e.input());
                io.add(e.output());
                t.add(io);
            } else {
                t.add(e.input());
            }
            h.add(t);
        }
        JsonObject c = ok();
        c.add("history", h);
        reply(env, MessageType.HISTORY_REPLY, c);
    }

    /** IPython's history search pattern: {@code *} any text, {@code ?} one character, anchored. */
    static Pattern glob(String pattern) {
        StringBuilder re = new StringBuilder();
        for (char ch : (pattern == null || pattern.isEmpty() ? "*" : pattern).toCharArray()) {
            re.append(ch == '*' ? ".*" : ch == '?' ? "." : Pattern.quote(String.valueOf(ch)));
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    private void shutdown(ShellReplyEnvironment env, Message<ShutdownRequest> msg) {
        JsonObject c = ok();
        c.addProperty("restart", msg.getContent().isRestart());
        env.setBusyDeferIdle();
        env.defer().reply(message(env, MessageType.SHUTDOWN_REPLY, c));
        env.resolveDeferrals();
        env.markForShutdown();
        onShutdown.run();
    }

    static JsonObject ok() {
        JsonObject c = new JsonObject();
        c.addProperty("status", "ok");
        return c;
    }

    static JsonObject errorContent(CellException e) {
        JsonObject c = new JsonObject();
        c.addProperty("ename", e.ename());
        c.addProperty("evalue", e.evalue());
        JsonArray tb = new JsonArray();
        e.traceback().forEach(tb::add);
        c.add("traceback", tb);
        return c;
    }

    /** display_data / execute_result content: data (JSON documents inlined; no empty text beside other types), no metadata. */
    static JsonObject displayContent(Map<String, Object> bundle) {
        JsonObject data = new JsonObject();
        bundle.forEach((mime, v) -> {
            if (mime.equals("text/plain") && "".equals(v) && bundle.size() > 1) {
                return;
            }
            if (v instanceof Display.JsonText j) {
                data.add(mime, parseOrString(j.json()));
            } else if (v instanceof JsonElement e) {
                data.add(mime, e);
            } else {
                data.addProperty(mime, String.valueOf(v));
            }
        });
        JsonObject c = new JsonObject();
        c.add("data", data);
        c.add("metadata", new JsonObject());
        return c;
    }

    private static JsonElement parseOrString(String json) {
        try {
            return JsonParser.parseString(json);
        } catch (RuntimeException e) {
            return new JsonPrimitive(json);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static Message<?> message(ShellReplyEnvironment env, MessageType<?> type, JsonObject content) {
        return new Message(env.getContext(), type, content);
    }

    private static void reply(ShellReplyEnvironment env, MessageType<?> type, JsonObject content) {
        env.setBusyDeferIdle();
        env.defer().reply(message(env, type, content));
    }
}
