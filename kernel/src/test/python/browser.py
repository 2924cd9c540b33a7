"""Headless Chromium driven over the Chrome DevTools Protocol (Debian's python3-websocket), with the network beyond
this machine blocked: Chromium(url) for any page; NotebookPage(notebook) for a notebook on a private classic Jupyter
Notebook server (Debian's jupyter-notebook, with its ipywidgets extension), used as a person uses it: open it, run
cells, drag a slider with the mouse, read the page.

    with NotebookPage(notebook_path) as page:
        page.run_all()
        page.wait_for("document.querySelectorAll('.widget-slider').length > 0")
        page.drag_slider(0, 0.8)
"""
import base64
import itertools
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
import uuid

import websocket

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError("timed out after %ds waiting for %s" % (timeout, what))


class Chromium:
    """Headless Chromium showing one page, driven over the DevTools protocol; a context manager."""

    def __init__(self, url, timeout=180, artifacts=None):
        self.url = url
        self.timeout = timeout
        self.artifacts = artifacts
        self.ids = itertools.count(1)
        self.procs = []
        self.ws = None
        self.console = []
        self.tmp = tempfile.mkdtemp(prefix="bolmo4j-browser-")

    def __enter__(self):
        self.started(lambda: self.open(self.url))
        return self

    def started(self, start):
        """Runs {start}; when it fails, what was started is stopped (a failing __enter__ gets no __exit__)."""
        try:
            start()
        except BaseException as e:
            self.__exit__(type(e), e, e.__traceback__)
            raise

    def open(self, url):
        profile = os.path.join(self.tmp, "chromium")
        self.procs.append(subprocess.Popen(
            [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
             "--proxy-server=127.0.0.1:9",  # nothing beyond this machine (loopback, bypassed by default, stays direct)
             "--remote-debugging-port=0", "--user-data-dir=" + profile, "--window-size=1200,1600", url],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        active = os.path.join(profile, "DevToolsActivePort")
        devtools = wait_until(lambda: os.path.exists(active) and open(active).read().split("\n")[0], 60, "Chromium's DevTools port")
        pages = wait_until(lambda: [t for t in json.loads(self._get("http://127.0.0.1:%s/json/list" % devtools) or "[]")
                                    if t.get("type") == "page"], 30, "the page")
        self.ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=self.timeout)
        self.call("Runtime.enable")

    def __exit__(self, *exc):
        if exc[0] is not None and self.ws is not None and self.artifacts:
            try:  # what the page looked like when the check failed
                with open(os.path.join(self.artifacts, "failed-page.html"), "w") as f:
                    f.write(self.js("document.documentElement.outerHTML"))
                self.screenshot(os.path.join(self.artifacts, "failed-page.png"))
                with open(os.path.join(self.artifacts, "console.log"), "w") as f:
                    f.write("\n".join(self.console))
                self.save_logs()
            except Exception:
                pass
        try:
            self.ws.close()
        except Exception:
            pass
        for p in reversed(self.procs):
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def save_logs(self):
        """Other logs worth keeping when a check fails."""

    @staticmethod
    def _get(url):
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                return r.read().decode()
        except OSError:
            return None

    def call(self, method, **params):
        """One DevTools command; its result (console messages that arrive meanwhile are kept)."""
        msg_id = next(self.ids)
        self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        while True:
            reply = json.loads(self.ws.recv())
            if reply.get("method") in ("Runtime.consoleAPICalled", "Runtime.exceptionThrown"):
                p = reply["params"]
                self.console.append(" ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
                                    or json.dumps(p.get("exceptionDetails", p))[:2000])
            if reply.get("id") == msg_id:
                if "error" in reply:
                    raise AssertionError("%s failed: %s" % (method, reply["error"]))
                return reply["result"]

    def js(self, expression):
        """The value of a JavaScript expression in the page (promises awaited)."""
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise AssertionError("%s threw: %s" % (expression, r["exceptionDetails"]))
        return r["result"].get("value")

    def wait_for(self, expression, what=None, timeout=None):
        return wait_until(lambda: self.js(expression), timeout or self.timeout, what or expression)

    def screenshot(self, path):
        with open(path, "wb") as f:
            f.write(base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"]))


class NotebookPage(Chromium):
    """One notebook open in headless Chromium on a private notebook server (JUPYTER_PATH from the environment)."""

    def __init__(self, notebook, timeout=180, artifacts=None):
        super().__init__(None, timeout, artifacts)
        self.notebook = os.path.abspath(notebook)

    def __enter__(self):
        self.started(self.start_notebook)
        return self

    def start_notebook(self):
        token = uuid.uuid4().hex
        port = free_port()
        env = dict(os.environ, JUPYTER_CONFIG_DIR=os.path.join(self.tmp, "config"), JUPYTER_RUNTIME_DIR=os.path.join(self.tmp, "runtime"))
        self.server_log = open(os.path.join(self.tmp, "server.log"), "w")
        self.procs.append(subprocess.Popen(
            ["/usr/bin/python3", "-m", "notebook", "--no-browser", "--port=%d" % port, "--ip=127.0.0.1",
             "--NotebookApp.token=" + token, "--notebook-dir=" + os.path.dirname(self.notebook), "--allow-root"],
            env=env, stdout=self.server_log, stderr=subprocess.STDOUT))
        base = "http://127.0.0.1:%d" % port
        wait_until(lambda: self._get(base + "/api/status?token=" + token), 60, "the notebook server")
        self.open("%s/notebooks/%s?token=%s" % (base, os.path.basename(self.notebook), token))
        self.wait_for("typeof Jupyter !== 'undefined' && Jupyter.notebook && Jupyter.notebook.kernel"
                      " && Jupyter.notebook.kernel.is_connected()", "the kernel to connect")

    def __exit__(self, *exc):
        super().__exit__(*exc)
        if getattr(self, "server_log", None):
            self.server_log.close()

    def save_logs(self):
        with open(self.server_log.name) as log, open(os.path.join(self.artifacts, "server.log"), "w") as f:
            f.write(log.read())

    def wait_idle(self):
        """Until the kernel has nothing to do."""
        time.sleep(0.5)
        self.wait_for("Jupyter.notebook.kernel_busy === false || document.querySelector('#kernel_indicator_icon')"
                      ".classList.contains('kernel_idle_icon')", "the kernel to be idle")

    def run_cells(self, *indices):
        self.js("Jupyter.notebook.execute_cells(%s)" % json.dumps(list(indices)))
        self.wait_for("[%s].every(i => Jupyter.notebook.get_cell(i).get_text() === '' || "
                      "(Jupyter.notebook.get_cell(i).input_prompt_number !== '*' && Jupyter.notebook.get_cell(i).input_prompt_number !== null))"
                      % ",".join(map(str, indices)), "cells %s to run" % (indices,))
        self.wait_idle()

    def drag(self, selector, index, fraction):
        """Drags the handle of the {index}th element matching {selector} (a slider) to {fraction} of its track, with the mouse."""
        box = self.js("(() => { const s = document.querySelectorAll(%s)[%d]; s.scrollIntoView({block: 'center'});"
                      " const track = s.getBoundingClientRect(); const h = s.querySelector('.ui-slider-handle, .noUi-handle, [role=slider]')"
                      ".getBoundingClientRect(); return [track.left, track.width, h.left + h.width / 2, h.top + h.height / 2]; })()"
                      % (json.dumps(selector), index))
        left, width, hx, hy = box
        tx = left + width * fraction
        self.call("Input.dispatchMouseEvent", type="mouseMoved", x=hx, y=hy)
        self.call("Input.dispatchMouseEvent", type="mousePressed", x=hx, y=hy, button="left", clickCount=1)
        for step in range(1, 11):
            self.call("Input.dispatchMouseEvent", type="mouseMoved", x=hx + (tx - hx) * step / 10, y=hy, button="left", buttons=1)
        self.call("Input.dispatchMouseEvent", type="mouseReleased", x=tx, y=hy, button="left", clickCount=1)

    def click(self, selector, index):
        """Clicks the {index}th element matching {selector} with the mouse."""
        x, y = self.js("(() => { const e = document.querySelectorAll(%s)[%d]; e.scrollIntoView({block: 'center'});"
                       " const r = e.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()"
                       % (json.dumps(selector), index))
        self.call("Input.dispatchMouseEvent", type="mousePressed", x=x, y=y, button="left", clickCount=1)
        self.call("Input.dispatchMouseEvent", type="mouseReleased", x=x, y=y, button="left", clickCount=1)
