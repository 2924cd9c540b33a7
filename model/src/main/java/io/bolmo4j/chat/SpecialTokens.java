package io.bolmo4j.chat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.bolmo4j.tokenizer.BpeTokenizer;
import io.bolmo4j.tokenizer.DocumentTokens;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The ids a subword model directory declares for framing a text and for ending a generation.
 *
 * @param document the BOS, end-of-text and pad ids ({@link DocumentTokens}). The BOS, prepended to a text for scoring,
 *                 plain generation and training, is {@code bos_token_id} (config.json, then generation_config.json),
 *                 else tokenizer_config.json's {@code bos_token}, else a single {@code eos_token_id} (OLMo's habit of
 *                 starting documents with its EOS), else the vocabulary's BOS or end-of-text token; never taken from a
 *                 list of EOS ids. The end-of-text id (what ends a document; byteify maps it to the byte BOS) is the
 *                 first declared EOS ({@code eos_token_id}s, {@code eos_token}) spelled as one
 *                 ({@link DocumentTokens#END_OF_TEXT_NAMES}), else the vocabulary's, else the first declared EOS: Qwen 3
 *                 declares {@code <|im_end|>} and {@code <|endoftext|>}, and documents end with the latter. The pad id is
 *                 {@code pad_token_id}, else {@code pad_token}, else the vocabulary's.
 * @param stops    ids that end a generation: every {@code eos_token_id} of config.json and generation_config.json (an
 *                 int or a list, e.g. Olmo 3 Instruct's [100265, 100257]), tokenizer_config.json's {@code eos_token},
 *                 the chat template's end-of-turn tokens, and the end-of-text id
 */
public record SpecialTokens(DocumentTokens document, List<Integer> stops) {
    public static final String GENERATION_CONFIG = "generation_config.json";
    private static final String CONFIG = "config.json";

    public SpecialTokens {
        if (document.bos().isEmpty()) {
            throw new IllegalArgumentException("special tokens need a BOS id");
        }
        stops = List.copyOf(stops);
    }

    /** The id prepended to a text. */
    public int bos() {
        return document.bos().getAsInt();
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

    /**
     * The document ids of a subword vocabulary kept apart from its model (a Bolmo's teacher tokenizer): as its
     * tokenizer_config.json object names them (empty: none), else the vocabulary's usual names.
     *
     * @param dir the folder errors name as the tokenizer_config.json's
     */
    public static DocumentTokens ofTokenizerConfig(Path dir, JsonObject tokenizerConfig, BpeTokenizer tokenizer) {
        return of(dir, new JsonObject(), new JsonObject(), tokenizerConfig, tokenizer, null).document();
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
        String padToken = ChatTemplate.tokenContent(tok, "pad_token", tokFile);
        DocumentTokens vocabulary = tokenizer.documentTokens();

        Integer chosen = !bos.isEmpty() ? bos.get(0)
                : bosToken != null ? id(tokenizer, bosToken, tokFile + " bos_token")
                : configEos.size() == 1 ? configEos.get(0)
                : vocabulary.bos().isPresent() ? vocabulary.bos().getAsInt() : null;
        if (chosen == null) {
            throw new IllegalArgumentException(dir + ": no BOS id: config.json has no bos_token_id, "
                    + ChatTemplate.TOKENIZER_CONFIG + " no bos_token, eos_token_id is " + configEos
                    + " (a list is never used as the BOS) and the vocabulary has none of " + DocumentTokens.BOS_NAMES
                    + " " + DocumentTokens.END_OF_TEXT_NAMES);
        }
        if (!valid(tokenizer, chosen)) {
            throw new IllegalArgumentException(dir + ": the BOS id " + chosen + " is not in the tokenizer's vocabulary of "
                    + tokenizer.vocabSize() + " ids");
        }
        Set<Integer> declaredEos = new LinkedHashSet<>(configEos);
        declaredEos.addAll(ids(gen, "eos_token_id", genFile));
        if (eosToken != null) {
            declaredEos.add(id(tokenizer, eosToken, tokFile + " eos_token"));
        }
        OptionalInt endOfText = declaredEos.stream().filter(i -> valid(tokenizer, i)
                        && DocumentTokens.isEndOfTextName(tokenizer.tokenString(i))).mapToInt(Integer::intValue).findFirst();
        if (endOfText.isEmpty()) {
            endOfText = vocabulary.endOfText().isPresent() ? vocabulary.endOfText()
                    : declaredEos.stream().filter(i -> valid(tokenizer, i)).mapToInt(Integer::intValue).findFirst();
        }
        // a pad id outside the tokenizer (a model vocabulary padded beyond it) frames nothing
        List<Integer> pad = ids(config, "pad_token_id", configFile).stream().filter(i -> valid(tokenizer, i)).toList();
        OptionalInt padId = !pad.isEmpty() ? OptionalInt.of(pad.get(0))
                : padToken != null ? OptionalInt.of(id(tokenizer, padToken, tokFile + " pad_token")) : vocabulary.pad();

        Set<Integer> stops = new LinkedHashSet<>(declaredEos);
        if (template != null) {
            for (String t : template.endOfTurnTokens(tokenizer.specialTokens().keySet())) {
                stops.add(tokenizer.specialTokens().get(t));
            }
        }
        endOfText.ifPresent(stops::add);
        return new SpecialTokens(new DocumentTokens(OptionalInt.of(chosen), endOfText, padId), new ArrayList<>(stops));
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

    private static boolean valid(BpeTokenizer tokenizer, int id) {
        return tokenizer.isValidId(id);
    }

    private static int id(BpeTokenizer tokenizer, String token, String where) {
        return tokenizer.tokenId(token).orElseThrow(() ->
                new IllegalArgumentException(where + ": '" + token + "' is not in the vocabulary"));
    }
}
