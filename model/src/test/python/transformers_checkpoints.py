"""Writes checkpoints of the model families bolmo4j loads with Hugging Face transformers itself, and their logits: the
oracle for the Llama / Qwen 2.5 / Qwen 3 layers. Each spec's config.json keys go to the family's config class
(AutoConfig.for_model), the model gets random weights (norm weights and biases too, so that every one matters), and
save_pretrained writes the directory exactly as transformers writes any checkpoint (safetensors; no lm_head.weight
when the embeddings are tied).

usage: transformers_checkpoints.py < specs.json     (a list of {"config", "dir", "ids", "logits", "seed"})
prints one JSON object: {"transformers": version, "torch": version}
"""
import json
import sys

import torch
import transformers
from safetensors.torch import save_file
from transformers import AutoConfig, AutoModelForCausalLM


def write(spec):
    keys = dict(spec["config"])
    config = AutoConfig.for_model(keys.pop("model_type"), **keys)
    torch.manual_seed(spec["seed"])
    model = AutoModelForCausalLM.from_config(config, attn_implementation="eager", dtype=torch.float32).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.copy_(1 + 0.2 * torch.randn_like(p))
            elif name.endswith(".bias"):
                p.copy_(0.1 * torch.randn_like(p))
            else:
                p.copy_(0.05 * torch.randn_like(p))
        model.save_pretrained(spec["dir"])
        logits = model(torch.tensor([spec["ids"]])).logits[0].float().contiguous()
    save_file({"logits": logits}, spec["logits"])


def main():
    for spec in json.load(sys.stdin):
        write(spec)
    json.dump({"transformers": transformers.__version__, "torch": torch.__version__}, sys.stdout)


if __name__ == "__main__":
    main()
