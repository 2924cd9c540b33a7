package io.bolmo4j.chat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.bolmo4j.tokenizer.BpeTokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The ids a subword model directory declares for starting a text and for ending a generation.
 *
 * @param bos   the id prepended to a text for scoring and plain generation: {@code bos_token_id} (config.json, then
 *              generation_config.json), else tokenizer_config.json's {@code bos_token}, else a single
 *              {@code eos_token_id} (OLMo's habit of starting documents with its EOS), else {@code <|endoftext|>};
 *              never taken from a list of EOS ids
 * @param stops ids that end a generation: every {@code eos_token_id} of config.json and generation_config.json (an int
 *              or a list, e.g. Olmo 3 Instruct's [100265, 100257]), tokenizer_config.json's {@code eos_token}, the
 *              chat template's end-of-turn tokens, and {@code <|endoftext|>} when the vocabulary has it
 */
public record SpecialTokens(int bos, List<Integer> stops) {
    public static final String GENERATION_CONFIG = "generation_config.json";
    private static final String CONFIG = "config.json";

    public SpecialTokens {
        stops = List.copyOf(stops);
    }

    /** The stop ids as an array (for the generators' varargs). */
    public int[] stopIds() {
        return stops.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Reads {@code dir}'s config.json, generation_config.json and tokenizer_config.json (the last two if present).
     *
     * @param template the model's chat template, or null; its end-of-turn tokens become stop ids
     * @throws IllegalArgumentException naming the file and key when an id is malformed or no BOS can be found
     */
    public static SpecialTokens read(Path dir, BpeTokenizer tokenizer, ChatTemplate template) {
        return of(dir, ChatTemplate.readObject(dir.resolve(CONFIG)), optional(dir.resolve(GENERATION_CONFIG)),
                optional(dir.resolve(ChatTemplate.TOKENIZER_CONFIG)), tokenizer, template);
    }

    /** From a config.json object alone (a model built in memory: no generation or tokenizer config, no template). */
    public static SpecialTokens of(JsonObject config, BpeTokenizer tokenizer) {
        return of(Path.of("<config>"), config, new JsonObject(), new JsonObject(), tokenizer, null);
    }

    private static JsonObject optional(Path file) {
        return Files.exists(file) ? ChatTemplate.readObject(file) : new JsonObject();
    }

    /** {@code dir} only names the files in errors. */
    private static SpecialTokens of(Path dir, JsonObject config, JsonObject gen, JsonObject tok, BpeTokenizer tokenizer,
                                    ChatTemplate template) {
        Path configFile = dir.resolve(CONFIG), genFile = dir.resolve(GENERATION_CONFIG), tokFile = dir.resolve(ChatTemplate.TOKENIZER_CONFIG);
        List<Integer> configEos = ids(config, "eos_token_id", configFile);
        List<Integer> bos = new ArrayList<>(ids(config, "bos_token_id", configFile));
        bos.addAll(ids(gen, "bos_token_id", genFile));
        if (bos.size() > 1 && !bos.stream().allMatch(bos.get(0)::equals)) {
            throw new IllegalArgumentException(dir + ": bos_token_id must be one id, got " + bos);
        }
        String bosToken = ChatTemplate.tokenContent(tok, "bos_token", tokFile);
        String eosToken = ChatTemplate.tokenContent(tok, "eos_token", tokFile);

        Integer chosen = !bos.isEmpty() ? bos.get(0)
                : bosToken != null ? id(tokenizer, bosToken, tokFile + " bos_token")
                : configEos.size() == 1 ? configEos.get(0)
                : tokenizer.tokenId(BpeTokenizer.END_OF_TEXT).isPresent() ? tokenizer.eosId() : null;
        if (chosen == null) {
            throw new IllegalArgumentException(dir + ": no BOS id: config.json has no bos_token_id, "
                    + ChatTemplate.TOKENIZER_CONFIG + " no bos_token, eos_token_id is " + configEos
                    + " (a list is never used as the BOS) and the vocabulary has no " + BpeTokenizer.END_OF_TEXT);
        }
        Set<Integer> stops = new LinkedHashSet<>(configEos);
        stops.addAll(ids(gen, "eos_token_id", genFile));
        if (eosToken != null) {
            stops.add(id(tokenizer, eosToken, tokFile + " eos_token"));
        }
        if (template != null) {
            for (String t : template.endOfTurnTokens(tokenizer.specialTokens().keySet())) {
                stops.add(tokenizer.specialTokens().get(t));
            }
        }
        tokenizer.tokenId(BpeTokenizer.END_OF_TEXT).ifPresent(stops::add);
        return new SpecialTokens(chosen, new ArrayList<>(stops));
    }

    /** {@code key} as a list of ids: absent or null gives none, an int one, a list its ints. */
    static List<Integer> ids(JsonObject json, String key, Path file) {
        JsonElement e = json.get(key);
        List<Integer> out = new ArrayList<>();
        if (e == null || e.isJsonNull()) {
            return out;
        }
        for (JsonElement x : e.isJsonArray() ? e.getAsJsonArray() : List.of(e)) {
            if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber() || x.getAsDouble() != Math.rint(x.getAsDouble())
                    || x.getAsDouble() < 0 || x.getAsDouble() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(file + ": " + key + " must be a token id or a list of them, got " + e);
            }
            out.add(x.getAsInt());
        }
        return out;
    }

    private static int id(BpeTokenizer tokenizer, String token, String where) {
        return tokenizer.tokenId(token).orElseThrow(() ->
                new IllegalArgumentException(where + ": '" + token + "' is not in the vocabulary"));
    }
}
