"""Simple tongue drawings for the self-check, one per tongue finding, as inline SVG.

Schematic, not photographic: each drawing changes one thing (colour, shape, coat, marks)
from a normal pink tongue, so a person can compare with a mirror. Decorative next to the
question text, so each is aria-hidden.
"""

from __future__ import annotations

NORMAL = "#e8a0a0"
BODY = {
    "tongue-pale": "#f2cfc9",
    "tongue-red": "#d2453f",
    "tongue-purple": "#8d5b9c",
    "tongue-dusky": "#a06b7a",
}
COAT = {
    "coat-thin-white": ("#ffffff", 0.45),
    "coat-white-greasy": ("#fbfbf2", 0.85),
    "coat-yellow-greasy": ("#e5c65a", 0.85),
    "coat-yellow": ("#e9cf6b", 0.6),
    "coat-thick": ("#f4f1e6", 0.9),
    "coat-wet": ("#dff0ff", 0.5),
}
OUTLINE = "M20,10 C20,4 80,4 80,10 L82,55 C82,85 62,98 50,98 C38,98 18,85 18,55 Z"
SWOLLEN = "M12,10 C12,3 88,3 88,10 L90,55 C90,88 64,99 50,99 C36,99 10,88 10,55 Z"
THIN = "M30,10 C30,5 70,5 70,10 L71,55 C71,85 58,97 50,97 C42,97 29,85 29,55 Z"


def tongue_svg(finding_id: str) -> str:
    outline = (
        SWOLLEN
        if finding_id in ("tongue-swollen", "tongue-tooth-marked")
        else THIN
        if finding_id == "tongue-thin"
        else OUTLINE
    )
    fill = BODY.get(finding_id, NORMAL)
    parts = [f'<path d="{outline}" fill="{fill}" stroke="#7a4b4b" stroke-width="1.2"/>']
    parts.append('<path d="M50,18 L50,70" stroke="#b46a6a" stroke-width="1"/>')  # midline groove
    if finding_id in COAT:
        colour, opacity = COAT[finding_id]
        parts.append(
            f'<ellipse cx="50" cy="40" rx="24" ry="22" fill="{colour}" opacity="{opacity}"/>'
        )
    if finding_id == "coat-little":
        parts.append('<ellipse cx="40" cy="35" rx="8" ry="5" fill="#fff" opacity=".7"/>')
    if finding_id == "tongue-tooth-marked":
        parts += [
            f'<circle cx="{x}" cy="{y}" r="3" fill="#fff" opacity=".85"/>'
            for x, y in ((12, 35), (11, 50), (13, 65), (88, 35), (89, 50), (87, 65))
        ]
    if finding_id == "tongue-red-tip":
        parts.append('<ellipse cx="50" cy="90" rx="14" ry="7" fill="#d2453f"/>')
    if finding_id == "tongue-red-sides":
        parts += [
            '<ellipse cx="22" cy="50" rx="4" ry="18" fill="#d2453f"/>',
            '<ellipse cx="78" cy="50" rx="4" ry="18" fill="#d2453f"/>',
        ]
    if finding_id == "tongue-purple-spots":
        parts += [
            f'<circle cx="{x}" cy="{y}" r="2.5" fill="#5b2a6e"/>'
            for x, y in ((30, 60), (68, 55), (62, 78), (36, 80))
        ]
    if finding_id == "tongue-cracked":
        parts.append(
            '<path d="M50,25 L46,40 L52,52 L47,66 M46,40 L36,46 M52,52 L62,58" stroke="#7a3b3b" stroke-width="1.4" fill="none"/>'
        )
    if finding_id == "tongue-dry":
        parts.append(
            '<path d="M30,40 l6,2 M60,30 l6,3 M40,65 l5,1 M62,70 l6,-2" stroke="#fff" stroke-width="1"/>'
        )
    if finding_id == "tongue-trembling":
        parts.append(
            '<path d="M8,50 q3,-4 6,0 q3,4 6,0 M80,50 q3,-4 6,0 q3,4 6,0" stroke="#555" fill="none"/>'
        )
    if finding_id == "tongue-sublingual-veins":
        parts.append(
            '<path d="M40,30 C38,50 40,70 44,85 M60,30 C62,50 60,70 56,85" stroke="#4b2a6e" stroke-width="3" fill="none"/>'
        )
    return (
        f'<svg class="tongue" viewBox="0 0 100 100" width="72" height="72" aria-hidden="true" '
        f'focusable="false" xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
    )
