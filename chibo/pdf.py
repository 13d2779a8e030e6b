"""PDF rendering with WeasyPrint, shared by minutes and resolutions.

The fonts are shipped in static/fonts/ (Liberation Serif: Times New Roman's metrics, full Vietnamese), so a
PDF never depends on the fonts installed on the server. Pages are A4 with the margins of PDF_MARGINS_MM.
"""

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

FONTS = Path(settings.BASE_DIR) / "static" / "fonts"


def font_faces():
    faces = []
    for weight, style, name in [
        ("normal", "normal", "Regular"),
        ("bold", "normal", "Bold"),
        ("normal", "italic", "Italic"),
        ("bold", "italic", "BoldItalic"),
    ]:
        url = (FONTS / f"LiberationSerif-{name}.ttf").as_uri()
        faces.append(
            f'@font-face {{ font-family: "Chibo Serif"; src: url("{url}"); font-weight: {weight}; '
            f"font-style: {style}; }}"
        )
    return "\n".join(faces)


def render(template_name, context):
    """Render a template under templates/pdf/ to PDF bytes."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    top, bottom, left, right = settings.PDF_MARGINS_MM
    page_css = f"@page {{ size: A4; margin: {top}mm {right}mm {bottom}mm {left}mm; }}\n" + font_faces()
    html = render_to_string(template_name, context)
    fonts = FontConfiguration()
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        stylesheets=[CSS(string=page_css, font_config=fonts)], font_config=fonts
    )
