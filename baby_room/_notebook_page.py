"""The HTML page of an executed notebook: nbconvert's classic page, converted with less work.

nbconvert's ``HTMLExporter`` renders the page with its Jinja template and then passes the
whole page through BeautifulSoup (``html.parser``) to add ``alt`` to images that lack it
and ``tabindex`` to JupyterLab cells, serialising the tree again. That round trip is most
of a page's conversion, and the highlighted code of the cells (a ``<span>`` per token)
is a third of the elements it parses. :class:`ClassicPage` gives the same bytes with less
of it:

- the code of a cell, as pygments highlights it (``<span>`` elements holding escaped text
  inside ``<div class="..."><pre>``), is set aside before the round trip and put back in
  the form BeautifulSoup would have written it: inside ``<pre>`` nothing is collapsed, tags
  of that form are written as they are, and of the five entities pygments writes only
  ``&amp;``, ``&lt;`` and ``&gt;`` stay escaped (``&quot;`` and ``&#39;`` become the
  characters). Highlighted code of any other form goes through the round trip as before;
- the three CSS selections (``img:not([alt])``, ``.jp-Notebook div.jp-Cell-inputWrapper``,
  ``.jp-Notebook div.jp-OutputArea-output``) are one walk over the tags.

``tests/test_notebook_html.py`` compares the pages with nbconvert's classic output.
"""

from __future__ import annotations

import re
import uuid

from bs4 import BeautifulSoup
from nbconvert import HTMLExporter
from nbconvert.exporters.templateexporter import TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

#: Highlighted code in the form pygments writes it: spans of escaped text in a ``<pre>``
#: (no raw ``>`` in the text, no nested or unclosed span, class names without entities).
_HIGHLIGHTED = re.compile(
    r'(<div class="[^"<>&]*"><pre>)'
    r'((?:[^<>]++|<span(?: class="[\w-]+(?: [\w-]+)*+")?>[^<>]*+</span>)*+)'
    r"(</pre></div>\s*)", re.DOTALL)
#: An ampersand that does not start one of the entities pygments writes.
_OTHER_AMPERSAND = re.compile(r"&(?!(?:amp|lt|gt|quot|#39);)")


def _as_soup_writes(inner: str) -> str:
    """The content of a :data:`_HIGHLIGHTED` ``<pre>`` as BeautifulSoup writes it back.

    Examples
    --------
    >>> _as_soup_writes('<span class="s1">&#39;a&#39; &amp; &quot;b&quot; &lt;</span>')
    '<span class="s1">\\'a\\' &amp; "b" &lt;</span>'
    """
    return inner.replace("&quot;", '"').replace("&#39;", "'")


class ClassicPage(HTMLExporter):
    """``HTMLExporter`` with the template ``baby_room`` (see the module docstring).

    Its :meth:`from_notebook_node` follows nbconvert 7's ``HTMLExporter`` step by step;
    the template calls the filter ``baby_room_code`` where the classic one calls
    ``highlight_code``.
    """

    def from_notebook_node(self, nb, resources=None, **kw):
        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        highlight_code = self.filters.get(
            "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
        resources = self._init_resources(resources)
        filter_data_type = WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources)
        token = _token()
        codes: list[str] = []
        set_aside = [True]

        def code(source, language=None, metadata=None):
            html = highlight_code(source, language=language, metadata=metadata)
            match = _HIGHLIGHTED.fullmatch(html) if set_aside[0] else None
            if match is None or _OTHER_AMPERSAND.search(match[2]):
                return html  # not pygments' usual form: the round trip writes it
            codes.append(_as_soup_writes(match[2]))
            return f"{match[1]}{token}{len(codes) - 1}.{match[3]}"

        self.register_filter("highlight_code", highlight_code)
        self.register_filter("baby_room_code", code)
        self.register_filter("filter_data_type", filter_data_type)
        html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        marks = re.compile(re.escape(token) + r"(\d+)\.")
        if len(marks.findall(html)) != len(codes):  # the notebook holds the token itself
            set_aside[0] = False
            codes.clear()
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        soup = BeautifulSoup(html, features="html.parser")
        missing_alt = 0
        for tag in soup.find_all(True):
            if tag.name == "img":
                if "alt" not in tag.attrs:
                    tag.attrs["alt"] = "No description has been provided for this image"
                    missing_alt += 1
            elif tag.name == "div" and _in_notebook(tag):
                tag.attrs["tabindex"] = "0"
        if missing_alt:
            self.log.warning("Alternative text is missing on %s image(s).", missing_alt)
        page = str(soup)
        return (marks.sub(lambda m: codes[int(m[1])], page) if codes else page), resources


def _token() -> str:
    """A mark that no notebook holds (checked: a page that holds it is made without)."""
    return f"baby-room-code-{uuid.uuid4().hex}-"


def _in_notebook(div) -> bool:
    """A div that ``.jp-Notebook div.jp-Cell-inputWrapper`` or
    ``.jp-Notebook div.jp-OutputArea-output`` selects."""
    classes = div.get("class") or ()
    if "jp-Cell-inputWrapper" not in classes and "jp-OutputArea-output" not in classes:
        return False
    return any("jp-Notebook" in (parent.get("class") or ()) for parent in div.parents)
