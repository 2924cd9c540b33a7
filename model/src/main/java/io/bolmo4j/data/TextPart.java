package io.bolmo4j.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringWriter;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * A plain UTF-8 text file (gzip detected by content). Either the whole file, byte for byte, is one document with
 * id {@code name}, or, when {@code splitOnBlankLines}, every run of non-blank lines is one document with id
 * {@code name#k} (k = 0, 1, ...), its lines joined by {@code \n}. Blank (whitespace-only) files give no documents.
 * The source is the file name without extensions.
 */
record TextPart(String name, InputOpener opener, boolean splitOnBlankLines) implements Part {
    @Override
    public Stream<Document> open(boolean lenient, LongAdder skipped) {
        BufferedReader reader = opener.openReader(name);
        String source = JsonlPart.stem(name);
        if (splitOnBlankLines) {
            return paragraphs(reader, source).stream(() -> InputOpener.close(reader));
        }
        return Stream.of(reader).map(this::readAll).filter(text -> !text.isBlank())
                .map(text -> new Document(name, text, source)).onClose(() -> InputOpener.close(reader));
    }

    private String readAll(BufferedReader reader) {
        StringWriter text = new StringWriter();
        try {
            reader.transferTo(text);
        } catch (IOException e) {
            throw new CorpusException("cannot read " + name + ": " + e.getMessage(), e);
        }
        return text.toString();
    }

    private LazyIterator<Document> paragraphs(BufferedReader reader, String source) {
        return new LazyIterator<>() {
            private int index;

            @Override
            protected Document computeNext() {
                StringBuilder text = new StringBuilder();
                String line;
                while ((line = InputOpener.readLine(reader, name)) != null) {
                    if (!line.isBlank()) {
                        text.append(text.length() > 0 ? "\n" : "").append(line);
                    } else if (text.length() > 0) {
                        break;
                    }
                }
                return text.length() == 0 ? null : new Document(name + "#" + index++, text.toString(), source);
            }
        };
    }
}
