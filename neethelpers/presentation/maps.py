"""Choropleth maps as plain SVG, drawn from the catalogued GeoJSON boundaries.

No GIS stack is needed for 15 counties and 357 municipalities: the boundaries are
projected with the spherical Lambert azimuthal equal-area projection centred on Norway
(:func:`laea`; Snyder 1987, *Map Projections — A Working Manual*, eqs. 24-2 to 24-4), so
areas keep their proportions; simplified once per drawing with GEOS's coverage
simplification (:func:`shapely.coverage_simplify`), which simplifies every shared border
once and identically for both neighbours, so no gaps or overlaps appear; and written as
SVG paths.

Values are put into classes with :mod:`mapclassify` (:func:`classify`: Fisher–Jenks
natural breaks or quantiles), coloured with ColorBrewer's sequential YlGnBu scheme
(:func:`sequential_colours`; sequential ColorBrewer schemes are safe for the common forms
of colour blindness), and explained in a legend whose class ranges cover every value.

An area can be a link (``href``) with a ``<title>`` shown on hover and an ``aria-label``
read by screen readers; links are focusable with the keyboard and get a black outline on
hover and focus. An area can be hatched (``hatched=True``) to mark an uncertain value
without hiding it, and an area without a value is drawn light grey and listed in the
legend as «ingen tall».
"""

from __future__ import annotations

import html
import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import shapely

from neethelpers.presentation import fmt

#: Mean Earth radius (IUGG), metres.
EARTH_RADIUS = 6_371_008.8
#: Projection centre: the middle of mainland Norway.
CENTRE_LON, CENTRE_LAT = 15.0, 65.0
#: ColorBrewer scheme (via matplotlib) for the classes.
COLOUR_SCHEME = "YlGnBu"
NO_DATA_COLOUR = "#e8e8e8"
BORDER_COLOUR = "#ffffff"
HIGHLIGHT_COLOUR = "#0072B2"  # Okabe–Ito blue, the house highlight colour
CONTEXT_COLOUR = "#d4d4d4"
TEXT_COLOUR = "#1a1a1a"
ATTRIBUTION = "Kartgrunnlag: © Kartverket (CC BY 4.0)"
SCHEMES = {"FisherJenks": "naturlige brudd (Fisher–Jenks)", "Quantiles": "kvantiler"}


# --- projection and geometry ---------------------------------------------------------------

def laea(lon, lat, lon0: float = CENTRE_LON, lat0: float = CENTRE_LAT) -> tuple[np.ndarray, np.ndarray]:
    """Spherical Lambert azimuthal equal-area projection (metres, x east, y north)."""
    lam, phi = np.radians(np.asarray(lon, dtype=float)), np.radians(np.asarray(lat, dtype=float))
    lam0, phi0 = math.radians(lon0), math.radians(lat0)
    cos_c = math.sin(phi0) * np.sin(phi) + math.cos(phi0) * np.cos(phi) * np.cos(lam - lam0)
    k = np.sqrt(2.0 / (1.0 + cos_c))
    x = EARTH_RADIUS * k * np.cos(phi) * np.sin(lam - lam0)
    y = EARTH_RADIUS * k * (math.cos(phi0) * np.sin(phi) - math.sin(phi0) * np.cos(phi) * np.cos(lam - lam0))
    return x, y


def _project_coords(coords: np.ndarray) -> np.ndarray:
    x, y = laea(coords[:, 0], coords[:, 1])
    return np.column_stack([x, y])


def project(geometries) -> list:
    """GeoJSON geometry dicts (WGS84) → projected shapely geometries (metres)."""
    shapes = [shapely.geometry.shape(g) for g in geometries]
    return list(shapely.transform(shapes, _project_coords))


