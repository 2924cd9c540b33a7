"""Hugging Face transformers (Python 3.11) reading folders bolmo4j saved. Prints one JSON object.

  olmo DIR IDS OUT TEXT   AutoModelForCausalLM.from_pretrained(DIR) as saved (computed in float32): logits of the
                          comma-separated IDS to OUT (safetensors), plus what AutoTokenizer and GenerationConfig read
  bolmo MESSAGES TEXT DIR...  for each DIR, from inside it, as Ai2's BolmoTokenizer resolves original_identifier:
                          AutoConfig through the folder's auto_map (remote code from HF_ENDPOINT), every auto_map class
                          reference, the generation config, the teacher tokenizer named by original_identifier and its
                          chat template (one object keyed by DIR)
"""
import json
import os
import sys

import torch
from safetensors.torch import save_file
from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer, GenerationConfig
from transformers.dynamic_module_utils import get_class_from_dynamic_module

mode = sys.argv[1]
if mode == "olmo":
    folder, ids, out, text = sys.argv[2], [int(i) for i in sys.argv[3].split(",")], sys.argv[4], sys.argv[5]
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0]
    save_file({"logits": logits.contiguous()}, out)
    tok = AutoTokenizer.from_pretrained(folder)
    gen = GenerationConfig.from_pretrained(folder)
    print(json.dumps({
        "class": type(model).__name__,
        "saved_dtype": str(AutoConfig.from_pretrained(folder).dtype),
        "eos_token": tok.eos_token, "pad_token": tok.pad_token,
        "generation": {"eos_token_id": gen.eos_token_id, "pad_token_id": gen.pad_token_id, "bos_token_id": gen.bos_token_id},
        "encoded": tok(text, add_special_tokens=False).input_ids,
    }))
else:
    messages, text = json.loads(sys.argv[2]), sys.argv[3]
    results = {}
    for folder in sys.argv[4:]:
        os.chdir(folder)  # Ai2's BolmoTokenizer loads original_identifier relative to the working directory
        with open("config.json") as f:
            auto_map = json.load(f)["auto_map"]
        with open("tokenizer_config.json") as f:
            tokenizer_auto_map = json.load(f)["auto_map"]
        config = AutoConfig.from_pretrained(".", trust_remote_code=True)
        resolved = {k: get_class_from_dynamic_module(v, ".") for k, v in auto_map.items()}
        resolved["AutoTokenizer"] = get_class_from_dynamic_module(tokenizer_auto_map["AutoTokenizer"][0], ".")
        gen = GenerationConfig.from_pretrained(".")
        original = config.tokenizer_config["original_identifier"]
        teacher = AutoTokenizer.from_pretrained(original)
        rendered = teacher.apply_chat_template(messages, tokenize=False, add_generation_prompt=True) if teacher.chat_template else None
        results[folder] = {
            "config_class": type(config).__name__,
            "config_module": type(config).__module__,
            "classes": {k: c.__name__ for k, c in resolved.items()},
            "generation": {"eos_token_id": gen.eos_token_id, "pad_token_id": gen.pad_token_id, "bos_token_id": gen.bos_token_id},
            "original_identifier": original,
            "teacher_vocab": len(teacher),
            "teacher_eos": teacher.eos_token,
            "rendered": rendered,
            "encoded": teacher(text, add_special_tokens=False).input_ids,
        }
    print(json.dumps(results))
