"""Pictures for the OCR reader's tests, drawn with PIL: a ruled table with Chinese labels and figures (a
merged header cell), slightly rotated and blurred as a scan is; and the skip-or-fail rule for the extra."""

from __future__ import annotations

import importlib.util
import io
import os
import zipfile

import pytest

FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"

#: the table drawn: a merged header over the figure columns, then label + three figures per row
HEADER = ["信息内容", "申请人情况"]
SUBHEADER = ["", "自然人", "法人或其他组织", "总计"]
ROWS = [
    ["本年新收申请数量", "12", "3", "15"],
    ["上年结转申请数量", "0", "7", "7"],
    ["予以公开", "586", "20", "606"],
    ["不予公开", "-4", "0", "-4"],
]


def require_ocr() -> None:
    """Skip visibly without the OCR extra; under CI (CI=true) its absence is a failure."""
    if importlib.util.find_spec("rapidocr_onnxruntime") is not None:
        return
    message = 'the OCR extra is not installed (pip install -e ".[ocr]"): OCR reading tests need it'
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message + " — CI installs it (the dev extra); it must not skip these")
    pytest.skip(message)


def font(size: int = 26):
    from PIL import ImageFont

    if not os.path.exists(FONT):
        pytest.skip(f"font {FONT} (fonts-wqy-zenhei) is not installed")
    return ImageFont.truetype(FONT, size)


def table_image(angle: float = 0.7, blur: float = 0.6, rows: list[list[str]] | None = None):
    """A grey PIL image of the ruled table, with a title line above it, rotated and blurred."""
    from PIL import Image, ImageDraw, ImageFilter

    rows = ROWS if rows is None else rows
    widths = [300, 180, 240, 160]
    height = 56
    left, top = 60, 140
    total_w = sum(widths)
    n = 2 + len(rows)
    img = Image.new("L", (total_w + 2 * left, top + n * height + 120), 255)
    d = ImageDraw.Draw(img)
    f = font()
    d.text((left, 50), "某某市某某局2023年政府信息公开工作年度报告", font=f, fill=0)
    xs = [left]
    for w in widths:
        xs.append(xs[-1] + w)
    ys = [top + i * height for i in range(n + 1)]
    for y in ys:  # horizontal rules; the one under the merged header stops at the label column
        d.line([(xs[0], y), (xs[-1], y)], fill=0, width=2)
    for i, x in enumerate(xs):
        if i in (2, 3):  # inside the merged 申请人情况 header: only below it
            d.line([(x, ys[1]), (x, ys[-1])], fill=0, width=2)
        else:
            d.line([(x, ys[0]), (x, ys[-1])], fill=0, width=2)
    # 信息内容 spans both header rows: erase the rule between them in the label column
    d.line([(xs[0] + 2, ys[1]), (xs[1] - 2, ys[1])], fill=255, width=4)

    def put(text: str, x0: int, x1: int, y0: int) -> None:
        if text:
            w = d.textlength(text, font=f)
            d.text((x0 + (x1 - x0 - w) / 2, y0 + 13), text, font=f, fill=0)

    put(HEADER[0], xs[0], xs[1], ys[0] + height // 2)
    put(HEADER[1], xs[1], xs[-1], ys[0])
    for c, text in enumerate(SUBHEADER):
        put(text, xs[c], xs[c + 1], ys[1])
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            put(text, xs[c], xs[c + 1], ys[2 + r])
    if angle:
        img = img.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255, expand=False)
    if blur:
        img = img.filter(ImageFilter.GaussianBlur(blur))
    return img


def png(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def image_pdf(image) -> bytes:
    """A one-page PDF holding only the picture (no text layer), as a scanner writes it."""
    buffer = io.BytesIO()
    image.convert("L").save(buffer, "PDF", resolution=150.0)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------- DOCX

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _p(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def docx_with_picture(data: bytes) -> bytes:
    """A minimal Word file: a paragraph, a picture (DrawingML, inline), a paragraph."""
    drawing = (
        '<w:p><w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/'
        'wordprocessingDrawing"><wp:extent cx="5000000" cy="2000000"/><wp:docPr id="1" name="t3"/>'
        '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:graphicData '
        'uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic xmlns:pic="http://'
        'schemas.openxmlformats.org/drawingml/2006/picture"><pic:blipFill><a:blip r:embed="rId7"/>'
        "</pic:blipFill></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"
    )
    body = _p("表三 收到和处理政府信息公开申请情况") + drawing + _p("四、政府信息公开行政复议、行政诉讼情况")
    document = f'<w:document xmlns:w="{_W}" xmlns:r="{_R}"><w:body>{body}</w:body></w:document>'
    types = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/>'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'wordprocessingml.document.main+xml"/></Types>'
    )
    rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="word/document.xml"/></Relationships>'
    )
    doc_rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'image" Target="media/image1.png"/></Relationships>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", rels)
        z.writestr("word/document.xml", document)
        z.writestr("word/_rels/document.xml.rels", doc_rels)
        z.writestr("word/media/image1.png", data)
    return buffer.getvalue()


def pdf_text_and_picture(image) -> bytes:
    """A page with a text layer (two lines) and the picture of a table between them, 150 dpi (JPEG)."""
    buffer = io.BytesIO()
    image.convert("L").save(buffer, "JPEG", quality=90)
    jpeg = buffer.getvalue()
    w, h = image.width * 72 / 150, image.height * 72 / 150
    content = (
        b"BT /F1 14 Tf 50 780 Td (Annual report 2023, the tables follow) Tj ET "
        + b"q %.2f 0 0 %.2f 50 420 cm /Im1 Do Q " % (w, h)
        + b"BT /F1 14 Tf 50 380 Td (After the table) Tj ET"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> /XObject << /Im1 6 0 R >> >> >>"
        ),
        _stream(content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        _stream(
            jpeg,
            b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
            b"/BitsPerComponent 8 /Filter /DCTDecode " % (image.width, image.height),
        ),
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def unruled_image(rows: list[list[str]] | None = None, blur: float = 0.5):
    """The table's rows set in columns without any rule (labels left, figures right-aligned), grey, blurred."""
    from PIL import Image, ImageDraw, ImageFilter

    rows = ROWS if rows is None else rows
    f = font()
    img = Image.new("L", (1000, 120 + 60 * len(rows)), 255)
    d = ImageDraw.Draw(img)
    rights = [520, 720, 900]
    for r, row in enumerate(rows):
        y = 60 + 60 * r
        d.text((60, y), row[0], font=f, fill=0)
        for text, right in zip(row[1:], rights):
            d.text((right - d.textlength(text, font=f), y), text, font=f, fill=0)
    return img.filter(ImageFilter.GaussianBlur(blur)) if blur else img