def simplify(geometries: list, tolerance: float, min_part_area: float = 0.0) -> list:
    """Simplify a coverage (polygons that share borders) with ``tolerance`` (metres),
    keeping shared borders identical, then drop parts (islets) smaller than
    ``min_part_area`` square metres — never an area's largest part."""
    simplified = shapely.coverage_simplify(np.asarray(geometries, dtype=object), tolerance)
    out = []
    for geom in simplified:
        parts = list(getattr(geom, "geoms", [geom]))
        parts = [p for p in parts if not p.is_empty]
        if not parts:
            out.append(geom)
            continue
        largest = max(parts, key=lambda p: p.area)
        kept = [p for p in parts if p is largest or p.area >= min_part_area]
        out.append(kept[0] if len(kept) == 1 else shapely.MultiPolygon(kept))
    return out


# --- classes and colours -----------------------------------------------------------------

def sequential_colours(k: int) -> list[str]:
    """``k`` colours from light to dark of the ColorBrewer YlGnBu scheme (the lightest
    step is skipped so every class stands out from a white page)."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    cmap = colormaps[COLOUR_SCHEME]
    if k == 1:
        return [to_hex(cmap(0.6))]
    return [to_hex(cmap(v)) for v in np.linspace(0.25, 0.95, k)]


@dataclass(frozen=True)
class Classes:
    """Classes of a choropleth: ``upper[i]`` is the upper bound of class ``i`` (the lower
    bound is the previous class's upper bound, exclusive; class 0 starts at ``lower``)."""

    scheme: str
    lower: float
    upper: tuple[float, ...]
    colours: tuple[str, ...]

    @property
    def k(self) -> int:
        return len(self.upper)

    def index(self, value: float) -> int:
        """The class of ``value`` (values above the top bound go into the top class)."""
        for i, bound in enumerate(self.upper):
            if value <= bound:
                return i
        return self.k - 1

    def colour(self, value: float | None) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return NO_DATA_COLOUR
        return self.colours[self.index(value)]

    def bounds(self, i: int) -> tuple[float, float]:
        return (self.lower if i == 0 else self.upper[i - 1], self.upper[i])

    def labels(self, decimals: int = 1, unit: str = " %") -> list[str]:
        """Norwegian legend texts, e.g. ``"9,1–10,4 %"`` and ``"over 10,4–11,9 %"``."""
        out = []
        for i in range(self.k):
            lo, hi = self.bounds(i)
            text = f"{fmt.number(lo, decimals)}–{fmt.number(hi, decimals)}{unit}"
            out.append(text if i == 0 else "over " + text)
        return out

    def describe(self) -> str:
        return f"{self.k} klasser etter {SCHEMES.get(self.scheme, self.scheme)} (mapclassify)"


def classify(values, k: int = 5, scheme: str = "FisherJenks") -> Classes:
    """Classes for ``values`` with :mod:`mapclassify` (``FisherJenks`` or ``Quantiles``).

    ``k`` is reduced to the number of distinct values when there are fewer; the classes
    always cover every value (class 0 starts at the smallest, the top class ends at the
    largest).
    """
    import mapclassify

    vals = np.asarray([v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))],
                      dtype=float)
    if vals.size == 0:
        raise ValueError("no values to classify")
    k = max(1, min(k, len(np.unique(vals))))
    if k == 1:
        upper = (float(vals.max()),)
    else:
        if scheme not in SCHEMES:
            raise ValueError(f"unknown classification scheme {scheme!r}; use one of {', '.join(SCHEMES)}")
        with warnings.catch_warnings():
            # mapclassify suggests numba for speed; irrelevant for a few hundred values.
            warnings.simplefilter("ignore", UserWarning)
            upper = tuple(float(b) for b in getattr(mapclassify, scheme)(vals, k=k).bins)
    return Classes(scheme=scheme, lower=float(vals.min()), upper=upper, colours=tuple(sequential_colours(len(upper))))


# --- drawing --------------------------------------------------------------------------------

