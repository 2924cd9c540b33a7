package io.bolmo4j.chat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A model's own chat template, as Hugging Face's {@code apply_chat_template} renders it: a Jinja template with the
 * globals {@code messages}, {@code add_generation_prompt}, {@code bos_token}, {@code eos_token} and
 * {@code raise_exception}, rendered to text identical to Python jinja2's.
 */
public final class ChatTemplate {
    /** The file transformers saves a template to; it takes precedence over tokenizer_config.json's. */
    public static final String JINJA_FILE = "chat_template.jinja";
    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";

    private final String source;
    private final String origin;
    private final String bosToken;
    private final String eosToken;

    private ChatTemplate(String source, String origin, String bosToken, String eosToken) {
        this.source = source;
        this.origin = origin;
        this.bosToken = bosToken;
        this.eosToken = eosToken;
    }

    /**
     * A template from its source.
     *
     * @param origin   where it came from, named in errors (e.g. the file)
     * @param bosToken the {@code bos_token} string, or null when the tokenizer has none
     * @param eosToken the {@code eos_token} string, or null
     */
    public static ChatTemplate of(String source, String origin, String bosToken, String eosToken) {
        return new ChatTemplate(source, origin, bosToken, eosToken);
    }

    /**
     * The template of a model directory: {@code chat_template.jinja}, else {@code chat_template} in
     * {@code tokenizer_config.json} (a string, or a list of {@code {name, template}} of which "default" is used), with
     * the {@code bos_token} / {@code eos_token} of {@code tokenizer_config.json}. Empty when the model has none.
     *
     * @throws IllegalArgumentException naming the file when one is malformed
     */
    public static Optional<ChatTemplate> find(Path dir) {
        Path configFile = dir.resolve(TOKENIZER_CONFIG);
        JsonObject config = Files.exists(configFile) ? readObject(configFile) : new JsonObject();
        String bos = tokenContent(config, "bos_token", configFile);
        String eos = tokenContent(config, "eos_token", configFile);
        Path jinja = dir.resolve(JINJA_FILE);
        if (Files.exists(jinja)) {
            return Optional.of(of(read(jinja), jinja.toString(), bos, eos));
        }
        JsonElement t = config.get("chat_template");
        if (t == null || t.isJsonNull()) {
            return Optional.empty();
        }
        String origin = configFile + " (chat_template)";
        if (t.isJsonPrimitive() && t.getAsJsonPrimitive().isString()) {
            return Optional.of(of(t.getAsString(), origin, bos, eos));
        }
        if (t.isJsonArray()) {
            List<String> names = new ArrayList<>();
            for (JsonElement e : t.getAsJsonArray()) {
                JsonObject named = e.isJsonObject() ? e.getAsJsonObject() : null;
                if (named == null || !isString(named.get("name")) || !isString(named.get("template"))) {
                    throw new IllegalArgumentException(configFile + ": chat_template entries must be {\"name\": ..., \"template\": ...}, got " + e);
                }
                String name = named.get("name").getAsString();
                if (name.equals("default")) {
                    return Optional.of(of(named.get("template").getAsString(), origin + "[default]", bos, eos));
                }
                names.add(name);
            }
            throw new IllegalArgumentException(configFile + ": chat_template has no template named 'default' (has " + names + ")");
        }
        throw new IllegalArgumentException(configFile + ": chat_template must be a string or a list of {name, template}, got " + t);
    }

    /** Renders a conversation. */
    public String render(List<Message> messages, boolean addGenerationPrompt) {
        return renderDicts(messages.stream().map(Message::asMap).toList(), addGenerationPrompt);
    }

    /**
     * Renders messages given as dicts, which may carry more than role and content (e.g. {@code tool_calls}).
     *
     * @throws IllegalArgumentException one line naming {@link #origin()}, when the template raises or does not parse
     */
    public String renderDicts(List<Map<String, Object>> messages, boolean addGenerationPrompt) {
        return renderDicts(messages, addGenerationPrompt, Map.of());
    }

    /**
     * As {@link #renderDicts(List, boolean)} with further template variables, as {@code apply_chat_template} passes its
     * keyword arguments: e.g. Qwen 3's {@code enable_thinking}, or {@code tools} (a list of JSON-schema dicts).
     */
    public String renderDicts(List<Map<String, Object>> messages, boolean addGenerationPrompt, Map<String, Object> variables) {
        Map<String, Object> vars = new HashMap<>(variables);
        vars.put("messages", messages);
        vars.put("add_generation_prompt", addGenerationPrompt);
        if (bosToken != null) {
            vars.put("bos_token", bosToken);
        }
        if (eosToken != null) {
            vars.put("eos_token", eosToken);
        }
        try {
            return JinjaEngine.render(source, vars);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(origin + ": " + e.getMessage(), e);
        }
    }

    /**
     * The special tokens that close an assistant turn, found by rendering a two-exchange probe conversation (with a
     * system turn if the template insists) and reading which of {@code specialTokens} directly follows each answer:
     * {@code <|im_end|>} for ChatML, the EOS for Tulu, {@code <|eot_id|>} for Llama 3. Empty when none does.
     */
    public List<String> endOfTurnTokens(Collection<String> specialTokens) {
        String answer = "bolmo4j probe answer";
        List<Message> exchange = List.of(Message.user("bolmo4j probe question"), Message.assistant(answer),
                Message.user("bolmo4j probe question"), Message.assistant(answer));
        List<Message> withSystem = new ArrayList<>(exchange);
        withSystem.add(0, Message.system("bolmo4j probe system"));
        Set<String> found = new LinkedHashSet<>();
        for (List<Message> probe : List.of(exchange, withSystem)) {
            String text;
            try {
                text = render(probe, false);
            } catch (IllegalArgumentException e) {
                continue; // this template wants another shape of conversation
            }
            for (int at = text.indexOf(answer); at >= 0; at = text.indexOf(answer, at + 1)) {
                int end = at + answer.length();
                specialTokens.stream().filter(t -> text.startsWith(t, end))
                        .max(Comparator.comparingInt(String::length)).ifPresent(found::add);
            }
            return new ArrayList<>(found);
        }
        return List.of();
    }

    /** The template's Jinja source. */
    public String source() {
        return source;
    }

    /** Where the template came from (a file, or a file and key). */
    public String origin() {
        return origin;
    }

    /** The {@code bos_token} the template sees, if any. */
    public Optional<String> bosToken() {
        return Optional.ofNullable(bosToken);
    }

    /** The {@code eos_token} the template sees, if any. */
    public Optional<String> eosToken() {
        return Optional.ofNullable(eosToken);
    }

    /** tokenizer_config.json's {@code key}: a string, or an AddedToken object's {@code content}; null if absent. */
    static String tokenContent(JsonObject config, String key, Path file) {
        JsonElement e = config.get(key);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (isString(e)) {
            return e.getAsString();
        }
        if (e.isJsonObject() && isString(e.getAsJsonObject().get("content"))) {
            return e.getAsJsonObject().get("content").getAsString();
        }
        throw new IllegalArgumentException(file + ": " + key + " must be a string or {\"content\": ...}, got " + e);
    }

    private static boolean isString(JsonElement e) {
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString();
    }

    static JsonObject readObject(Path file) {
        try {
            JsonElement e = JsonParser.parseString(read(file));
            if (!e.isJsonObject()) {
                throw new IllegalArgumentException(file + ": expected a JSON object");
            }
            return e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(file + ": not valid JSON (" + e.getMessage() + ")", e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
