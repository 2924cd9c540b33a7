"""Renders chat templates with Python jinja2 the way Hugging Face's apply_chat_template sets it up (a sandboxed
environment with trim_blocks and lstrip_blocks, the loop-controls extension, a raise_exception global and a tojson
filter that calls json.dumps without ASCII escaping), as the reference for bolmo4j's chat template rendering.

usage: chat_template_reference.py < cases.json > results.json
cases.json: a list of {"template", "messages", "add_generation_prompt", "bos_token", "eos_token"}.
results.json: one entry per case, {"text": rendered} or {"error": message}.
"""
import json
import sys

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
    return env


def main():
    env = environment()
    results = []
    for case in json.load(sys.stdin):
        try:
            template = env.from_string(case["template"])
            text = template.render(messages=case["messages"], add_generation_prompt=case["add_generation_prompt"],
                                   bos_token=case["bos_token"], eos_token=case["eos_token"])
            results.append({"text": text})
        except Exception as e:  # the Java side checks that it fails too
            results.append({"error": type(e).__name__ + ": " + str(e)})
    json.dump(results, sys.stdout, ensure_ascii=True)


if __name__ == "__main__":
    main()
