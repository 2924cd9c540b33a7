package io.bolmo4j.export;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.bolmo4j.data.BuiltinCorpus;
import io.bolmo4j.data.Corpus;
import io.bolmo4j.data.Document;
import io.bolmo4j.olmo.BuiltinModels;
import io.bolmo4j.tokenizer.BpeTokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The exported token arrays read back by numpy (an independent reader of OLMo-core's format) hold, document by
 * document, exactly the ids Hugging Face's Rust tokenizer gives for the texts, each followed by the end-of-document id.
 */
class PretokenizedDataTest {
    @TempDir
    static Path tmp;
    static Path corpus;
    static Path dolma2;

    @BeforeAll
    static void corpus() throws IOException {
        dolma2 = tmp.resolve("dolma2-tokenizer.json");
        try (InputStream in = new GZIPInputStream(PretokenizedDataTest.class.getResourceAsStream(
                "/io/bolmo4j/tokenizer/dolma2-tokenizer.json.gz"))) {
            Files.copy(in, dolma2);
        }
        corpus = Files.createDirectories(tmp.resolve("corpus"));
        List<String> texts = BuiltinCorpus.train().head(12_000);
        try (Writer w = new OutputStreamWriter(new GZIPOutputStream(Files.newOutputStream(corpus.resolve("a.jsonl.gz"))),
                StandardCharsets.UTF_8)) {
            Gson g = new Gson();
            for (int i = 0; i < texts.size(); i++) {
                w.write(g.toJson(Map.of("id", "doc," + i, "text", texts.get(i), "source", "builtin")) + "\n");
            }
            for (String t : List.of("", "日本語のテキスト 🙂👍🏽 naïve café", "literal <|endoftext|> inside", "a\r\nb\t\tc   d")) {
                w.write(g.toJson(Map.of("text", t)) + "\n");
            }
        }
        Files.createDirectories(corpus.resolve("sub"));
        Files.writeString(corpus.resolve("sub/b.txt"), "Call me Ishmael. Some years ago—never mind how long precisely.\n");
    }

    @Test
    void olmoCoreDtypeRule() {
        assertEquals(TokenDtype.UINT8, TokenDtype.forVocab(256));
        assertEquals(TokenDtype.UINT16, TokenDtype.forVocab(257));
        assertEquals(TokenDtype.UINT16, TokenDtype.forVocab(65536));
        assertEquals(TokenDtype.UINT32, TokenDtype.forVocab(65537));
        assertEquals(TokenDtype.UINT32, TokenDtype.forVocab(100278)); // dolma2
    }

    @Test
    void dolma2Uint32ArraysReadBackByNumpyMatchHuggingFace() throws Exception {
        Python.assumeNumpy();
        BpeTokenizer tok = BpeTokenizer.load(dolma2);
        Path out = tmp.resolve("dolma2-data");
        PretokenizedData.Manifest m = PretokenizedData.write(List.of(corpus), dolma2, tok, tok.eosId(),
                TokenDtype.forVocab(tok.vocabSize()), out, 1500);
        assertTrue(m.arrays().size() >= 2, "small files force a roll-over: " + m.arrays());
        checkAgainstNumpy(m, out, dolma2);
        assertEquals(2, m.sources().size());
        assertEquals(PretokenizedData.sha256(corpus.resolve("a.jsonl.gz")), m.sources().get(0).sha256());
        assertEquals(Files.size(corpus.resolve("a.jsonl.gz")), m.sources().get(0).bytes());
        assertTrue(Files.exists(out.resolve(PretokenizedData.MANIFEST)));
    }

    @Test
    void smallVocabularyUint16() throws Exception {
        Python.assumeNumpy();
        Path json = BuiltinModels.path(BuiltinModels.TINY).resolve("tokenizer.json");
        BpeTokenizer tok = BpeTokenizer.load(json);
        assertEquals(TokenDtype.UINT16, TokenDtype.forVocab(tok.vocabSize()));
        Path out = tmp.resolve("tiny-data");
        PretokenizedData.Manifest m = PretokenizedData.write(List.of(corpus.resolve("sub/b.txt"), corpus.resolve("a.jsonl.gz")),
                json, tok, tok.eosId(), TokenDtype.UINT16, out, 1L << 20);
        assertEquals(1, m.arrays().size());
        assertEquals(m.arrays().get(0).tokens() * 2, Files.size(out.resolve("part-00000.npy")));
        checkAgainstNumpy(m, out, json);
    }

    @Test
    void idsBeyondTheDtypeAreRefused() {
        BpeTokenizer tok = BpeTokenizer.load(dolma2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PretokenizedData.write(
                List.of(corpus.resolve("sub/b.txt")), dolma2, tok, tok.eosId(), TokenDtype.UINT8, tmp.resolve("u8"), 100));
        assertTrue(e.getMessage().contains("does not fit uint8"), e.getMessage());
    }

    /** numpy's view of the files equals the manifest, and every document equals HF's ids plus EOS. */
    private static void checkAgainstNumpy(PretokenizedData.Manifest m, Path out, Path tokenizerJson) throws Exception {
        JsonObject py = Python.run("read_token_arrays.py", out.toString(), m.dtype().numpyName(), Integer.toString(m.eosId()));
        JsonArray files = py.getAsJsonArray("files");
        assertEquals(m.arrays().size(), files.size());
        for (int i = 0; i < files.size(); i++) {
            JsonObject f = files.get(i).getAsJsonObject();
            ArrayFile a = m.arrays().get(i);
            assertEquals(a.path(), f.get("path").getAsString());
            assertEquals(a.tokens(), f.get("tokens").getAsLong());
            assertEquals(a.sha256(), f.get("sha256").getAsString());
            assertTrue(f.get("max").getAsLong() < m.vocabSize());
        }
        List<Document> docs = m.sources().stream().flatMap(s -> Corpus.of(Path.of(s.path())).toList().stream()).toList();
        JsonArray pyDocs = py.getAsJsonArray("documents");
        assertEquals(docs.size(), pyDocs.size());
        assertEquals(m.documents(), docs.size());
        long tokens = 0;
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(tokenizerJson,
                Map.of("addSpecialTokens", "false", "truncation", "false", "maxLength", "100000000"))) {
            for (int i = 0; i < docs.size(); i++) {
                JsonObject d = pyDocs.get(i).getAsJsonObject();
                assertEquals(docs.get(i).id(), d.get("id").getAsString());
                long[] got = new long[d.getAsJsonArray("ids").size()];
                int k = 0;
                for (JsonElement e : d.getAsJsonArray("ids")) {
                    got[k++] = e.getAsLong();
                }
                long[] text = hf.encode(docs.get(i).text()).getIds();
                long[] want = Arrays.copyOf(text, text.length + 1);
                want[text.length] = m.eosId();
                assertArrayEquals(want, got, "document " + docs.get(i).id());
                tokens += got.length - 1;
            }
        }
        assertEquals(m.tokens(), tokens);
    }
}