@dataclass
class Area:
    """One area of a map: projected geometry, fill and (optionally) link and texts."""

    code: str
    geometry: object  # projected shapely (Multi)Polygon
    fill: str
    title: str = ""  # shown on hover (SVG <title>) and read as the link's label
    href: str | None = None
    hatched: bool = False
    emphasis: bool = False  # drawn with a dark outline (e.g. the county on a locator map)


@dataclass
class LegendItem:
    label: str
    fill: str
    hatched: bool = False


@dataclass
class Legend:
    title: str
    items: list[LegendItem] = field(default_factory=list)
    position: str = "below"  # "below" the map, or "inside" its lower right corner


def legend_for(classes: Classes, title: str, *, hatched_label: str | None = None, no_data: bool = False,
               position: str = "below") -> Legend:
    """A legend with one entry per class, plus «usikre tall» (hatched) and «ingen tall» if used."""
    items = [LegendItem(lbl, col) for lbl, col in zip(classes.labels(), classes.colours)]
    if hatched_label:
        items.append(LegendItem(hatched_label, "#ffffff", hatched=True))
    if no_data:
        items.append(LegendItem("ingen tall", NO_DATA_COLOUR))
    return Legend(title, items, position)


def _fmt_coord(v: float) -> str:
    text = f"{v:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _path_data(geom, to_px) -> str:
    parts = []
    for poly in getattr(geom, "geoms", [geom]):
        for ring in [poly.exterior, *poly.interiors]:
            xy = to_px(np.asarray(ring.coords))
            pts = [f"{_fmt_coord(x)} {_fmt_coord(y)}" for x, y in xy[:-1]]
            # Drop consecutive duplicates created by rounding.
            dedup = [p for i, p in enumerate(pts) if i == 0 or p != pts[i - 1]]
            if len(dedup) >= 3:
                parts.append("M" + "L".join(dedup) + "Z")
    return "".join(parts)


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


_HATCH_ID = "{prefix}-hatch"

_STYLE = """\
.{prefix} a:hover path, .{prefix} a:focus path {{ stroke: #000; stroke-width: 2.5; }}
.{prefix} a:focus {{ outline: none; }}
.{prefix} text {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  fill: {text}; }}
"""


