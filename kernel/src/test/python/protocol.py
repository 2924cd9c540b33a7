"""Message-by-message checks of the bolmo4j kernel with jupyter_client, beyond the conformance suite: output
streamed while a cell runs, display updates, errors with cell line numbers, interrupting a sleeping cell and a
busy loop, surviving OutOfMemoryError and System.exit, magics, and restart. Exit status 0 when all pass.
"""
import os
import sys
import time
import unittest

from jupyter_client.manager import start_new_kernel

KERNEL = os.environ.get("BOLMO4J_KERNEL_NAME", "bolmo4j")


class Protocol(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start_new_kernel(kernel_name=KERNEL, startup_timeout=90)

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel(now=True)

    def run_cell(self, code, timeout=60):
        """Runs a cell; returns (reply content, [(msg_type, content, arrival time)])."""
        outputs = []
        reply = self.kc.execute_interactive(
            code, timeout=timeout,
            output_hook=lambda m: outputs.append((m["msg_type"], m["content"], time.monotonic())))
        return reply["content"], outputs

    def test_stdout_streams_while_the_cell_runs(self):
        start = time.monotonic()
        reply, outs = self.run_cell('System.out.println("first");\nThread.sleep(1500);\nSystem.out.println("second");')
        self.assertEqual(reply["status"], "ok")
        streams = [(c["text"], t - start) for k, c, t in outs if k == "stream"]
        first = [t for text, t in streams if "first" in text]
        self.assertTrue(first, streams)
        self.assertLess(first[0], 1.2, "stdout must arrive before the cell ends: %s" % streams)
        self.assertTrue(any("second" in text for text, _ in streams))

    def test_print_without_newline_is_not_lost(self):
        reply, outs = self.run_cell('System.out.print("no newline")')
        self.assertEqual("".join(c["text"] for k, c, _ in outs if k == "stream"), "no newline")

    def test_runtime_error_names_exception_and_cell_line(self):
        reply, outs = self.run_cell("int a = 1;\nint b = 0;\nint c = a / b;")
        self.assertEqual(reply["status"], "error")
        self.assertEqual(reply["ename"], "ArithmeticException")
        errors = [c for k, c, _ in outs if k == "error"]
        self.assertEqual(len(errors), 1)
        self.assertIn("line 3", "\n".join(errors[0]["traceback"]))
        self.assertEqual(reply["traceback"], errors[0]["traceback"], "the reply carries the formatted traceback")

    def test_compile_error_has_caret_under_the_cell_line(self):
        reply, outs = self.run_cell("int ok = 1;\nString s = undefinedThing;")
        self.assertEqual(reply["ename"], "CompilationException")
        tb = reply["traceback"]
        self.assertIn("line 2", tb[0])
        self.assertEqual(tb[1], "String s = undefinedThing;")
        self.assertEqual(tb[2].index("^"), tb[1].index("undefinedThing"))

    def test_display_updates_in_place(self):
        reply, outs = self.run_cell('var h = display(html("<i>one</i>"));\nh.update(html("<i>two</i>"));')
        kinds = [k for k, c, _ in outs]
        self.assertIn("display_data", kinds)
        self.assertIn("update_display_data", kinds)
        shown = [c for k, c, _ in outs if k == "display_data"][0]
        updated = [c for k, c, _ in outs if k == "update_display_data"][0]
        self.assertEqual(shown["transient"]["display_id"], updated["transient"]["display_id"])
        self.assertIn("two", updated["data"]["text/html"])
        self.assertNotIn("execute_result", kinds, "a display handle is not shown as the cell's value")

    def test_interrupt_stops_a_sleeping_cell_then_a_busy_loop(self):
        for code, ename in (("Thread.sleep(60_000);", "InterruptedException"), ("while (true) {}", "InterruptedException")):
            msg_id = self.kc.execute(code)
            time.sleep(1.5)
            self.km.interrupt_kernel()
            reply = self.kc.get_shell_msg(timeout=20)
            self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
            self.assertEqual(reply["content"]["status"], "error", code)
            self.assertEqual(reply["content"]["ename"], ename, code)
            after, _ = self.run_cell("21 * 2")
            self.assertEqual(after["status"], "ok")

    def test_kernel_survives_out_of_memory_and_exit(self):
        reply, _ = self.run_cell("{\n  long[][] hog = new long[1 << 20][];\n  for (int i = 0; i < hog.length; i++) hog[i] = new long[1 << 20];\n}")
        self.assertEqual(reply["ename"], "OutOfMemoryError")
        reply, _ = self.run_cell("System.exit(3);")
        self.assertEqual(reply["ename"], "SecurityException")
        reply, outs = self.run_cell("40 + 2")
        self.assertEqual([c["data"]["text/plain"] for k, c, _ in outs if k == "execute_result"], ["42"])

    def test_magics(self):
        reply, outs = self.run_cell("%%time\nint t = 0;\nfor (int i = 0; i < 1000; i++) t += i;\nt")
        self.assertEqual(reply["status"], "ok")
        self.assertTrue(any("Wall time" in c.get("text", "") for k, c, _ in outs if k == "stream"))
        self.assertEqual([c["data"]["text/plain"] for k, c, _ in outs if k == "execute_result"], ["499500"])
        reply, _ = self.run_cell("%nosuchmagic")
        self.assertEqual(reply["ename"], "MagicException")
        reply, outs = self.run_cell("%env BOLMO4J_TEST_VAR=hello\nSystem.getenv(\"BOLMO4J_TEST_VAR\")")
        self.assertEqual([c["data"]["text/plain"] for k, c, _ in outs if k == "execute_result"], ["hello"])

    def test_variables_and_magic_completion(self):
        self.run_cell("String whale = \"Moby Dick\";")
        reply, outs = self.run_cell("%whos String")
        html = [c["data"]["text/html"] for k, c, _ in outs if k == "execute_result"]
        self.assertTrue(html and "<td>whale</td>" in html[0] and "Moby Dick" in html[0], outs)
        self.kc.complete("%mav", 4)
        reply = self.kc.get_shell_msg(timeout=30)["content"]
        self.assertEqual(reply["matches"], ["maven", "mavenRepo"])
        self.assertEqual((reply["cursor_start"], reply["cursor_end"]), (1, 4))

    def test_extension_imports_are_applied(self):
        # TestExtension (test classes, found by ServiceLoader) asks for java.util.concurrent.atomic.*
        reply, outs = self.run_cell("AtomicLong.class.getName()")
        self.assertEqual(reply["status"], "ok", reply)
        self.assertEqual([c["data"]["text/plain"] for k, c, _ in outs if k == "execute_result"], ["java.util.concurrent.atomic.AtomicLong"])

    def test_zz_restart_gives_a_fresh_session(self):
        self.run_cell("int survivor = 5;")
        self.km.restart_kernel(now=False)
        self.kc.wait_for_ready(timeout=90)
        reply, _ = self.run_cell("survivor")
        self.assertEqual(reply["ename"], "CompilationException")


if __name__ == "__main__":
    unittest.main(verbosity=2)
