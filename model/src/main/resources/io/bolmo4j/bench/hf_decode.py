#!/usr/bin/env python3
"""The anchor of `bolmo4j bench`: greedy, KV-cached decoding of an OLMo 2/3 folder with Hugging Face transformers on
the CPU, as a Python user would run it. Same protocol as bolmo4j's figure: the prompt is the ids 100, 101, ...; its
prefill is not timed; each of the --new - 1 following single-token steps is. Needs torch and transformers.

usage: hf_decode.py MODEL_DIR [--dtype float32|bfloat16] [--threads N] [--prompt-tokens 16] [--new 64] [--reps 3]
The last line is JSON: {"tokens_per_s": median over reps, "rates": [...], "load_s": ..., "torch": ..., ...}.
"""
import argparse
import json
import statistics
import time

import torch
import transformers
from transformers import AutoModelForCausalLM

args = argparse.ArgumentParser()
args.add_argument("model")
args.add_argument("--dtype", default="float32", choices=["float32", "bfloat16", "float16"])
args.add_argument("--threads", type=int, default=1)
args.add_argument("--prompt-tokens", type=int, default=16)
args.add_argument("--new", type=int, default=64)
args.add_argument("--reps", type=int, default=3)
a = args.parse_args()

torch.set_num_threads(a.threads)
started = time.time()
model = AutoModelForCausalLM.from_pretrained(a.model, dtype=getattr(torch, a.dtype)).eval()
load_s = time.time() - started
prompt = torch.arange(100, 100 + a.prompt_tokens).unsqueeze(0)

rates = []
with torch.inference_mode():
    for _ in range(a.reps):
        out = model(prompt, use_cache=True)
        cache, token = out.past_key_values, out.logits[:, -1:].argmax(-1)
        t0 = time.time()
        for _ in range(a.new - 1):
            out = model(token, past_key_values=cache, use_cache=True)
            cache, token = out.past_key_values, out.logits[:, -1:].argmax(-1)
        rates.append((a.new - 1) / (time.time() - t0))

print(json.dumps({"tokens_per_s": statistics.median(rates), "rates": rates, "load_s": load_s, "dtype": a.dtype,
                  "threads": a.threads, "torch": torch.__version__, "transformers": transformers.__version__}))
