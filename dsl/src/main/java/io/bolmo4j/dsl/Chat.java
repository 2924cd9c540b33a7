package io.bolmo4j.dsl;

import io.bolmo4j.chat.Message;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A conversation to answer, in the model's own chat template, and how to sample the answer:
 * <pre>{@code
 * String answer = olmo.chat(c -> c.system("You are terse.").user("Name a whale.").maxNew(50));
 * }</pre>
 * Turns are kept in order, so earlier exchanges can be replayed with {@code .user(..).assistant(..)} before the last
 * question. Sampling starts from the same defaults as generation ({@link Sampling}).
 */
public final class Chat extends Sampling<Chat> {
    private final List<Message> messages = new ArrayList<>();
    private Consumer<String> onText = s -> { };

    Chat() {}

    /** A system turn (instructions for the assistant). */
    public Chat system(String content) {
        messages.add(Message.system(content));
        return this;
    }

    /** A user turn. */
    public Chat user(String content) {
        messages.add(Message.user(content));
        return this;
    }

    /** An earlier assistant answer. */
    public Chat assistant(String content) {
        messages.add(Message.assistant(content));
        return this;
    }

    /** Turns given as messages (e.g. a history kept by the caller). */
    public Chat messages(List<Message> turns) {
        messages.addAll(turns);
        return this;
    }

    /** Receives the answer's text as it is generated. */
    public Chat stream(Consumer<String> onText) {
        this.onText = onText;
        return this;
    }

    static Chat of(Consumer<Chat> spec) {
        Chat c = new Chat();
        spec.accept(c);
        if (c.messages.isEmpty()) {
            throw new IllegalArgumentException("a chat needs at least one turn, e.g. c -> c.user(\"Hello\")");
        }
        return c;
    }

    List<Message> messages() {
        return List.copyOf(messages);
    }

    Consumer<String> onText() {
        return onText;
    }
}
