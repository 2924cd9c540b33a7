"""Independent PyTorch forward of a Bolmo Hugging Face checkpoint, written from docs/bolmo.md §2-§4 (recurrent
mLSTM in float64, boundary predictor, pooling, OLMo global layers, depooling, fused head), to cross-check bolmo4j.

usage: bolmo_reference.py BOLMO_DIR JAVA_OUTPUT.safetensors
The Java file holds `ids` (the BOS-prefixed byte ids, I64), `logits` [L,520], `boundary_logprob` [L], `boundaries` [L].
Prints the errors and exits 1 if logits differ by more than 1e-4 (relative) or any boundary decision differs.
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from olmo_reference import read_safetensors, rms_norm, rotate_half  # noqa: E402


def byte_decoder():
    """GPT-2 bytes_to_unicode, inverted: unicode char -> byte."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(bs, cs)}


def subword_sequences(tokenizer_json):
    tok = json.load(open(tokenizer_json))
    dec = byte_decoder()
    vocab = dict(tok["model"]["vocab"])
    for a in tok.get("added_tokens", []):
        vocab[a["content"]] = a["id"]
    seqs = {}
    for s, i in vocab.items():
        if s == "<|endoftext|>":
            seqs[i] = [1]
        elif s == "<|pad|>":
            seqs[i] = [0]
        elif all(c in dec for c in s):
            seqs[i] = [4 + dec[c] for c in s]
        else:
            seqs[i] = [4 + b for b in s.encode("utf-8")]
    return seqs


def expand(ids, seqs):
    """Longest vocabulary entry that is a suffix of ids[:i+1], by brute force."""
    by_len = sorted(seqs.items(), key=lambda kv: -len(kv[1]))
    out = []
    for i in range(len(ids)):
        plain = [x - 260 if x >= 260 else x for x in ids[: i + 1]]
        best = None
        for tid, seq in by_len:
            if len(seq) <= len(plain) and plain[len(plain) - len(seq):] == seq:
                best = tid
                break
        out.append(best)
    return out


def mlstm(u, p, heads, d):
    """mLSTM layer (docs/bolmo.md §3.2) with the recurrent cell (§4) in float64; u: [S, d] pre-normed."""
    S = u.shape[0]
    qk, v_dim = d // 2, d
    dq, dv = qk // heads, v_dim // heads
    q = u @ p["q.weight"].T
    k = u @ p["k.weight"].T
    v = u @ p["v.weight"].T
    o = u @ p["ogate_preact.weight"].T
    ig = 15 * torch.tanh((u @ p["igate_preact.weight"].T + p["igate_preact.bias"]) / 15)
    fg = 15 * torch.tanh((u @ p["fgate_preact.weight"].T + p["fgate_preact.bias"]) / 15)
    out = torch.zeros(S, v_dim, dtype=torch.float64)
    for h in range(heads):
        C = torch.zeros(dq, dv, dtype=torch.float64)
        n = torch.zeros(dq, dtype=torch.float64)
        m = torch.tensor(0.0, dtype=torch.float64)
        for t in range(S):
            qt = q[t, h * dq:(h + 1) * dq] / (dq ** 0.5)
            kt = k[t, h * dq:(h + 1) * dq]
            vt = v[t, h * dv:(h + 1) * dv]
            lf = torch.nn.functional.logsigmoid(fg[t, h])
            m_new = torch.maximum(lf + m, ig[t, h])
            fa = torch.exp(lf + m - m_new)
            ia = torch.exp(ig[t, h] - m_new)
            C = fa * C + ia * torch.outer(kt, vt)
            n = fa * n + ia * kt
            m = m_new
            ht = (qt @ C) / (torch.maximum((qt @ n).abs(), torch.exp(-m)) + 1e-6)
            mean = ht.mean()
            var = ((ht - mean) ** 2).mean()
            out[t, h * dv:(h + 1) * dv] = (ht - mean) / torch.sqrt(var + 1e-6)
    out = out * p["multihead_norm.weight"]
    return (torch.sigmoid(o) * out) @ p["out_proj.weight"].T


def local_layer(x, p, heads, d, eps):
    y = x + mlstm(rms_norm(x, p["pre_xlstm_layernorm.weight"], eps), {k[6:]: v for k, v in p.items() if k.startswith("xlstm.")}, heads, d)
    f = rms_norm(y, p["pre_feedforward_layernorm.weight"], eps)
    f = (torch.nn.functional.silu(f @ p["mlp.gate_proj.weight"].T) * (f @ p["mlp.up_proj.weight"].T)) @ p["mlp.down_proj.weight"].T
    return y + f


def sub(w, prefix):
    return {k[len(prefix):]: v for k, v in w.items() if k.startswith(prefix)}


