#!/usr/bin/env python3
"""Builds the committed bolmo4j corpus, word list and CUTE exclusion list (called by build.sh).

Deterministic: inputs are fixed package versions, every listing is sorted, and gzip is written with
mtime 0 and no file name, so re-running on the same inputs reproduces the committed bytes.
"""
import gzip, hashlib, io, json, os, re, sys, zipfile

STDLIB, SRC_ZIP, KJV_TXT, SCOWL, OUT, WORDNET = sys.argv[1:7]

SOTU_TEST_FROM = 2018            # speeches from 2018 on: test
SOTU_VALIDATION_FROM = 2013      # 2013-2017: validation
MOBY_VALIDATION = range(126, 131)  # chapters 126-130
MOBY_TEST = range(131, 136)        # chapters 131-135 (the chase and epilogue)
KJV_VALIDATION = {"Ruth", "Jonah", "Phi"}   # Ruth, Jonah, Philippians
KJV_TEST = {"Est", "Mark", "Jas"}           # Esther, Mark, James
JAVA_STRIDE = 2                  # keep every 2nd java/util/*.java file (sorted): code ~10% of the bytes
JAVA_SPLIT_EVERY = 10            # of the kept files, index%10==1 -> validation, index%10==2 -> test


def clean(text):
    lines = [l.rstrip() for l in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


def sotu():
    d = os.path.join(STDLIB, "sotu", "data")
    for name in sorted(f for f in os.listdir(d) if f.endswith(".txt")):
        year = int(name[:4])
        split = "test" if year >= SOTU_TEST_FROM else "validation" if year >= SOTU_VALIDATION_FROM else "train"
        with open(os.path.join(d, name), encoding="utf-8") as f:
            yield split, "sotu/" + name[:-4], clean(f.read())


def moby():
    with open(os.path.join(STDLIB, "moby-dick", "data", "data.txt"), encoding="utf-8") as f:
        text = f.read()
    starts = [m.start() for m in re.finditer(r"(?m)^CHAPTER (\d+)\.", text)] + [len(text)]
    assert len(starts) == 136, len(starts)
    for i in range(135):
        n = i + 1
        split = "test" if n in MOBY_TEST else "validation" if n in MOBY_VALIDATION else "train"
        yield split, "moby/chapter-%03d" % n, clean(text[starts[i]:starts[i + 1]])


def kjv():
    chapters = {}
    order = []
    verse = re.compile(r"^([1-3]?[A-Za-z]+)(\d+):(\d+) (.*)$")
    with open(KJV_TXT, encoding="ascii") as f:
        for line in f:
            m = verse.match(line.rstrip("\n"))
            assert m, line
            key = (m.group(1), int(m.group(2)))
            if key not in chapters:
                chapters[key] = []
                order.append(key)
            chapters[key].append(m.group(4).strip())
    for book, chapter in order:
        split = "test" if book in KJV_TEST else "validation" if book in KJV_VALIDATION else "train"
        yield split, "kjv/%s/%d" % (book, chapter), "\n".join(chapters[(book, chapter)])


def strip_license(src):
    # The OpenJDK header is the first block comment and names the GPL; drop it and the blank lines after it.
    m = re.match(r"\s*/\*.*?\*/\s*", src, re.S)
    if m and "GNU General Public License" in m.group(0):
        src = src[m.end():]
    return src


def java():
    with zipfile.ZipFile(SRC_ZIP) as z:
        names = sorted(n for n in z.namelist() if re.fullmatch(r"java\.base/java/util/[A-Za-z0-9_]+\.java", n))
        kept = names[::JAVA_STRIDE]
        for i, name in enumerate(kept):
            r = i % JAVA_SPLIT_EVERY
            split = "validation" if r == 1 else "test" if r == 2 else "train"
            src = strip_license(z.read(name).decode("utf-8"))
            assert "GNU General Public License" not in src[:2000], name
            yield split, "java/" + name[len("java.base/"):], clean(src)


def write_gz(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as g:
        g.write(data)
    with open(path, "wb") as f:
        f.write(buf.getvalue())
    return hashlib.sha256(buf.getvalue()).hexdigest(), len(buf.getvalue())


def corpus():
    manifest = ["split\tsource\tdocuments\ttext_bytes\tgzip_bytes\tsha256"]
    for source, gen in (("sotu", sotu), ("moby", moby), ("kjv", kjv), ("java", java)):
        per_split = {"train": [], "validation": [], "test": []}
        for split, doc_id, text in gen():
            per_split[split].append((doc_id, text))
        for split in ("train", "validation", "test"):
            docs = per_split[split]
            lines = [json.dumps({"id": i, "text": t, "source": source}, ensure_ascii=False) for i, t in docs]
            data = ("\n".join(lines) + "\n").encode("utf-8")
            sha, size = write_gz(os.path.join(OUT, "corpus", split, source + ".jsonl.gz"), data)
            text_bytes = sum(len(t.encode("utf-8")) for _, t in docs)
            manifest.append("%s\t%s\t%d\t%d\t%d\t%s" % (split, source, len(docs), text_bytes, size, sha))
    with open(os.path.join(OUT, "corpus", "manifest.tsv"), "w") as f:
        f.write("\n".join(manifest) + "\n")
    print("\n".join(manifest))


def words():
    # SCOWL size levels 10-35 (the common words), English + American spellings, lower-case ASCII, >= 3 letters.
    ws = set()
    for kind in ("english-words", "american-words"):
        for level in (10, 20, 35):
            with open(os.path.join(SCOWL, "%s.%d" % (kind, level)), encoding="utf-8") as f:
                ws.update(w.strip() for w in f if re.fullmatch(r"[a-z]{3,}", w.strip()))
    sha, size = write_gz(os.path.join(OUT, "words", "english-words.txt.gz"), ("\n".join(sorted(ws)) + "\n").encode())
    print("words\t%d\t%d\t%s" % (len(ws), size, sha))
    return ws


def synonyms(vocabulary):
    # WordNet 3.0 synsets: every pair of list words that share a synset are synonyms. A data line is
    # "offset lex_filenum ss_type w_cnt(hex) word lex_id word lex_id ... | gloss"; adjective markers like "(a)" dropped.
    syn = {}
    for pos in ("noun", "verb", "adj", "adv"):
        with open(os.path.join(WORDNET, "data." + pos), encoding="latin-1") as f:
            for line in f:
                if line.startswith("  "):
                    continue
                fields = line.split(" ")
                count = int(fields[3], 16)
                members = {re.sub(r"\(.*\)$", "", fields[4 + 2 * i]).lower() for i in range(count)}
                members = sorted(m for m in members if m in vocabulary)
                for m in members:
                    syn.setdefault(m, set()).update(x for x in members if x != m)
    lines = ["%s\t%s" % (w, " ".join(sorted(syn[w]))) for w in sorted(syn) if syn[w]]
    sha, size = write_gz(os.path.join(OUT, "words", "synonyms.tsv.gz"), ("\n".join(lines) + "\n").encode())
    print("synonyms\t%d\t%d\t%s" % (len(lines), size, sha))


def cute_words():
    # The committed CUTE copy (datasets/cute/tsv) is the source of the exclusion list.
    with gzip.open(os.path.join(OUT, "cute", "tsv", "spell.tsv.gz"), "rt", encoding="utf-8") as f:
        rows = f.read().split("\n")
    assert rows[0].split("\t")[0] == "input1"
    ws = [r.split("\t")[0] for r in rows[1:] if r]
    assert len(ws) == 1000
    header = ("# The 1000 CUTE test words (input1 column of spell.tsv), kept out of every synthetic training set.\n"
              "# From Leukas/CUTE (MIT License, Copyright (c) 2024 Anonymous); see LICENSE-CUTE.txt beside this file.\n")
    with open(os.path.join(OUT, "cute", "test-words.txt"), "w") as f:
        f.write(header + "\n".join(ws) + "\n")


corpus()
synonyms(words())
cute_words()
