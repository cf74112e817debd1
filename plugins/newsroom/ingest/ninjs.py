"""IPTC ninjs JSON (a subset): what a CMS exports.

Maps ninjs names onto ours: ``uri`` -> id, ``headline`` -> title,
``body_html``/``body_text`` -> body, ``firstcreated`` -> published,
``versioncreated`` -> updated, ``embargoed`` -> embargo_until, ``byline`` ->
authors, ``subject`` -> tags (a subject with ``rel``/``scheme`` "section"
gives the section), ``description_text`` -> summary,
``associations.featureimage`` -> image. A top-level ``section`` is accepted
as an extension.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from newsroom.bodies import text_to_html
from newsroom.ingest.markdown import ProblemError
from newsroom.models import Problem
from newsroom.text import SURROGATE, TOO_DEEP, is_safe_id, lone_surrogate


def id_from_uri(uri: str) -> str:
    """A stable, key-safe id from a ninjs uri: its last segment if safe, else a hash."""
    last = re.split(r"[:/]", uri.rstrip("/:"))[-1]
    if last and is_safe_id(last):
        return last
    return "ninjs-" + hashlib.sha1(uri.encode("utf-8")).hexdigest()[:16]


def _image(assoc: Any) -> dict[str, str] | None:
    if not isinstance(assoc, dict):
        return None
    url = assoc.get("uri") or ""
    renditions = assoc.get("renditions")
    if isinstance(renditions, dict):
        for name in ("original", "baseImage", "viewImage"):
            rendition = renditions.get(name)
            if isinstance(rendition, dict) and rendition.get("href"):
                url = rendition["href"]
                break
    if not url:
        return None
    return {
        "url": str(url),
        "alt": str(assoc.get("description_text") or assoc.get("headline") or ""),
        "caption": str(assoc.get("headline") or ""),
        "credit": str(assoc.get("byline") or ""),
    }


def parse_ninjs(text: str) -> dict[str, Any]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProblemError(
            Problem("json", f"not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}")
        ) from None
    except ValueError:  # not a JSONDecodeError: Python refuses integers of over 4,300 digits
        raise ProblemError(Problem("json", "a number of over 4,300 digits is not an article's value")) from None
    except RecursionError:
        raise ProblemError(Problem("json", f"nested too deeply: {TOO_DEEP}")) from None
    if (where := lone_surrogate(doc)) is not None:
        raise ProblemError(Problem(where, SURROGATE))
    if not isinstance(doc, dict):
        raise ProblemError(Problem("json", f"expected a ninjs object, got {type(doc).__name__}"))
    problems = []
    fields: dict[str, Any] = {"source_format": "ninjs"}
    uri = doc.get("uri")
    if not isinstance(uri, str) or not uri.strip():
        problems.append(Problem("uri", "missing: ninjs needs a uri to identify the article"))
    else:
        fields["id"] = id_from_uri(uri.strip())
    if "headline" in doc:
        fields["title"] = doc["headline"]
    if isinstance(doc.get("body_html"), str) and doc["body_html"].strip():
        fields["body_html"] = doc["body_html"]
    elif isinstance(doc.get("body_text"), str):
        fields["body_html"] = text_to_html(doc["body_text"])
    else:
        fields["body_html"] = ""
    for ours, theirs in (("published", "firstcreated"), ("updated", "versioncreated"), ("embargo_until", "embargoed")):
        if doc.get(theirs) is not None:
            fields[ours] = doc[theirs]
    if doc.get("publish_at") is not None:
        fields["publish_at"] = doc["publish_at"]
    byline = doc.get("byline")
    if isinstance(byline, str):
        fields["authors"] = [a.strip() for a in re.split(r",| et | and ", byline) if a.strip()]
    elif isinstance(byline, list):
        fields["authors"] = byline
    tags: list[str] = []
    section = doc.get("section")
    subjects = doc.get("subject") or []
    if not isinstance(subjects, list):
        problems.append(Problem("subject", f"expected a list of subjects, got {type(subjects).__name__}"))
        subjects = []
    for subject in subjects:
        if not isinstance(subject, dict) or not subject.get("name"):
            continue
        kind = str(subject.get("rel") or subject.get("scheme") or "").lower()
        if kind.endswith("section"):
            section = section or subject.get("code") or subject["name"]
        else:
            tags.append(str(subject["name"]))
    fields["tags"] = tags
    if section is not None:
        fields["section"] = section
    if doc.get("description_text"):
        fields["summary"] = doc["description_text"]
    if doc.get("language"):
        fields["language"] = doc["language"]
    if doc.get("slug"):
        fields["slug"] = doc["slug"]
    if doc.get("ednote") and "correction" in str(doc.get("ednote")).lower():
        fields["correction"] = doc["ednote"]
    associations = doc.get("associations")
    image = _image(associations.get("featureimage") if isinstance(associations, dict) else None)
    if image:
        fields["image"] = image
    if problems:
        raise ProblemError(*problems, fields=fields)
    return fields
