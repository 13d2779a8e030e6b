"""chibo/pdf.py: the font configuration kept per thread, and what a document may load."""

import io
import shutil
import threading

from pypdf import PdfReader

from chibo import pdf

PAGE = "<html lang='vi'><body><p>Biên bản {n}: Đảng bộ xã Tân Hưng</p>{extra}</body></html>"


def text(content):
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_threads_render_at_once_each_with_its_own_fonts_and_again_with_the_same():
    results, errors = {}, []

    def work(n):
        try:
            first = pdf.render_html(PAGE.format(n=n, extra=""))
            fonts = pdf._page_style(False)[0]
            second = pdf.render_html(PAGE.format(n=n, extra=""))
            results[n] = (text(first), text(second), fonts, pdf._page_style(False)[0])
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for n, (first, second, fonts, again) in results.items():
        assert f"Biên bản {n}: Đảng bộ xã Tân Hưng" in first and first == second
        assert fonts is again  # kept for the thread
    assert len({id(fonts) for _f, _s, fonts, _a in results.values()}) == 3  # never shared between threads


def test_a_configuration_whose_font_copies_were_removed_is_made_again():
    fonts = pdf._page_style(False)[0]
    shutil.rmtree(fonts._folder)  # a tmp cleaner on a long-running worker
    assert "Tân Hưng" in text(pdf.render_html(PAGE.format(n=1, extra="")))
    assert pdf._page_style(False)[0] is not fonts


def test_a_document_loads_no_local_file_and_nothing_from_the_network(tmp_path):
    """Were a template ever to let a user's text through as HTML, it could read nothing from the server."""
    css, svg = tmp_path / "secret.css", tmp_path / "secret.svg"
    css.write_text('p::after { content: "SECRET-FROM-CSS"; }')
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="300" height="40">'
                   '<text x="0" y="20" font-family="Chibo Serif">SECRET-FROM-SVG</text></svg>')  # fmt: skip
    extra = (f'<link rel="stylesheet" href="{css.as_uri()}"><img src="{svg.as_uri()}">'
             '<img src="http://127.0.0.1:9/tracker.png">')  # fmt: skip
    content = pdf.render_html(PAGE.format(n=1, extra=extra))
    assert "SECRET-FROM" not in text(content)
    assert "Tân Hưng" in text(content)  # the shipped fonts still load
