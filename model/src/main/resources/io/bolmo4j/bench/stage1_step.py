#!/usr/bin/env python3
"""The PyTorch-eager anchor of `bolmo4j bench --bolmo`: one Bolmo Stage 1 training step (the paper's loss, no byte
distillation) written the way a PyTorch user would write it, at the sizes bolmo4j's own figure uses. Random weights
and random bytes: only the time matters.

The step: a frozen OLMo 2 teacher pass over the subword tokens (states after layer n and after the last layer, and
its next-token log-probabilities); the local encoder (byte + subword-suffix embeddings, mLSTM layers in chunkwise
form with bolmo4j's chunk size, SwiGLU); the cosine boundary predictor with lookahead 1 and its BCE; the last byte of each true subword patch
pooled, through the first n global layers, against the teacher's states (encoder loss); the local decoder fed
with the teacher's final states; the fused 520-way cross-entropy and the tau-KL patch distillation; backward, global
norm clipping and an AdamW update of the local parameters only.

usage: stage1_step.py [--d 256 --heads 4 --kv-heads 4 --layers 4 --ffn 704 --vocab 4224 --local-heads 16
                       --local-ffn 352 --encoder-layers 1 --decoder-layers 4 --n 4 --tau 5 --batch 8 --bytes 256
                       --bytes-per-token 4.4 --threads 2 --steps 5 --chunk 64]
The last line is JSON: {"bytes_per_s": median over the timed steps, "rates": [...], "gflop_per_step": the matrix
products' GFLOP of one step as PyTorch counts them (null before torch 2.1), "torch": ..., ...}.
"""
import argparse
import json
import math
import statistics
import time

import torch
import torch.nn.functional as F

ap = argparse.ArgumentParser()
for name, default in [("d", 256), ("heads", 4), ("kv-heads", 4), ("layers", 4), ("ffn", 704), ("vocab", 4224),
                      ("local-heads", 16), ("local-ffn", 352), ("encoder-layers", 1), ("decoder-layers", 4), ("n", 4),
                      ("batch", 8), ("bytes", 256), ("threads", 2), ("steps", 5), ("chunk", 64)]:
    ap.add_argument("--" + name, type=int, default=default)
ap.add_argument("--tau", type=float, default=5.0)
ap.add_argument("--bytes-per-token", type=float, default=4.4)
a = ap.parse_args()
if a.heads % a.kv_heads or a.d % a.heads or a.d % (2 * a.local_heads) or a.chunk < 1:
    ap.error("the heads must divide the widths (and the key/value heads the query heads); chunks hold >= 1 byte")
torch.set_num_threads(a.threads)
torch.manual_seed(0)
D, BYTES, VOCAB_BYTES = a.d, 256, 520


def weight(*shape, trainable=True):
    return torch.nn.Parameter(torch.randn(*shape) / math.sqrt(shape[-1]), requires_grad=trainable)


def ones(n, trainable=True):
    return torch.nn.Parameter(torch.ones(n), requires_grad=trainable)


