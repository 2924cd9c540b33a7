package io.bolmo4j.chat;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Python jinja2 (Debian's python3-jinja2 at /usr/bin/python3) set up as Hugging Face's apply_chat_template. */
final class Jinja2Oracle {
    static final String PYTHON = "/usr/bin/python3";
    private static final Path SCRIPT = Path.of("src/test/python/chat_template_reference.py");

    private Jinja2Oracle() {}

    /** One rendering: a template, the messages, the globals, and further variables (e.g. {@code enable_thinking}, {@code tools}). */
    record Case(String template, List<Map<String, Object>> messages, boolean addGenerationPrompt, String bos, String eos,
                Map<String, Object> variables) {
        Case(String template, List<Map<String, Object>> messages, boolean addGenerationPrompt, String bos, String eos) {
            this(template, messages, addGenerationPrompt, bos, eos, Map.of());
        }
    }

    /** What jinja2 produced: the text, or the error it raised. */
    record Result(String text, String error) {}

    static boolean available() {
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import jinja2").redirectErrorStream(true).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Renders every case in one Python process. */
    static List<Result> render(List<Case> cases) throws IOException, InterruptedException {
        JsonArray in = new JsonArray();
        Gson gson = new Gson();
        for (Case c : cases) {
            JsonObject o = new JsonObject();
            o.addProperty("template", c.template());
            o.add("messages", gson.toJsonTree(c.messages()));
            o.addProperty("add_generation_prompt", c.addGenerationPrompt());
            o.addProperty("bos_token", c.bos());
            o.addProperty("eos_token", c.eos());
            o.add("variables", gson.toJsonTree(c.variables()));
            in.add(o);
        }
        Process p = new ProcessBuilder(PYTHON, SCRIPT.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (OutputStream os = p.getOutputStream()) {
            os.write(in.toString().getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("jinja2 reference failed: " + out);
        }
        List<Result> results = new ArrayList<>();
        for (JsonElement e : JsonParser.parseString(out).getAsJsonArray()) {
            JsonObject r = e.getAsJsonObject();
            results.add(new Result(r.has("text") ? r.get("text").getAsString() : null,
                    r.has("error") ? r.get("error").getAsString() : null));
        }
        return results;
    }
}
