"""declutter.io.html renders a page the way a reader sees it: one line per block."""

from __future__ import annotations

from declutter.io.html import RenderedLine, extract_title, html_to_lines, page_titles, render_html


def test_block_elements_start_lines_and_inline_elements_join() -> None:
    html = (
        "<body><div>Intro <span>with</span> <a href=#>a link</a>"
        "<p>Para <em>one</em>.</p>tail text</div>"
        "<ul><li>first</li><li>second</li></ul><h2>Heading</h2><blockquote>Quote</blockquote></body>"
    )
    assert html_to_lines(html) == [
        "Intro with a link",
        "Para one.",
        "tail text",
        "first",
        "second",
        "Heading",
        "Quote",
    ]


def test_invisible_parts_are_dropped() -> None:
    html = (
        "<html><head><title>Page title</title><style>p{}</style></head><body>"
        "<script>var x = 'Script text';</script><noscript>Enable JavaScript</noscript>"
        "<template><p>Template</p></template><svg><text>Logo</text></svg>"
        "<p hidden>Hidden attr</p><p style='display: none'>Hidden style</p>"
        "<span class='sr-only'>Screen reader</span><!-- a comment -->"
        "<p aria-hidden='true'>Decorative but on screen</p><p>Visible</p></body></html>"
    )
    assert html_to_lines(html) == ["Decorative but on screen", "Visible"]


def test_noscript_content_rendered_on_request() -> None:
    html = "<body><noscript><p>Forum post</p></noscript><p>Shell</p></body>"
    assert html_to_lines(html, noscript=True) == ["Forum post", "Shell"]


def test_br_pre_and_table_cells_break_lines() -> None:
    html = (
        "<p>line one<br>line two</p><pre>code  a\n  code b</pre>"
        "<table><tr><td>Menu</td><td>Story text here</td></tr></table>"
    )
    assert html_to_lines(html) == [
        "line one",
        "line two",
        "code a",
        "code b",
        "Menu",
        "Story text here",
    ]


def test_whitespace_collapses_and_empty_blocks_vanish() -> None:
    html = "<div>  spread \n\t over   lines&amp;more </div><div>   </div><p>&nbsp;</p><div>x</div>"
    assert html_to_lines(html) == ["spread over lines&more", "x"]


def test_kinds_mark_headings_and_captions() -> None:
    html = (
        "<h1>Headline</h1><figure><img src=a.jpg><figcaption>Photo: AP</figcaption></figure>"
        "<div class='wp-caption-text'>Credit line</div><p>Body</p>"
        "<figure><blockquote>Pull quote</blockquote><figcaption>Speaker</figcaption></figure>"
    )
    assert render_html(html) == [
        RenderedLine("Headline", "h1"),
        RenderedLine("Photo: AP", "caption"),
        RenderedLine("Credit line", "caption"),
        RenderedLine("Body", ""),
        RenderedLine("Pull quote", ""),
        RenderedLine("Speaker", ""),
    ]


def test_kinds_mark_lists_of_cited_works() -> None:
    html = (
        "<p>Body [1]</p><h2>References</h2><div class='reflist'><ol class='references'>"
        "<li>^ Smith, J. (2001). <a href=x>A title</a>. Retrieved 2020.</li></ol></div><p>Footer</p>"
    )
    assert render_html(html) == [
        RenderedLine("Body [1]", ""),
        RenderedLine("References", "h2"),
        RenderedLine("^ Smith, J. (2001). A title. Retrieved 2020.", "references"),
        RenderedLine("Footer", ""),
    ]


def test_text_only_rendering_skips_the_container_kinds_but_not_the_text() -> None:
    html = "<h1>H</h1><figure><img src=a.jpg><figcaption>Photo: AP</figcaption></figure><ol class='references'><li>^ A</li></ol>"
    assert render_html(html, containers=False) == [
        RenderedLine("H", "h1"), RenderedLine("Photo: AP", ""), RenderedLine("^ A", "")
    ]
    assert html_to_lines(html) == [line.text for line in render_html(html)]


def test_deeply_nested_markup_does_not_recurse() -> None:
    html = "<div>" * 5000 + "deep" + "</div>" * 5000 + "<p>after</p>"
    assert html_to_lines(html) == ["deep", "after"]


def test_titles_come_from_og_twitter_and_title_tag() -> None:
    html = (
        "<head><title>Story | Site</title><meta name='twitter:title' content='Story'>"
        "<meta property='og:title' content='Story, longer'></head>"
    )
    assert page_titles(html) == ["Story, longer", "Story", "Story | Site"]
    assert extract_title(html) == "Story, longer"
    assert extract_title("<p>no title</p>") is None


def test_kinds_mark_list_table_and_code_lines_under_captions_and_headings() -> None:
    html = (
        "<ul><li>Eggs</li><li>Milk <span class='caption'>Photo: AP</span></li></ul>"
        "<table><tr><th>Interface</th><td>Bluetooth</td></tr></table>"
        "<pre>app.use(log);\n});</pre><p>Use <code>x</code> here</p>"
        "<ol class='references'><li>^ Doe (1999).</li></ol><ul><li><h3>Pros</h3></li></ul>"
    )
    assert render_html(html) == [
        RenderedLine("Eggs", "list"),
        RenderedLine("Milk Photo: AP", "caption"),  # a caption piece outranks the list
        RenderedLine("Interface", "table"),
        RenderedLine("Bluetooth", "table"),
        RenderedLine("app.use(log);", "code"),
        RenderedLine("});", "code"),
        RenderedLine("Use x here", ""),  # inline <code> is prose
        RenderedLine("^ Doe (1999).", "references"),
        RenderedLine("Pros", "h3"),
    ]
