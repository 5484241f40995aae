"""The notebook pages of the report (baby_room.report.notebook_html) use a template of
ours that differs from nbconvert's classic one only in not passing the highlighted code
through bleach again. The reference is nbconvert's own classic template, on code chosen to
need escaping: the pages must be byte for byte the same."""

from __future__ import annotations

from baby_room.report import _html_exporter, _nbformat


def test_pages_equal_nbconvert_classic_on_code_that_needs_escaping():
    nbformat = _nbformat()
    from nbconvert import HTMLExporter

    code = [
        "html = '<script>alert(\"x\")</script>'  # <b>not bold</b> & <img src=x onerror=1>",
        "s = \"\"\"<style>body {display:none}</style>\n<!-- a comment -->\n]]>\"\"\"\n"
        "print(s < html, 'a' & 'b' if False else '&amp;')",
        "%matplotlib inline\n!echo '<iframe>'\ndef f(x: 'list[int]') -> \"<T>\":\n"
        "    return x  # é ü 中文 \u202e",
    ]
    cells = [nbformat.v4.new_markdown_cell("# Title <em>x</em> & `<code>`")]
    for i, source in enumerate(code):
        cell = nbformat.v4.new_code_cell(source, execution_count=i + 1)
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="<b>out</b>\n")]
        cells.append(cell)
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
    classic = HTMLExporter(template_name="classic")
    classic.exclude_input_prompt = classic.exclude_output_prompt = True
    ours = _html_exporter().from_notebook_node(nb)[0]
    assert ours == classic.from_notebook_node(nb)[0]
    assert "&lt;script&gt;" in ours and "<script>alert" not in ours