def svg_map(areas: list[Area], *, width: float = 400, title: str, description: str, legend: Legend | None = None,
            attribution: str = ATTRIBUTION, font_size: float = 15, padding: float = 6, prefix: str = "neetmap",
            extent=None, border_width: float = 0.6, element_id: str | None = None) -> str:
    """The map as a standalone ``<svg>`` element (usable inline or as a file).

    ``width`` is the width in CSS pixels at which ``font_size`` applies (text scales with
    the drawing: 400 wide with 15-unit text still gives about 12,8 CSS px in a 342-px
    phone column). The SVG has ``role="img"`` unless it contains links (then
    ``role="group"``, so the links stay reachable), a ``<title>`` and a ``<desc>``. ``extent`` (minx, miny,
    maxx, maxy in projected metres) defaults to the bounds of all areas.
    """
    geoms = [a.geometry for a in areas]
    minx, miny, maxx, maxy = extent if extent is not None else shapely.total_bounds(geoms)
    inner_w = width - 2 * padding
    scale = inner_w / (maxx - minx)
    map_h = (maxy - miny) * scale
    line = font_size * 1.45
    legend_h = 0.0
    if legend is not None and legend.position == "below":
        legend_h = line * (len(legend.items) + 1) + font_size * 0.5
    attribution_h = font_size * 1.3 if attribution else 0.0
    height = padding * 2 + map_h + legend_h + attribution_h

    def to_px(coords: np.ndarray) -> np.ndarray:
        return np.column_stack([(coords[:, 0] - minx) * scale + padding, (maxy - coords[:, 1]) * scale + padding])

    has_links = any(a.href for a in areas)
    hatch_id = _HATCH_ID.format(prefix=prefix)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_fmt_coord(width)} {_fmt_coord(height)}" '
        f'width="{_fmt_coord(width)}" height="{_fmt_coord(height)}" class="{prefix}" '
        f'role="{"group" if has_links else "img"}" aria-labelledby="{prefix}-title {prefix}-desc"'
        + (f' id="{_esc(element_id)}"' if element_id else "")
        + ' style="max-width: 100%; height: auto;">',
        f'<title id="{prefix}-title">{_esc(title)}</title>',
        f'<desc id="{prefix}-desc">{_esc(description)}</desc>',
        "<style>" + _STYLE.format(prefix=prefix, text=TEXT_COLOUR) + "</style>",
        f'<defs><pattern id="{hatch_id}" patternUnits="userSpaceOnUse" width="5" height="5" '
        'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="5" stroke="#000" stroke-width="1.3" '
        'stroke-opacity="0.55"/></pattern></defs>',
    ]
    emphasised = []
    for a in areas:
        d = _path_data(a.geometry, to_px)
        shape = (f'<path d="{d}" fill="{a.fill}" stroke="{BORDER_COLOUR}" stroke-width="{border_width}" '
                 'stroke-linejoin="round"/>')
        if a.hatched:
            shape += f'<path d="{d}" fill="url(#{hatch_id})" stroke="none" pointer-events="none"/>'
        hover = f"<title>{_esc(a.title)}</title>" if a.title else ""
        if a.href:
            out.append(f'<a href="{_esc(a.href)}" aria-label="{_esc(a.title)}" tabindex="0" '
                       f'data-code="{_esc(a.code)}">{hover}{shape}</a>')
        else:
            out.append(f'<g data-code="{_esc(a.code)}">{hover}{shape}</g>')
        if a.emphasis:
            emphasised.append(d)
    for d in emphasised:  # outlines on top, so neighbours never cover them
        out.append(f'<path d="{d}" fill="none" stroke="#000" stroke-width="1.2" stroke-linejoin="round"/>')
    if legend is not None:
        out.append(_legend_svg(legend, width=width, font_size=font_size, padding=padding,
                               top=padding + map_h + font_size * 0.5, line=line, hatch_id=hatch_id))
    if attribution:
        out.append(f'<text x="{_fmt_coord(width - padding)}" y="{_fmt_coord(height - padding * 0.6)}" '
                   f'text-anchor="end" font-size="{_fmt_coord(font_size * 0.9)}">{_esc(attribution)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _legend_svg(legend: Legend, *, width: float, font_size: float, padding: float, top: float, line: float,
                hatch_id: str) -> str:
    box = font_size
    if legend.position == "inside":
        longest = max([len(legend.title)] + [len(i.label) + 3 for i in legend.items])
        x0 = width - padding - longest * font_size * 0.55
        y0 = top - line * (len(legend.items) + 1) - font_size * 2.5
    else:
        x0, y0 = padding, top
    parts = [f'<g class="legend"><text x="{_fmt_coord(x0)}" y="{_fmt_coord(y0 + font_size)}" '
             f'font-size="{_fmt_coord(font_size)}" font-weight="bold">{_esc(legend.title)}</text>']
    for i, item in enumerate(legend.items, start=1):
        y = y0 + i * line
        parts.append(f'<rect x="{_fmt_coord(x0)}" y="{_fmt_coord(y + 2)}" width="{_fmt_coord(box * 1.4)}" '
                     f'height="{_fmt_coord(box)}" fill="{item.fill}" stroke="#767676" stroke-width="0.6"/>')
        if item.hatched:
            parts.append(f'<rect x="{_fmt_coord(x0)}" y="{_fmt_coord(y + 2)}" width="{_fmt_coord(box * 1.4)}" '
                         f'height="{_fmt_coord(box)}" fill="url(#{hatch_id})"/>')
        parts.append(f'<text x="{_fmt_coord(x0 + box * 1.4 + 6)}" y="{_fmt_coord(y + box)}" '
                     f'font-size="{_fmt_coord(font_size)}">{_esc(item.label)}</text>')
    parts.append("</g>")
    return "".join(parts)
