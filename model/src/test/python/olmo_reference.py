"""Independent PyTorch forward of an OLMo 2 / Olmo 3 Hugging Face checkpoint, written from the architecture
description (Hugging Face's modeling_olmo2/olmo3 semantics), for cross-checking bolmo4j's logits.

usage: olmo_reference.py CHECKPOINT_DIR IDS(comma-separated) JAVA_LOGITS.safetensors
Prints the max relative error (max |a-b| / max |b|) and exits 1 if it exceeds 1e-4.
"""
import json
import os
import struct
import sys

import numpy as np
import torch


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, end = e["data_offsets"]
        raw = data[b:end]
        if e["dtype"] == "F32":
            a = np.frombuffer(raw, dtype="<f4")
        elif e["dtype"] == "BF16":
            a = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        elif e["dtype"] == "F16":
            a = np.frombuffer(raw, dtype="<f2").astype(np.float32)
        elif e["dtype"] == "I64":
            a = np.frombuffer(raw, dtype="<i8")
        else:
            raise ValueError(e["dtype"])
        out[name] = torch.from_numpy(a.copy()).reshape(e["shape"])
    return out


def load(dir_):
    cfg = json.load(open(os.path.join(dir_, "config.json")))
    index = os.path.join(dir_, "model.safetensors.index.json")
    w = {}
    if os.path.exists(index):
        for shard in sorted(set(json.load(open(index))["weight_map"].values())):
            w.update(read_safetensors(os.path.join(dir_, shard)))
    else:
        w = read_safetensors(os.path.join(dir_, "model.safetensors"))
    return cfg, w


def rms_norm(x, weight, eps):
    var = x.pow(2).mean(-1, keepdim=True)
    return weight * (x * torch.rsqrt(var + eps))


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def forward(cfg, w, ids):
    d = cfg["hidden_size"]
    H = cfg["num_attention_heads"]
    KV = cfg.get("num_key_value_heads") or H
    hd = cfg.get("head_dim") or d // H
    eps = cfg.get("rms_norm_eps", 1e-5)
    theta = cfg.get("rope_theta", 10000.0)
    L = cfg["num_hidden_layers"]
    types = cfg.get("layer_types")
    if types is None:
        types = ["sliding_attention" if cfg["model_type"] == "olmo3" and (i + 1) % 4 != 0 else "full_attention"
                 for i in range(L)]
    window = cfg.get("sliding_window") or 4096
    T = len(ids)
    x = w["model.embed_tokens.weight"][torch.tensor(ids)]
    inv_freq = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.int64).float() / hd))
    pos = torch.arange(T).float()
    freqs = torch.outer(pos, inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()
    i = torch.arange(T)[:, None]
    j = torch.arange(T)[None, :]
    causal = j <= i
    for n in range(L):
        p = f"model.layers.{n}."
        q = rms_norm(x @ w[p + "self_attn.q_proj.weight"].T, w[p + "self_attn.q_norm.weight"], eps)
        k = rms_norm(x @ w[p + "self_attn.k_proj.weight"].T, w[p + "self_attn.k_norm.weight"], eps)
        v = x @ w[p + "self_attn.v_proj.weight"].T
        q = q.view(T, H, hd).transpose(0, 1)
        k = k.view(T, KV, hd).transpose(0, 1)
        v = v.view(T, KV, hd).transpose(0, 1)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(H // KV, dim=0)
        v = v.repeat_interleave(H // KV, dim=0)
        allowed = causal & ((i - j) < window) if types[n] == "sliding_attention" else causal
        scores = (q @ k.transpose(-1, -2)) / (hd ** 0.5)
        scores = scores.masked_fill(~allowed, float("-inf"))
        attn = torch.softmax(scores, dim=-1) @ v
        attn = attn.transpose(0, 1).reshape(T, H * hd) @ w[p + "self_attn.o_proj.weight"].T
        x = x + rms_norm(attn, w[p + "post_attention_layernorm.weight"], eps)
        g = x @ w[p + "mlp.gate_proj.weight"].T
        u = x @ w[p + "mlp.up_proj.weight"].T
        f = (torch.nn.functional.silu(g) * u) @ w[p + "mlp.down_proj.weight"].T
        x = x + rms_norm(f, w[p + "post_feedforward_layernorm.weight"], eps)
    return rms_norm(x, w["model.norm.weight"], eps) @ w["lm_head.weight"].T


def main():
    dir_, ids, java = sys.argv[1], [int(s) for s in sys.argv[2].split(",")], sys.argv[3]
    cfg, w = load(dir_)
    with torch.no_grad():
        ref = forward(cfg, w, ids)
    got = read_safetensors(java)["logits"]
    err = ((got - ref).abs().max() / ref.abs().max()).item()
    print(f"max relative error {err:.3e}")
    sys.exit(0 if err <= 1e-4 else 1)


if __name__ == "__main__":
    main()
