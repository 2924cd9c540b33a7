package io.bolmo4j.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** A tokenizer.json {@code decoder}: turns token strings back into text, step by step as HF's decoders do. */
sealed interface Decoder {
    /** HF's {@code decode_chain}: maps the token strings (the list may shrink, e.g. when fused). */
    List<String> decodeChain(List<String> tokens);

    /** {@code ByteLevel}: every token spelled in the byte-level alphabet becomes its bytes; all are joined. */
    record ByteLevel() implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (String t : tokens) {
                bytes.writeBytes(bytesOf(t));
            }
            return List.of(new String(bytes.toByteArray(), StandardCharsets.UTF_8));
        }

        /** The token's bytes if it is spelled in the alphabet, else its own UTF-8 (e.g. an added token). */
        static byte[] bytesOf(String token) {
            for (int i = 0; i < token.length(); i++) {
                if (ByteLevelAlphabet.byteOf(token.charAt(i)) < 0) {
                    return token.getBytes(StandardCharsets.UTF_8);
                }
            }
            return ByteLevelAlphabet.toBytes(token);
        }
    }

    /** {@code Metaspace}: the replacement char becomes a space, dropped at the start of the first token. */
    record Metaspace(int replacement, boolean prepended) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            String rep = Character.toString(replacement);
            List<String> out = new ArrayList<>(tokens.size());
            for (int i = 0; i < tokens.size(); i++) {
                out.add(tokens.get(i).replace(rep, i == 0 && prepended ? "" : " "));
            }
            return out;
        }
    }

    /** {@code ByteFallback}: runs of {@code <0xNN>} tokens become their UTF-8 text (U+FFFD per byte if invalid). */
    record ByteFallback() implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            ByteArrayOutputStream run = new ByteArrayOutputStream();
            for (String t : tokens) {
                int b = byteOf(t);
                if (b >= 0) {
                    run.write(b);
                    continue;
                }
                flush(run, out);
                out.add(t);
            }
            flush(run, out);
            return out;
        }

        /** @return the byte of a {@code <0xNN>} token, else -1 */
        static int byteOf(String token) {
            if (token.length() == 6 && token.startsWith("<0x") && token.endsWith(">")) {
                try {
                    return Integer.parseInt(token.substring(3, 5), 16);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
            return -1;
        }

        private static void flush(ByteArrayOutputStream run, List<String> out) {
            if (run.size() == 0) {
                return;
            }
            byte[] bytes = run.toByteArray();
            run.reset();
            try {
                out.add(StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString());
            } catch (CharacterCodingException e) {
                for (int i = 0; i < bytes.length; i++) {
                    out.add("\uFFFD");
                }
            }
        }
    }

    /** {@code Fuse}: joins all tokens into one. */
    record Fuse() implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            return List.of(String.join("", tokens));
        }
    }

    /** {@code Strip}: removes up to {@code start} leading and {@code stop} trailing {@code content} chars per token. */
    record Strip(int content, int start, int stop) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (String t : tokens) {
                int[] cps = t.codePoints().toArray();
                int from = 0;
                while (from < Math.min(start, cps.length) && cps[from] == content) {
                    from++;
                }
                int to = cps.length;
                for (int i = 0; i < stop && to > 0 && cps[to - 1] == content; i++) {
                    to--;
                }
                out.add(new String(cps, from, Math.max(0, to - from)));
            }
            return out;
        }
    }

    /** {@code Replace}: every match of a literal or regex in a token becomes {@code content}. */
    record Replace(Pattern pattern, String content) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            return tokens.stream().map(this::replace).toList();
        }

        String replace(String token) {
            IntList m = NormalizedString.findMatches(pattern, token, false);
            StringBuilder sb = new StringBuilder(token.length());
            for (int i = 0; i < m.size(); i += 3) {
                if (m.get(i + 2) != 0) {
                    sb.append(content);
                } else {
                    sb.append(token, m.get(i), m.get(i + 1));
                }
            }
            return sb.toString();
        }
    }

    /** {@code Sequence}: the decoders in order. */
    record Sequence(List<Decoder> steps) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            for (Decoder d : steps) {
                tokens = d.decodeChain(tokens);
            }
            return tokens;
        }
    }

    /**
     * The bytes one token stands for wherever it occurs (for {@code tokenBytes}): the per-token {@link #steps}
     * (Replace, Metaspace as if not first) in order, then ByteFallback's {@code <0xNN>} or ByteLevel's alphabet,
     * else the UTF-8 of the result. Position-dependent steps (Strip, Fuse, Metaspace's first-token rule) are skipped.
     */
    static byte[] tokenBytes(List<Decoder> steps, String token, boolean byteLevelPreTokenizer) {
        String s = token;
        for (Decoder d : steps) {
            if (d instanceof Replace r) {
                s = r.replace(s);
            } else if (d instanceof Metaspace m) {
                s = s.replace(Character.toString(m.replacement()), " ");
            } else if (d instanceof ByteFallback && ByteFallback.byteOf(s) >= 0) {
                return new byte[] {(byte) ByteFallback.byteOf(s)};
            } else if (d instanceof ByteLevel) {
                return ByteLevel.bytesOf(s);
            }
        }
        return byteLevelPreTokenizer ? ByteLevel.bytesOf(s) : s.getBytes(StandardCharsets.UTF_8);
    }

    /** @return the steps of {@code d} with Sequences expanded (none for null) */
    static Stream<Decoder> steps(Decoder d) {
        return d instanceof Sequence seq ? seq.steps().stream().flatMap(Decoder::steps) : Stream.ofNullable(d);
    }
}
