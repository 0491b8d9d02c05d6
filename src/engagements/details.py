"""`engagements show`: everything about one request or one pledge, as plain data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .matching import Suggestion, match
from .models import Commitment, Dataset, Provenance


def provenance_dict(prov: Provenance | None, sources: dict[str, Any]) -> dict[str, Any] | None:
    """A pledge's provenance, with its source's title, author, date and file spelled out."""
    if prov is None:
        return None
    source = sources.get(prov.source)
    return {
        "source": prov.source,
        "title": source.title if source else None,
        "author": source.author if source else None,
        "date": source.date.isoformat() if source and source.date else None,
        "file": source.file if source else None,
        "section": prov.section,
        "subsection": prov.subsection,
        "item": prov.item,
        "line": prov.line,
    }


def details(
    data: Dataset, item: str, *, use_links: bool = True, run_match: Callable[..., list[Suggestion]] = match
) -> dict[str, Any] | None:
    """The detail of a request (its pledges, list by list) or of a pledge (its requests); None if unknown.

    `run_match` is `matching.match` or a function that gives the same result (the CLI's cached one).
    """
    sources = {s.id: s for s in data.commitments.sources}
    requests = {r.id: r for r in data.requests.requests}
    pledges: dict[str, tuple[str, Commitment]] = {
        c.id: (lst.id, c) for lst in data.commitments.lists for c in lst.commitments
    }
    if item in requests:
        r = requests[item]
        rows = run_match(data, use_links=use_links, requests=[item])
        lists = []
        for lst in data.commitments.lists:
            found = [s for s in rows if s.list == lst.id]
            found.sort(key=lambda s: (s.level != "covered", s.source != "link", -s.score))
            lists.append(
                {
                    "list": lst.id,
                    "name": lst.name,
                    "pledges": [
                        {
                            **s.as_dict(),
                            "text": pledges[s.commitment][1].text,
                            "provenance": provenance_dict(pledges[s.commitment][1].provenance, sources),
                        }
                        for s in found
                    ],
                }
            )
        return {
            "kind": "request",
            "id": r.id,
            "title": r.title,
            "text": r.text,
            "number": r.number,
            "axis": r.axis,
            "lists": lists,
        }
    if item in pledges:
        list_id, c = pledges[item]
        lst = next(x for x in data.commitments.lists if x.id == list_id)
        rows = [s for s in run_match(data, use_links=use_links, lists=[list_id]) if s.commitment == item]
        return {
            "kind": "commitment",
            "id": c.id,
            "list": list_id,
            "list_name": lst.name,
            "text": c.text,
            "note": c.note,
            "status": c.status,
            "provenance": provenance_dict(c.provenance, sources),
            "requests": [{**s.as_dict(), "title": requests[s.request].title} for s in rows],
        }
    return None
