"""The boundary explorer in the classic Jupyter Notebook with Debian's ipywidgets, in headless Chromium: the
threshold slider dragged with the mouse changes the patches shown; the cell run again keeps the slider where it was
and shows the same patches. Screenshots go to OUT_DIR.

usage: explorer_browser.py OUT_DIR
"""
import os
import sys

import nbformat

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "kernel", "src", "test", "python"))
from browser import NotebookPage  # noqa: E402  (the kernel's test helpers)

KERNEL = os.environ.get("BOLMO4J_KERNEL_NAME", "bolmo4j")
TEXT = "Call me Ishmael. Some years ago, never mind how long precisely"

# the explorer's rows: patches as coloured spans, their count, and the threshold note
PATCHES = """(() => {
  const cell = Jupyter.notebook.get_cell(1).element[0];
  const row = [...cell.querySelectorAll('div')].find(d => d.firstChild && d.firstChild.innerText === 'Bolmo patches:');
  if (!row) return null;
  const note = [...cell.querySelectorAll('div')].map(d => d.innerText).find(t => t.startsWith('agreement')) || '';
  return {patches: [...row.querySelectorAll('span[style*=background]')].map(s => s.innerText), note: note,
          readout: [...cell.querySelectorAll('.widget-readout')].map(e => e.innerText || e.value)};
})()"""


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": KERNEL, "language": "java"}
    nb.cells = [nbformat.v4.new_code_cell("var bolmo = Bolmo.byteify(Olmo.tiny());"),
                nbformat.v4.new_code_cell('Explore.boundaries(bolmo, "%s")' % TEXT)]
    path = os.path.join(out_dir, "explorer.ipynb")
    nbformat.write(nb, path)
    with NotebookPage(path, artifacts=out_dir) as page:
        page.run_cells(0, 1)
        before = page.wait_for(PATCHES, "the explorer's patches")
        assert "".join(before["patches"]) == TEXT, before
        assert before["readout"] == ["0.50"], before
        page.screenshot(os.path.join(out_dir, "explorer-0.50.png"))

        page.drag(".widget-hslider .slider, .widget-slider .ui-slider", 0, 0.0)
        after = page.wait_for("(() => { const p = %s; return p && p.readout[0] === '0.05' && p.note.includes('threshold 0.05') ? p : null; })()"
                              % PATCHES, "the patches at threshold 0.05")
        assert "".join(after["patches"]) == TEXT, after
        assert len(after["patches"]) > len(before["patches"]), (before, after)
        print("threshold dragged to 0.05: %d patches, was %d at 0.50: ok" % (len(after["patches"]), len(before["patches"])))
        page.screenshot(os.path.join(out_dir, "explorer-0.05.png"))

        page.run_cells(1)
        again = page.wait_for(PATCHES, "the re-run explorer")
        assert again == after, (again, after)
        print("cell run again: slider still at 0.05, same patches: ok")


if __name__ == "__main__":
    main(sys.argv[1])
