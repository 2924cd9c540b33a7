"""The standard Jupyter kernel conformance suite (Debian's python3-jupyter-kernel-test) against the bolmo4j kernel.

Run by RealClientTest with JUPYTER_PATH pointing at a throwaway kernelspec; usable by hand the same way:
    JUPYTER_PATH=... /usr/bin/python3 -m unittest -v conformance
"""
import inspect
import os
import unittest

import jupyter_kernel_test

# The suite waits 0.1 s for each message that follows an execute reply; a busy shared machine can take longer between
# the reply and the kernel's idle status, which failed the run without anything being wrong.
PATIENCE = 10.0


def patient(get_msg):
    """get_msg, waiting at least PATIENCE seconds whenever it is given a timeout."""
    if inspect.iscoroutinefunction(get_msg):
        async def wait(timeout=None):
            return await get_msg(timeout=None if timeout is None else max(timeout, PATIENCE))
    else:
        def wait(timeout=None):
            return get_msg(timeout=None if timeout is None else max(timeout, PATIENCE))
    return wait


class BolmoKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = os.environ.get("BOLMO4J_KERNEL_NAME", "bolmo4j")
    language_name = "java"
    file_extension = ".jshell"

    code_hello_world = 'System.out.println("hello, world");'
    code_stderr = 'System.err.println("some error");'
    completion_samples = [
        {"text": "Syst", "matches": {"System"}},
        {"text": 'int a = 1;\n"hi".toUpperC', "matches": {"toUpperCase("}},
    ]
    complete_code_samples = ["1 + 1", "int x = 3;", 'System.out.println("a");', "class A {}"]
    incomplete_code_samples = ["for (int i = 0; i < 3; i++) {", "int[] a = {1, 2,", "String s = \"a\" +"]
    invalid_code_samples = ["int x = ;", "1 +* 2;", "class {"]
    code_generate_error = 'throw new IllegalStateException("boom");'
    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"bolmo" + "4j"', "result": "bolmo4j"},
        {"code": "java.util.List.of(1, 2)", "result": "[1, 2]"},
    ]
    code_display_data = [
        {"code": 'display(html("<b>bold</b>"));', "mime": "text/html"},
        {"code": 'display(markdown("*md*"));', "mime": "text/markdown"},
        {"code": 'display(svg("<svg xmlns=\\"http://www.w3.org/2000/svg\\"/>"));', "mime": "image/svg+xml"},
        {"code": 'display(json("{\\"a\\": 1}"));', "mime": "application/json"},
        {"code": "display(new java.awt.image.BufferedImage(2, 2, java.awt.image.BufferedImage.TYPE_INT_RGB));", "mime": "image/png"},
    ]
    code_history_pattern = "6 * 7*"
    supported_history_operations = ("tail", "range", "search")
    code_inspect_sample = "System.out.println"
    code_clear_output = "clearOutput();"

    def execute_helper(self, *args, **kwargs):
        channel, own = self.kc.iopub_channel, self.kc.iopub_channel.get_msg
        channel.get_msg = patient(own)
        try:
            return super().execute_helper(*args, **kwargs)
        finally:
            channel.get_msg = own


if __name__ == "__main__":
    unittest.main()