def global_layers(x, w, cfg):
    """OLMo 2/3 layers over patch vectors x [P, d] (no final norm)."""
    d = cfg["hidden_size"]
    H = cfg["num_attention_heads"]
    KV = cfg.get("num_key_value_heads") or H
    hd = d // H
    eps = cfg.get("rms_norm_eps", 1e-6)
    theta = cfg.get("rope_theta") or 500000.0
    L = cfg["num_hidden_layers"]
    types = cfg.get("layer_types") or ["sliding_attention" if (i + 1) % 4 != 0 else "full_attention" for i in range(L)]
    window = cfg.get("sliding_window") or 4096
    T = x.shape[0]
    inv_freq = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd))
    freqs = torch.outer(torch.arange(T, dtype=torch.float64), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()
    i = torch.arange(T)[:, None]
    j = torch.arange(T)[None, :]
    for n in range(L):
        p = sub(w, f"model.layers.{n}.")
        q = rms_norm(x @ p["self_attn.q_proj.weight"].T, p["self_attn.q_norm.weight"], eps).view(T, H, hd).transpose(0, 1)
        k = rms_norm(x @ p["self_attn.k_proj.weight"].T, p["self_attn.k_norm.weight"], eps).view(T, KV, hd).transpose(0, 1)
        v = (x @ p["self_attn.v_proj.weight"].T).view(T, KV, hd).transpose(0, 1)
        q = q * cos + rotate_half(q) * sin
        k = (k * cos + rotate_half(k) * sin).repeat_interleave(H // KV, dim=0)
        v = v.repeat_interleave(H // KV, dim=0)
        allowed = (j <= i) & (((i - j) < window) if types[n] == "sliding_attention" else True)
        s = ((q @ k.transpose(-1, -2)) / hd ** 0.5).masked_fill(~allowed, float("-inf"))
        a = (torch.softmax(s, -1) @ v).transpose(0, 1).reshape(T, H * hd) @ p["self_attn.o_proj.weight"].T
        x = x + rms_norm(a, p["post_attention_layernorm.weight"], eps)
        f = (torch.nn.functional.silu(x @ p["mlp.gate_proj.weight"].T) * (x @ p["mlp.up_proj.weight"].T)) @ p["mlp.down_proj.weight"].T
        x = x + rms_norm(f, p["post_feedforward_layernorm.weight"], eps)
    return x


def forward(dir_, ids):
    cfg = json.load(open(os.path.join(dir_, "config.json")))
    w = {k: v.double() for k, v in read_safetensors(os.path.join(dir_, "model.safetensors")).items()}
    seqs = subword_sequences(os.path.join(dir_, "tokenizer.json"))
    d = cfg["hidden_size"]
    heads = cfg["num_local_heads"]
    eps = cfg.get("rms_norm_eps", 1e-6)
    leps = cfg.get("local_rms_norm_eps", 1e-5)
    L = len(ids)
    enc = sub(w, "model.local_encoder.")
    x = enc["byte_embedding.weight"][torch.tensor(ids)] + enc["subword_embedding.weight"][torch.tensor(expand(ids, seqs))]
    for i in range(cfg["num_local_encoder_layers"]):
        x = local_layer(x, sub(enc, f"layers.{i}."), heads, d, eps)
    h = rms_norm(x, enc["post_last_block_norm.weight"], leps)
    # boundary predictor, lookahead 1 (§3.4)
    qn = torch.nn.functional.normalize(h[:-1] @ enc["boundary_predictor_module.q_proj_layer.weight"].T, dim=-1, eps=1e-12)
    kn = torch.nn.functional.normalize(h[1:] @ enc["boundary_predictor_module.k_proj_layer.weight"].T, dim=-1, eps=1e-12)
    cos = (qn * kn).sum(-1)
    logp = torch.log(1 - torch.clamp(cos, max=1 - 1e-3)) - torch.log(torch.tensor(2.0, dtype=torch.float64))
    logp = torch.cat([torch.zeros(1, dtype=torch.float64), logp[1:], torch.full((1,), -100000.0, dtype=torch.float64)])
    bound = logp > torch.log(torch.tensor(0.5, dtype=torch.float64))
    ends = [t for t in range(L) if bound[t]]
    z = (h[ends] @ enc["out_projection.weight"].T) + enc["out_projection.bias"]
    G = global_layers(z, w, cfg)
    dec = sub(w, "model.local_decoder.")
    Gn = rms_norm(G, dec["initial_norm.weight"], leps)
    k_t = torch.clamp(torch.cumsum(bound.long(), 0) - 1, 0, len(ends) - 1)
    u = (h @ dec["in_projection.weight"].T + dec["in_projection.bias"]) + Gn[k_t]
    for i in range(cfg["num_local_decoder_layers"]):
        u = local_layer(u, sub(dec, f"layers.{i}."), heads, d, eps)
    logits = rms_norm(u, w["model.norm.weight"], eps) @ w["lm_head.weight"].T
    return logits, logp, bound


def main():
    dir_, java = sys.argv[1], sys.argv[2]
    got = read_safetensors(java)
    ids = [int(i) for i in got["ids"].tolist()] if "ids" in got else None
    with torch.no_grad():
        logits, logp, bound = forward(dir_, ids)
    err = ((got["logits"].double() - logits).abs().max() / logits.abs().max()).item()
    lp_err = (got["boundary_logprob"].double()[:-1] - logp[:-1]).abs().max().item()
    same = bool((got["boundaries"].double() > 0.5).eq(bound).all())
    print(f"logits max relative error {err:.3e}; boundary log-prob max abs error {lp_err:.3e}; boundaries equal: {same}")
    sys.exit(0 if err <= 1e-4 and same else 1)


if __name__ == "__main__":
    main()
