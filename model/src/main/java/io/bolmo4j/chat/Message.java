package io.bolmo4j.chat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One turn of a conversation, as Hugging Face chat templates receive it: {@code {"role": ..., "content": ...}}.
 *
 * @param role    {@code system}, {@code user} or {@code assistant} (templates may accept more, e.g. {@code tool})
 * @param content the text of the turn
 */
public record Message(String role, String content) {
    public Message {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    public static Message system(String content) {
        return new Message("system", content);
    }

    public static Message user(String content) {
        return new Message("user", content);
    }

    public static Message assistant(String content) {
        return new Message("assistant", content);
    }

    /** The dict a template sees. */
    Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("content", content);
        return m;
    }
}
