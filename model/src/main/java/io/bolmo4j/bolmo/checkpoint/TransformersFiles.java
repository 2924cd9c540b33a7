package io.bolmo4j.bolmo.checkpoint;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import io.bolmo4j.bolmo.BolmoConfig;
import io.bolmo4j.bolmo.ByteTokenizer;
import io.bolmo4j.chat.ChatTemplate;
import io.bolmo4j.chat.SpecialTokens;
import io.bolmo4j.io.CheckpointException;
import io.bolmo4j.io.HfCheckpoint;
import io.bolmo4j.olmo.OlmoConfig;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The files that make a saved Bolmo load in Hugging Face transformers as the released allenai/Bolmo-1B and -7B do
 * ({@code AutoModelForCausalLM} / {@code AutoTokenizer.from_pretrained(dir, trust_remote_code=True)}):
 * <ul>
 * <li>{@code config.json} with the released keys and an {@code auto_map} that points at Ai2's remote code on the Hub
 *     ({@code allenai/Bolmo-1B--modeling_bolmo.BolmoForCausalLM}: Bolmo-7B's for an Olmo 3 global model with sliding
 *     layers, Bolmo-1B's otherwise), and {@code tokenizer_config.original_identifier} naming the teacher's tokenizer:
 *     its Hub id when known, else {@code teacher}, the folder beside the weights;</li>
 * <li>{@code tokenizer_config.json} of the byte-level BolmoTokenizer, as released, with the teacher's chat template;</li>
 * <li>{@code generation_config.json} with the byte ids (BOS = EOS = 1, pad 0);</li>
 * <li>{@code teacher/}: the teacher's own tokenizer files (vocabulary, special tokens, chat template, stop ids), which
 *     transformers loads as {@code original_identifier} and bolmo4j renders chats with; and {@code tokenizer.json},
 *     the teacher's vocabulary, where bolmo4j has always looked for it.</li>
 * </ul>
 */
public final class TransformersFiles {
    static final String BOLMO_1B = "allenai/Bolmo-1B";
    static final String BOLMO_7B = "allenai/Bolmo-7B";
    /** transformers' VERY_LARGE_INTEGER, the "no limit" model_max_length its tokenizers save. */
    private static final BigInteger NO_LENGTH_LIMIT = new BigInteger("1000000000000000019884624838656");

    private TransformersFiles() {}

    /** The released Bolmo whose remote code fits this architecture: 7B's has Olmo 3's sliding layers. */
    static String remoteCode(BolmoConfig c) {
        return c.global.layerTypes.contains(OlmoConfig.SLIDING) ? BOLMO_7B : BOLMO_1B;
    }

    /** {@code config.json} completed with the keys of the released one and the teacher's tokenizer id. */
    public static JsonObject config(JsonObject config, BolmoConfig parsed, TeacherTokenizer teacher) {
        JsonObject c = config.deepCopy();
        String code = remoteCode(parsed);
        JsonObject autoMap = new JsonObject();
        autoMap.addProperty("AutoConfig", code + "--configuration_bolmo.BolmoConfig");
        autoMap.addProperty("AutoModel", code + "--modeling_bolmo.BolmoModel");
        autoMap.addProperty("AutoModelForCausalLM", code + "--modeling_bolmo.BolmoForCausalLM");
        c.add("auto_map", autoMap);
        JsonArray architectures = new JsonArray();
        architectures.add("BolmoForCausalLM");
        c.add("architectures", architectures);
        // keys transformers' BolmoConfig writes that a config made from a teacher may lack (their class defaults)
        putIfAbsent(c, "initializer_range", JsonParser.parseString("0.02"));
        putIfAbsent(c, "use_cache", JsonParser.parseString("true"));
        putIfAbsent(c, "sliding_window", JsonParser.parseString(String.valueOf(parsed.global.slidingWindow)));
        putIfAbsent(c, "rope_scaling", JsonNull.INSTANCE);
        JsonObject tok = c.has("tokenizer_config") && c.get("tokenizer_config").isJsonObject()
                ? c.getAsJsonObject("tokenizer_config") : new JsonObject();
        tok.addProperty("original_identifier", teacher.hubId().orElse(SubwordTokenizerFile.TEACHER_FOLDER));
        c.add("tokenizer_config", tok);
        return c;
    }

    /** Every file beside config.json and the weights (names relative to the Bolmo folder). */
    public static Map<String, byte[]> files(BolmoConfig c, TeacherTokenizer teacher) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put(TeacherTokenizer.TOKENIZER, teacher.files().get(TeacherTokenizer.TOKENIZER));
        m.put(ChatTemplate.TOKENIZER_CONFIG, HfCheckpoint.pretty(byteTokenizerConfig(remoteCode(c), teacher)));
        JsonObject gen = new JsonObject();
        gen.addProperty("bos_token_id", ByteTokenizer.BOS);
        gen.addProperty("eos_token_id", ByteTokenizer.EOS);
        gen.addProperty("pad_token_id", ByteTokenizer.PAD);
        m.put(SpecialTokens.GENERATION_CONFIG, HfCheckpoint.pretty(gen));
        teacher.files().forEach((name, bytes) -> m.put(SubwordTokenizerFile.TEACHER_FOLDER + "/" + name, bytes));
        return m;
    }

    /** The BolmoTokenizer's tokenizer_config.json as transformers saves it, with the teacher's chat template. */
    private static JsonObject byteTokenizerConfig(String code, TeacherTokenizer teacher) {
        JsonObject added = new JsonObject();
        for (int id : new int[] {ByteTokenizer.PAD, ByteTokenizer.BOS}) {
            JsonObject t = new JsonObject();
            t.addProperty("content", ByteTokenizer.specialToken(id));
            t.addProperty("lstrip", false);
            t.addProperty("normalized", false);
            t.addProperty("rstrip", false);
            t.addProperty("single_word", false);
            t.addProperty("special", true);
            added.add(String.valueOf(id), t);
        }
        JsonObject o = new JsonObject();
        o.add("added_tokens_decoder", added);
        JsonArray tokenizer = new JsonArray();
        tokenizer.add(code + "--tokenization_bolmo.BolmoTokenizer");
        tokenizer.add(JsonNull.INSTANCE);
        JsonObject autoMap = new JsonObject();
        autoMap.add("AutoTokenizer", tokenizer);
        o.add("auto_map", autoMap);
        o.addProperty("bos_token", ByteTokenizer.specialToken(ByteTokenizer.BOS));
        o.addProperty("clean_up_tokenization_spaces", false);
        o.addProperty("eos_token", ByteTokenizer.specialToken(ByteTokenizer.EOS));
        o.addProperty("extra_ids", 0);
        o.addProperty("model_max_length", NO_LENGTH_LIMIT);
        o.addProperty("pad_token", ByteTokenizer.specialToken(ByteTokenizer.PAD));
        o.addProperty("tokenizer_class", "BolmoTokenizer");
        JsonElement template = chatTemplate(teacher);
        if (template != null) {
            o.add("chat_template", template);
        }
        return o;
    }

    /** The teacher's chat template as its files hold it: chat_template.jinja, else tokenizer_config.json's entry. */
    private static JsonElement chatTemplate(TeacherTokenizer teacher) {
        byte[] jinja = teacher.files().get(ChatTemplate.JINJA_FILE);
        if (jinja != null) {
            return new JsonPrimitive(new String(jinja, StandardCharsets.UTF_8));
        }
        try {
            JsonElement t = teacher.tokenizerConfig().get("chat_template");
            return t == null || t.isJsonNull() ? null : t;
        } catch (CheckpointException e) {
            return null; // a malformed teacher config is reported where it is read for chatting (ChatTemplate.find)
        }
    }

    private static void putIfAbsent(JsonObject o, String key, JsonElement value) {
        if (!o.has(key)) {
            o.add(key, value);
        }
    }

}
