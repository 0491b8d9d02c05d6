"""`engagements show`: everything about one request or one pledge, as plain data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .marks import origin_text
from .models import Commitment, Competence, Dataset, Provenance, RecordFile
from .statuses import current, label


def verdict(pledge: Commitment) -> dict[str, Any] | None:
    """The latest entry of a pledge's history with its evidence (None when never rated)."""
    if not pledge.history:
        return None
    entry = pledge.history[-1]
    evidence = entry.evidence
    return {
        "status": entry.status,
        "date": entry.date.isoformat(),
        "source": evidence.source if evidence else None,
        "url": evidence.url if evidence else None,
        "quote": evidence.quote if evidence else None,
        "note": entry.note,
        "by": entry.by,
        "entries": len(pledge.history),
    }


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


def competence_dict(competence: Competence | None) -> dict[str, Any] | None:
    """Who is responsible, and on whose word (the `competence` key of `show --format json`)."""
    from .competence import info

    found = info(competence)
    return found.as_dict() if found else None


def details(
    data: Dataset,
    item: str,
    *,
    use_links: bool = True,
    suggestions: Sequence[dict[str, Any]] | None = None,
    record: RecordFile | None = None,
    labels: dict[str, str] | None = None,
) -> dict[str, Any] | None:
    """The detail of a request (its pledges, list by list) or of a pledge (its requests); None if unknown.

    `suggestions` are the data set's links and suggestions (`coverage.Findings.suggestions`), so
    that the detail shows the same pledges as the matrix; computed here when not given.
    Each pledge or request carries its origin: `source` (`link` with `by` and `date`, or
    `matcher` with its `score`) and `confirmed`. A merged list's pledges are its parts' (see
    `mergers.py`), each with `inherited_from`: the list it is written under; a pledge's detail
    names the merged lists that hold it (`merged_into`). `record` is the public partners' record:
    its actions linked to the request (`answers`) or carrying out the pledge (`implements`) come
    under `record`, by neighbourhood (`record.done_for_request`). `labels` are the public
    records' printed numbers (`coverage.Findings.labels`), computed here when not given.
    """
    from .mergers import members
    from .record import done_for_pledge, done_for_request

    record = record or RecordFile(actions=[])
    if suggestions is None:
        from .coverage import compute

        suggestions = compute(data, use_links=use_links).suggestions
    sources = {s.id: s for s in data.commitments.sources}
    requests = {r.id: r for r in data.requests.requests}
    pledges: dict[str, tuple[str, Commitment]] = {
        c.id: (lst.id, c) for lst in data.commitments.lists for c in lst.commitments
    }
    if item in requests:
        r = requests[item]
        rows = [s for s in suggestions if s["request"] == item]
        if labels is None:  # the records' numbers in their document (`Findings.labels` when cached)
            from .coverage import record_labels

            labels = record_labels(data)
        lists: list[dict[str, Any]] = []
        institutions: list[dict[str, Any]] = []
        held = members(data.commitments.lists)
        for lst in data.commitments.lists:
            found = [s for s in rows if s["list"] in held[lst.id]]
            found.sort(key=lambda s: (s["level"] != "covered", s["source"] != "link", -s["score"]))
            (institutions if lst.kind == "institution" else lists).append(
                {
                    "list": lst.id,
                    "name": lst.name,
                    "confirmed": sum(1 for s in found if s["source"] == "link"),
                    "suggested": sum(1 for s in found if s["source"] != "link"),
                    "pledges": [
                        {
                            **s,
                            "confirmed": s["source"] == "link",
                            "origin": origin_text(s["source"], s["score"], s.get("by"), s.get("date")),
                            "text": pledges[s["commitment"]][1].text,
                            "provenance": provenance_dict(pledges[s["commitment"]][1].provenance, sources),
                            **({"label": labels[s["commitment"]]} if s["commitment"] in labels else {}),
                            **({"inherited_from": s["list"]} if s["list"] != lst.id else {}),
                        }
                        for s in found
                    ],
                    **({"elected": lst.elected.date.isoformat()} if lst.elected else {}),
                    **({"merged_from": list(lst.merged_from.lists)} if lst.merged_from else {}),
                }
            )
        return {
            "kind": "request",
            "id": r.id,
            "title": r.title,
            "text": r.text,
            "number": r.number,
            "axis": r.axis,
            "competence": competence_dict(r.competence),
            "lists": lists,
            # the public partners' records (institution lists), apart from the candidate lists
            "institutions": institutions,
            # what the public partners' record says is already done, by neighbourhood
            "record": done_for_request(record, r.id),
        }
    if item in pledges:
        list_id, c = pledges[item]
        lst = next(x for x in data.commitments.lists if x.id == list_id)
        rows = [s for s in suggestions if s["commitment"] == item]
        into = [other for other, inside in members(data.commitments.lists).items() if list_id in inside[1:]]
        return {
            "kind": "commitment",
            "id": c.id,
            "list": list_id,
            "list_name": lst.name,
            "text": c.text,
            "note": c.note,
            "status": current(c),
            "status_label": label(current(c)),
            "verdict": verdict(c),
            "deadline": c.deadline.isoformat() if c.deadline else None,
            "parent": c.parent,
            "number": c.number,
            "level_in_document": c.level,
            "provenance": provenance_dict(c.provenance, sources),
            # its own competence when its data states one (otherwise, that of its requests)
            "competence": competence_dict(c.competence),
            **({"merged_into": into} if into else {}),
            "requests": [
                {
                    **s,
                    "confirmed": s["source"] == "link",
                    "origin": origin_text(s["source"], s["score"], s.get("by"), s.get("date")),
                    "title": requests[s["request"]].title,
                }
                for s in rows
            ],
            "record": done_for_pledge(record, c.id),
        }
    return None