def rms_norm(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def attention(q, k, v):
    """Causal attention: PyTorch 2's fused kernel where there is one (older PyTorch: written out)."""
    if hasattr(F, "scaled_dot_product_attention"):
        return F.scaled_dot_product_attention(q, k, v, is_causal=True)
    t = q.shape[-2]
    s = (q @ k.transpose(-1, -2)) * q.shape[-1] ** -0.5
    return torch.softmax(s.masked_fill(~torch.ones(t, t, dtype=torch.bool).tril(), float("-inf")), -1) @ v


class Teacher(torch.nn.Module):
    """OLMo 2: q/k RMS norms over the whole projection, RoPE, norms after attention and MLP (frozen)."""

    def __init__(self):
        super().__init__()
        kv = D // a.heads * a.kv_heads
        self.embed = weight(a.vocab, D, trainable=False)
        self.blocks = torch.nn.ModuleList()
        for _ in range(a.layers):
            blk = torch.nn.ParameterDict(dict(q=weight(D, D, trainable=False), k=weight(kv, D, trainable=False),
                                              v=weight(kv, D, trainable=False), o=weight(D, D, trainable=False),
                                              qn=ones(D, False), kn=ones(kv, False), an=ones(D, False),
                                              gate=weight(a.ffn, D, trainable=False), up=weight(a.ffn, D, trainable=False),
                                              down=weight(D, a.ffn, trainable=False), fn=ones(D, False)))
            self.blocks.append(blk)
        self.norm, self.head = ones(D, False), weight(a.vocab, D, trainable=False)

    @staticmethod
    def rope(x):
        t, half = x.shape[-2], x.shape[-1] // 2
        freq = 500000.0 ** (-torch.arange(half) / half)
        ang = torch.arange(t)[:, None] * freq[None, :]
        cos, sin = ang.cos(), ang.sin()
        x1, x2 = x[..., :half], x[..., half:]
        return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], -1)

    @staticmethod
    def block(p, x):
        b, t, _ = x.shape
        hd = D // a.heads
        q = rms_norm(x @ p["q"].T, p["qn"], 1e-6).view(b, t, a.heads, hd).transpose(1, 2)
        k = rms_norm(x @ p["k"].T, p["kn"], 1e-6).view(b, t, a.kv_heads, hd).transpose(1, 2)
        v = (x @ p["v"].T).view(b, t, a.kv_heads, hd).transpose(1, 2)
        q, k = Teacher.rope(q), Teacher.rope(k)
        rep = a.heads // a.kv_heads
        k, v = k.repeat_interleave(rep, 1), v.repeat_interleave(rep, 1)
        att = attention(q, k, v).transpose(1, 2).reshape(b, t, D)
        x = x + rms_norm(att @ p["o"].T, p["an"], 1e-6)
        mlp = (F.silu(x @ p["gate"].T) * (x @ p["up"].T)) @ p["down"].T
        return x + rms_norm(mlp, p["fn"], 1e-6)

    def layers(self, x, start, end):
        for p in self.blocks[start:end]:
            x = self.block(p, x)
        return x


def chunk_pass(q, k, v, i, log_f, c, state):
    """The mLSTM over whole chunks of c positions, all chunks in one batch: each chunk's parallel form and its own
    share of its end state at once; only the stabilised states (C, n, m) entering the chunks are carried chunk to chunk.
    q, k, v [B, H, n*c, E], gates [B, H, n*c]; returns the hidden states and the state after the last chunk."""
    bs, hs, s, _ = q.shape
    n = s // c
    q, k, v = (x.reshape(bs, hs, n, c, -1) for x in (q, k, v))
    i, cum = i.reshape(bs, hs, n, c), torch.cumsum(log_f.reshape(bs, hs, n, c), -1)
    last = cum[..., -1]
    w = last[..., None] - cum + i  # log weight of each key in its chunk's end state
    w_max = w.amax(-1)
    kw = k * torch.exp(w - w_max[..., None])[..., None]
    c_own, n_own = kw.transpose(-1, -2) @ v, kw.sum(-2)
    c_state, n_state, m_state = state
    c_in, n_in, m_in = [], [], []
    for j in range(n):
        c_in.append(c_state)
        n_in.append(n_state)
        m_in.append(m_state)
        carried = last[:, :, j] + m_state
        m_new = torch.maximum(carried, w_max[:, :, j])
        decay, fresh = torch.exp(carried - m_new), torch.exp(w_max[:, :, j] - m_new)
        c_state = c_state * decay[..., None, None] + c_own[:, :, j] * fresh[..., None, None]
        n_state = n_state * decay[..., None] + n_own[:, :, j] * fresh[..., None]
        m_state = m_new
    causal = torch.ones(c, c, dtype=torch.bool).tril()
    log_gates = (cum[..., :, None] - cum[..., None, :] + i[..., None, :]).masked_fill(~causal, float("-inf"))
    state_log = cum + torch.stack(m_in, 2)[..., None]
    m = torch.maximum(log_gates.amax(-1), state_log)
    scores = (q @ k.transpose(-1, -2)) * torch.exp(log_gates - m[..., None])
    carried = torch.exp(state_log - m)
    num = scores @ v + (q @ torch.stack(c_in, 2)) * carried[..., None]
    den = scores.sum(-1) + (q @ torch.stack(n_in, 2)[..., None]).squeeze(-1) * carried
    hidden = num / (torch.maximum(den.abs(), torch.exp(-m)) + 1e-6)[..., None]
    return hidden.reshape(bs, hs, n * c, -1), (c_state, n_state, m_state)


