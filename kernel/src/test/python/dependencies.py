"""The dependency magics in a real jupyter_client session, with the kernel's Maven home (settings.xml, local
repository) in a throwaway folder (the kernel JVM gets -Duser.home through JAVA_TOOL_OPTIONS):

    dependencies.py loopback REPO_DIR HOME   %mavenRepo and %loadFromPOM against REPO_DIR (a Maven repository the
                                             Java test built) served on a loopback port; Central is mirrored to an
                                             empty loopback path, so nothing leaves the machine; an unknown artifact
                                             fails in one line
    dependencies.py central HOME             %maven org.apache.commons:commons-text:1.12.0 from the real Maven Central
"""
import functools
import http.server
import os
import shutil
import sys
import threading
import unittest

from jupyter_client.manager import start_new_kernel

KERNEL = os.environ.get("BOLMO4J_KERNEL_NAME", "bolmo4j")


def fresh_maven_home(home, settings):
    shutil.rmtree(os.path.join(home, ".m2"), ignore_errors=True)
    os.makedirs(os.path.join(home, ".m2"))
    if settings:
        with open(os.path.join(home, ".m2", "settings.xml"), "w") as f:
            f.write(settings)
    os.environ["JAVA_TOOL_OPTIONS"] = "-Duser.home=" + home


class Session(unittest.TestCase):
    km = kc = None

    @classmethod
    def tearDownClass(cls):
        if cls.kc:
            cls.kc.stop_channels()
            cls.km.shutdown_kernel(now=True)

    @classmethod
    def start(cls):
        cls.km, cls.kc = start_new_kernel(kernel_name=KERNEL, startup_timeout=90)

    def run_cell(self, code, timeout=300):
        outputs = []
        reply = self.kc.execute_interactive(code, timeout=timeout, output_hook=lambda m: outputs.append(m))
        stdout = "".join(m["content"]["text"] for m in outputs if m["msg_type"] == "stream" and m["content"]["name"] == "stdout")
        results = [m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"]
        return reply["content"], stdout, results


class Loopback(Session):
    repo = home = None

    @classmethod
    def setUpClass(cls):
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=cls.repo)
        handler.log_message = lambda *a: None
        cls.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.url = "http://127.0.0.1:%d/" % cls.server.server_address[1]
        fresh_maven_home(cls.home, "<settings><mirrors><mirror><id>no-central</id><mirrorOf>central</mirrorOf>"
                                   "<url>%sno-such-path/</url></mirror></mirrors></settings>" % cls.url)
        cls.start()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.server.shutdown()

    def test_1_maven_repo(self):
        reply, out, _ = self.run_cell("%mavenRepo loop " + self.url)
        self.assertEqual(reply["status"], "ok", reply)
        reply, out, results = self.run_cell('%maven test.bolmo:greeter:1.0\ntest.greet.Greeter.hi("Ada")')
        self.assertEqual(reply["status"], "ok", reply)
        self.assertIn("%maven: added 2 jars: test.bolmo:greeter:1.0, test.bolmo:util:1.0", out)
        self.assertEqual(results, ["Hello, Ada / util 1.0: Ada"])

    def test_2_load_from_pom(self):
        pom = os.path.join(self.home, "pom.xml")
        with open(pom, "w") as f:
            f.write('<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>'
                    "<groupId>demo</groupId><artifactId>demo</artifactId><version>1</version>"
                    "<repositories><repository><id>pomrepo</id><url>%s</url></repository></repositories>"
                    "<dependencies><dependency><groupId>test.bolmo</groupId><artifactId>greeter2</artifactId>"
                    "<version>1.0</version></dependency></dependencies></project>" % self.url)
        reply, out, results = self.run_cell("%loadFromPOM " + pom + '\ntest.greet2.Greeter.hi("Bo")')
        self.assertEqual(reply["status"], "ok", reply)
        self.assertIn("%loadFromPOM: added 1 jar: test.bolmo:greeter2:1.0", out)
        self.assertEqual(results, ["Hello 2, Bo"])

    def test_3_unknown_artifact_is_one_clear_line(self):
        reply, _, _ = self.run_cell("%maven test.bolmo:no-such-thing:9.9")
        self.assertEqual(reply["status"], "error")
        self.assertEqual(reply["ename"], "MagicException")
        self.assertIn("test.bolmo:no-such-thing:jar:9.9", reply["evalue"])
        self.assertNotIn("\n", reply["evalue"])
        self.assertEqual(len(reply["traceback"]), 1, reply["traceback"])


class Central(Session):
    home = None

    @classmethod
    def setUpClass(cls):
        fresh_maven_home(cls.home, None)  # the user's defaults: Central, a local repository in HOME/.m2
        cls.start()

    def test_commons_text_from_central(self):
        reply, out, results = self.run_cell('%maven org.apache.commons:commons-text:1.12.0\n'
                                            'org.apache.commons.text.WordUtils.capitalize("call me ishmael")')
        self.assertEqual(reply["status"], "ok", reply)
        self.assertIn("downloaded commons-text-1.12.0.jar", out)
        self.assertEqual(results, ["Call Me Ishmael"])


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "loopback":
        Loopback.repo, Loopback.home = sys.argv[2], sys.argv[3]
        suite = unittest.defaultTestLoader.loadTestsFromTestCase(Loopback)
    else:
        Central.home = sys.argv[2]
        suite = unittest.defaultTestLoader.loadTestsFromTestCase(Central)
    sys.exit(0 if unittest.TextTestRunner(verbosity=2).run(suite).wasSuccessful() else 1)
