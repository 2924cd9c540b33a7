"""The kernel's widgets in the classic Jupyter Notebook with Debian's ipywidgets, in headless Chromium: an interact
whose slider is dragged with the mouse (the output follows), a cell run again (its slider stays where it was left),
a dropdown and a button whose click fills an output area. Screenshots go to OUT_DIR.

usage: widgets_browser.py OUT_DIR
"""
import os
import sys

import nbformat

from browser import NotebookPage

KERNEL = os.environ.get("BOLMO4J_KERNEL_NAME", "bolmo4j")

CELLS = [
    'var word = new Text().value("moby").description("word");\n'
    'var times = new IntSlider().min(1).max(9).value(2).description("times");\n'
    'interact(() -> html("<span class=\'repeat\'>" + word.value().repeat(times.value()) + "</span>"), word, times)',
    'var colour = Dropdown.of(List.of("red", "green", "blue")).description("colour");\n'
    'var count = new Button("count");\n'
    'int[] clicks = {0};\n'
    'var out = new Output();\n'
    'count.onClick(() -> out.show(html("<span class=\'clicked\'>" + colour.value() + " " + (++clicks[0]) + "</span>")));\n'
    'Box.vertical(colour, count, out)',
]


def repeat_text(page):
    return page.js("(() => { const e = document.querySelector('.repeat'); return e ? e.innerText : null; })()")


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": KERNEL, "language": "java"}
    nb.cells = [nbformat.v4.new_code_cell(c) for c in CELLS]
    path = os.path.join(out_dir, "widgets.ipynb")
    nbformat.write(nb, path)
    with NotebookPage(path, artifacts=out_dir) as page:
        page.run_cells(0)
        page.wait_for("document.querySelector('.repeat') && document.querySelector('.repeat').innerText === 'mobymoby'",
                      "the interact output")
        page.drag(".widget-hslider .slider, .widget-slider .ui-slider", 0, 1.0)
        page.wait_for("document.querySelector('.repeat').innerText === 'moby'.repeat(9)", "the output to follow the slider")
        print("slider dragged: output follows: ok")
        page.screenshot(os.path.join(out_dir, "interact.png"))

        page.run_cells(0)
        page.wait_for("document.querySelectorAll('.repeat').length === 1", "the re-run cell's output")
        assert repeat_text(page) == "moby" * 9, repeat_text(page)
        readout = page.js("[...Jupyter.notebook.get_cell(0).element[0].querySelectorAll('.widget-readout')].map(e => e.innerText || e.value)")
        assert readout == ["9"], readout
        print("cell run again keeps the slider at 9: ok")

        page.run_cells(1)
        page.wait_for("document.querySelectorAll('button.widget-button, .widget-button').length > 0", "the button")
        page.js("(() => { const s = Jupyter.notebook.get_cell(1).element[0].querySelector('select');"
                " s.value = 'blue'; s.dispatchEvent(new Event('change', {bubbles: true})); })()")
        page.click("button.widget-button, .jupyter-button", 0)
        page.wait_for("document.querySelector('.clicked') && document.querySelector('.clicked').innerText === 'blue 1'",
                      "the button's output")
        print("dropdown and button: ok")
        page.screenshot(os.path.join(out_dir, "widgets.png"))


if __name__ == "__main__":
    main(sys.argv[1])