class MLstmLayer(torch.nn.Module):
    """RMSNorm, mLSTM (q, k of d/2, v of d, soft-capped exponential input gate, sigmoid forget gate, stabilised
    chunkwise form, per-head LayerNorm, sigmoid output gate), residual; RMSNorm, SwiGLU, residual."""

    def __init__(self):
        super().__init__()
        h = a.local_heads
        self.n1, self.n2 = ones(D), ones(D)
        self.q, self.k, self.v, self.og = weight(D // 2, D), weight(D // 2, D), weight(D, D), weight(D, D)
        self.ig, self.fg = weight(h, D), weight(h, D)
        self.ib = torch.nn.Parameter(torch.full((h,), -10.0))
        self.fb = torch.nn.Parameter(torch.linspace(3.0, 6.0, h))
        self.mh, self.out = ones(D), weight(D, D)
        self.gate, self.up, self.down = weight(a.local_ffn, D), weight(a.local_ffn, D), weight(D, a.local_ffn)

    def mlstm(self, u):
        """Chunkwise form, as bolmo4j trains it (and as the xLSTM kernels do): see chunk_pass. Whole chunks of --chunk
        bytes go in one batch; a shorter tail is one more chunk, from the state the whole chunks leave."""
        b, s, _ = u.shape

        def heads(x):
            return x.view(b, s, a.local_heads, -1).transpose(1, 2)

        q, k, v = heads(u @ self.q.T), heads(u @ self.k.T), heads(u @ self.v.T)
        q = q * q.shape[-1] ** -0.5
        i = (15 * torch.tanh((u @ self.ig.T + self.ib) / 15)).transpose(1, 2)
        log_f = F.logsigmoid((15 * torch.tanh((u @ self.fg.T + self.fb) / 15)).transpose(1, 2))
        state = (q.new_zeros(b, a.local_heads, q.shape[-1], v.shape[-1]), q.new_zeros(b, a.local_heads, q.shape[-1]),
                 q.new_zeros(b, a.local_heads))
        whole, hidden = s // a.chunk * a.chunk, []
        for part, size in ((slice(0, whole), a.chunk), (slice(whole, s), s - whole)):
            if part.stop > part.start:  # no whole chunk when the bytes are fewer than a chunk; no tail when they divide
                out, state = chunk_pass(q[:, :, part], k[:, :, part], v[:, :, part], i[:, :, part], log_f[:, :, part],
                                        size, state)
                hidden.append(out)
        h = F.layer_norm(torch.cat(hidden, 2), (v.shape[-1],), eps=1e-6).transpose(1, 2).reshape(b, s, D)
        return (torch.sigmoid(u @ self.og.T) * h * self.mh) @ self.out.T

    def forward(self, x):
        x = x + self.mlstm(rms_norm(x, self.n1, 1e-5))
        u = rms_norm(x, self.n2, 1e-5)
        return x + (F.silu(u @ self.gate.T) * (u @ self.up.T)) @ self.down.T


class Student(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.bytes, self.subwords = weight(VOCAB_BYTES, D), weight(a.vocab, D)
        self.encoder = torch.nn.ModuleList(MLstmLayer() for _ in range(a.encoder_layers))
        self.enc_norm = ones(D)
        self.bq, self.bk = weight(D, D), weight(D, D)
        self.pool_out = weight(D, D)
        self.dec_in, self.dec_norm = weight(D, D), ones(D)
        self.decoder = torch.nn.ModuleList(MLstmLayer() for _ in range(a.decoder_layers))
        self.norm, self.head = ones(D), weight(VOCAB_BYTES, D)


teacher, student = Teacher(), Student()
params = [p for p in student.parameters() if p.requires_grad]
optimizer = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.1)


def batch():
    """Random bytes, cut into patches of about --bytes-per-token bytes (the same count in every row)."""
    b, L = a.batch, a.bytes
    patches = max(2, int(L / a.bytes_per_token))
    ends = torch.zeros(b, L, dtype=torch.bool)
    for r in range(b):
        ends[r, torch.randperm(L - 1)[:patches - 1]] = True
    ends[:, L - 1] = True
    return (torch.randint(4, 4 + BYTES, (b, L)), torch.randint(0, a.vocab, (b, L)), ends,
            torch.randint(0, a.vocab, (b, patches + 1)))


def step(byte_ids, subword_ids, ends, tokens):
    b, L = byte_ids.shape
    p = tokens.shape[1] - 1
    with torch.no_grad():
        t_n = teacher.layers(teacher.embed[tokens[:, :-1]], 0, a.n)
        t_last = teacher.layers(t_n, a.n, a.layers)
        t_logp = torch.log_softmax(rms_norm(t_last, teacher.norm, 1e-6) @ teacher.head.T, -1)
        t_target = t_logp.gather(-1, tokens[:, 1:, None]).squeeze(-1)
    s = student
    h = s.bytes[byte_ids] + s.subwords[subword_ids]
    for layer in s.encoder:
        h = layer(h)
    h = rms_norm(h, s.enc_norm, 1e-5)
    # boundary after byte t: cosine of byte t's query and byte t+1's key (lookahead 1)
    cos = (F.normalize(h[:, :-1] @ s.bq.T, dim=-1) * F.normalize(h[:, 1:] @ s.bk.T, dim=-1)).sum(-1)
    p_end = ((1 - cos) / 2).clamp(1e-6, 1 - 1e-6)
    bce = F.binary_cross_entropy(p_end, ends[:, :-1].float())
    last = ends.nonzero()[:, 1].view(b, p)
    pooled = h.gather(1, last[..., None].expand(-1, -1, D)) @ s.pool_out.T
    encoder = (teacher.layers(pooled, 0, a.n) - t_n).norm(dim=-1).mean() / math.sqrt(D)
    patch_of = (torch.cumsum(ends.long(), 1) - ends.long()).clamp(max=p - 1)
    u = h @ s.dec_in.T + rms_norm(t_last, s.dec_norm, 1e-5).gather(1, patch_of[..., None].expand(-1, -1, D))
    for layer in s.decoder:
        u = layer(u)
    logp = torch.log_softmax(rms_norm(u, s.norm, 1e-5) @ s.head.T, -1)
    labels = byte_ids.roll(-1, 1) + VOCAB_BYTES // 2 * ends.long()
    label_logp = logp.gather(-1, labels[..., None]).squeeze(-1)
    ce = -label_logp.mean()
    patch_ll = torch.zeros(b, p).scatter_add(1, patch_of, label_logp)
    x, y = (t_target / a.tau).clamp(max=-1e-6), (patch_ll / a.tau).clamp(max=-1e-6)
    px, py = x.exp(), y.exp()
    distill = (px * (x - y) + (1 - px) * (torch.log1p(-px) - torch.log1p(-py))).mean()
    loss = 4 * bce + 4 * encoder + distill + ce
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, 0.5)
    optimizer.step()


data = [batch() for _ in range(2)]
step(*data[0])  # warm-up
try:  # the matrix products' FLOPs of one step (forward and backward), as PyTorch counts them (torch >= 2.1)
    from torch.utils.flop_counter import FlopCounterMode
    counter = FlopCounterMode(display=False)
    with counter:
        step(*data[1])
    gflop = counter.get_total_flops() / 1e9
except ImportError:
    gflop = None
rates = []
for i in range(a.steps):
    t0 = time.perf_counter()
    step(*data[i % 2])
    rates.append(a.batch * a.bytes / (time.perf_counter() - t0))
print(json.dumps({"bytes_per_s": statistics.median(rates), "rates": rates, "threads": a.threads, "batch": a.batch,
                  "bytes": a.bytes, "gflop_per_step": gflop, "torch": torch.__version__}))
