"""Renders chat templates with Python jinja2 the way Hugging Face's apply_chat_template sets it up (a sandboxed
environment with trim_blocks and lstrip_blocks, the loop-controls extension, raise_exception and strftime_now globals and
a tojson filter that calls json.dumps without ASCII escaping), as the reference for bolmo4j's chat template rendering.

usage: chat_template_reference.py < cases.json > results.json
cases.json: a list of {"template", "messages", "add_generation_prompt", "bos_token", "eos_token", "variables"}
(variables: further keyword arguments of apply_chat_template, e.g. enable_thinking or tools).
results.json: one entry per case, {"text": rendered} or {"error": message}.
"""
import json
import sys
from datetime import datetime

from jinja2.exceptions import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment


def raise_exception(message):
    raise TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def environment():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = lambda fmt: datetime.now().strftime(fmt)
    return env


def main():
    env = environment()
    results = []
    for case in json.load(sys.stdin):
        try:
            template = env.from_string(case["template"])
            # as apply_chat_template: special tokens the tokenizer does not set are not defined at all
            tokens = {k: case[k] for k in ("bos_token", "eos_token") if case[k] is not None}
            text = template.render(messages=case["messages"], add_generation_prompt=case["add_generation_prompt"],
                                   **tokens, **case.get("variables", {}))
            results.append({"text": text})
        except Exception as e:  # the Java side checks that it fails too
            results.append({"error": type(e).__name__ + ": " + str(e)})
    json.dump(results, sys.stdout, ensure_ascii=True)


if __name__ == "__main__":
    main()
