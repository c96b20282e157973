//! Names of water on a map: a river drawn on the map is named along its course; a river the
//! map cannot draw accurately is named where it is known to be (a label point of
//! `places.toml`, or its course where that is accurate enough for a name), or at the map's
//! edge, with an arrow, when it runs just outside the frame.

use crate::figures::frame::Rect;
use crate::figures::geo::{LonLat, Shape};
use crate::figures::layers::{Catalogue, Kind, NamedPlace, PlaceKind};
use crate::figures::maps::{
    DrawnLayers, Group, HALO, MapSvg, TextStyle, WATER_SIZE, around_marker, label_box,
};
use crate::figures::paths::{Point, distance_to_segment};

/// A name may stand for a position known to a tenth of the frame's width.
const NAME_PRECISION: f64 = 0.1;
/// A river running outside the frame is named at its edge when it is this close (in frame
/// widths).
const EDGE_REACH: f64 = 1.0;

/// Name every named river drawn on the map along its course, near the river's label point
/// when the map shows one. A river whose course in the frame is four times as long as its
/// name must be named, or it is reported.
pub fn name_drawn_rivers(
    map: &mut MapSvg<'_>,
    drawn: &DrawnLayers,
    places: &[NamedPlace],
    size: f64,
) {
    let style = map.named(TextStyle::water(size));
    let mut named: Vec<String> = Vec::new();
    for (name, _, runs) in &drawn.named_water {
        if named.contains(name) {
            continue;
        }
        named.push(name.clone());
        // Every drawn piece of this river (a river may come as several features).
        let pieces: Vec<(usize, &Vec<Point>)> = drawn
            .named_water
            .iter()
            .filter(|(n, ..)| n == name)
            .flat_map(|(_, owner, runs)| runs.iter().map(move |r| (*owner, r)))
            .collect();
        let preferred = places
            .iter()
            .filter(|p| p.kind == PlaceKind::RiverLabel && &p.name == name)
            .map(|p| map.frame.point(p.at()))
            .find(|p| map.frame.contains(*p, 0.0));
        let length: f64 = pieces
            .iter()
            .map(|(_, r)| visible_length(r, &map.frame.rect()))
            .sum();
        let width = map.extent(name, style).width;
        let placed = name_along(map, name, &pieces, preferred, style);
        // A river the map shows at length must carry its name; a short reach may go unnamed.
        if !placed && length > 4.0 * width && runs.iter().any(|r| r.len() > 1) {
            map.unplaced.push(name.clone());
        }
    }
}

/// Name rivers that lie in or near the frame but are not drawn on this map: at a label
/// point known well enough, else at the middle of their course where it is accurate enough
/// for a name, else at the edge of the frame they run beyond. Every such name is required.
pub fn name_undrawn_rivers(map: &mut MapSvg<'_>, catalogue: &Catalogue, drawn: &DrawnLayers) {
    let style = map.named(TextStyle {
        spacing: 0.25,
        ..TextStyle::water(WATER_SIZE)
    });
    let span_m = map.frame.width / map.frame.units_per_true_km() * 1000.0;
    let drawn_names: Vec<&str> = drawn.named_water.iter().map(|(n, ..)| n.as_str()).collect();
    let mut done: Vec<String> = Vec::new();
    // Label points first: they are the best-known positions.
    for place in catalogue
        .places
        .iter()
        .filter(|p| p.kind == PlaceKind::RiverLabel)
    {
        let at = map.frame.point(place.at());
        if drawn_names.contains(&place.name.as_str())
            || done.contains(&place.name)
            || !map.frame.contains(at, 0.0)
            || place.precision.metres() > NAME_PRECISION * span_m
        {
            continue;
        }
        done.push(place.name.clone());
        let radius = place.precision.metres() / 1000.0 * map.frame.units_per_true_km();
        if !name_at(map, place.text(), at, (radius, REQUIRED_STEPS), style) {
            map.unplaced.push(place.text().to_string());
        }
    }
    // Then courses, the most accurate source of each river first.
    let mut rivers: Vec<(&str, f64, &Vec<Vec<LonLat>>)> = Vec::new();
    let bounds = map.frame.bounds();
    let reach = grown_bounds(bounds, EDGE_REACH * span_m / 1000.0);
    for source in catalogue
        .sources
        .iter()
        .filter(|s| s.kind == Kind::Water && s.map.is_none())
    {
        for feature in source.in_frame(&reach) {
            if let (Some(name), Shape::Lines(lines)) = (&feature.name, &feature.shape) {
                rivers.push((name, source.accuracy_m, lines));
            }
        }
    }
    rivers.sort_by(|a, b| a.1.total_cmp(&b.1));
    for (name, accuracy, lines) in rivers {
        if drawn_names.contains(&name) || done.iter().any(|d| d == name) {
            continue;
        }
        done.push(name.to_string());
        let name = &river_words(name);
        let placed = match course_in_frame(map, lines) {
            Some(middle) if accuracy <= NAME_PRECISION * span_m => {
                let radius = accuracy / 1000.0 * map.frame.units_per_true_km();
                name_at(map, name, middle, (radius, REQUIRED_STEPS), style)
            }
            Some(_) => continue,
            None => match nearest_outside(map, lines) {
                Some((at, km)) if km <= EDGE_REACH * span_m / 1000.0 => {
                    name_at_edge(map, name, at, km, accuracy, style)
                }
                _ => continue,
            },
        };
        if !placed {
            map.unplaced.push(name.to_string());
        }
    }
}

/// A river's name as a city map writes it: `Hun` → `Hun River`.
fn river_words(name: &str) -> String {
    if ["River", "Sea", "Lake", "Canal"]
        .iter()
        .any(|w| name.contains(w))
    {
        name.to_string()
    } else {
        format!("{name} River")
    }
}

/// Bounds grown by `km` on every side (roughly, in degrees).
fn grown_bounds((sw, ne): (LonLat, LonLat), km: f64) -> (LonLat, LonLat) {
    let dlat = km / 111.0;
    let dlon = km / (111.0 * sw.lat.to_radians().cos().max(0.2));
    (
        LonLat::new(sw.lon - dlon, sw.lat - dlat),
        LonLat::new(ne.lon + dlon, ne.lat + dlat),
    )
}

/// The middle (by length) of the part of a course inside the frame, if any.
fn course_in_frame(map: &MapSvg<'_>, lines: &[Vec<LonLat>]) -> Option<Point> {
    let rect = map.frame.rect().grow(-3.0);
    let inside: Vec<Point> = lines
        .iter()
        .flat_map(|l| {
            crate::figures::paths::clip_line(
                &l.iter().map(|p| map.frame.point(*p)).collect::<Vec<_>>(),
                rect,
            )
        })
        .flatten()
        .collect();
    if inside.is_empty() {
        return None;
    }
    Some(inside[inside.len() / 2])
}

/// The point of a course nearest the frame, when the course stays outside it, with its
/// distance from the frame's edge in kilometres.
fn nearest_outside(map: &MapSvg<'_>, lines: &[Vec<LonLat>]) -> Option<(Point, f64)> {
    let rect = map.frame.rect();
    let mut best: Option<(Point, f64)> = None;
    for p in lines.iter().flatten() {
        let q = map.frame.point(*p);
        let dx = (rect.x0 - q.0).max(q.0 - rect.x1).max(0.0);
        let dy = (rect.y0 - q.1).max(q.1 - rect.y1).max(0.0);
        let d = (dx * dx + dy * dy).sqrt();
        if d == 0.0 {
            return None;
        }
        if best.is_none_or(|(_, b)| d < b) {
            best = Some((q, d));
        }
    }
    best.map(|(q, d)| (q, d / map.frame.units_per_true_km()))
}

/// The length of a run inside a box.
fn visible_length(run: &[Point], rect: &Rect) -> f64 {
    crate::figures::paths::clip_line(run, *rect)
        .iter()
        .flat_map(|r| r.windows(2))
        .map(|w| ((w[1].0 - w[0].0).powi(2) + (w[1].1 - w[0].1).powi(2)).sqrt())
        .sum()
}

/// A name written horizontally at a point, or moved as little as it must, no further than
/// `radius`: the point is where the water is known to be, to within that distance. Failing
/// that, it stands beside the point, at most `steps` steps of [`around_marker`] out.
pub fn name_at(
    map: &mut MapSvg<'_>,
    name: &str,
    at: Point,
    (radius, steps): (f64, usize),
    style: TextStyle,
) -> bool {
    let e = map.extent(name, style);
    let (w, h) = (e.width, e.ascent + e.descent);
    // Centred on the point, or moved no further than the point is known...
    let mut candidates: Vec<(Rect, &str)> = Vec::new();
    let mut ring = 0.0f64;
    while ring <= radius.max(0.0) + 1e-9 {
        let steps = if ring == 0.0 { 1 } else { 16 };
        for i in 0..steps {
            let a = std::f64::consts::TAU * i as f64 / steps as f64;
            let (cx, cy) = (at.0 + ring * a.cos(), at.1 + ring * a.sin());
            candidates.push((
                Rect::new(cx - w / 2.0, cy - h / 2.0, cx + w / 2.0, cy + h / 2.0),
                "middle",
            ));
        }
        ring += 1.0;
    }
    // ...else beside it, as a point's label is (something else is drawn on the point), and
    // only if the first step is taken, further out: what is drawn on the point may be
    // larger than the first step (a stop's marker on a map drawn for screens).
    let beside: Vec<(Rect, &str)> =
        around_marker(at.0, at.1, radius.max(0.5), w, h, map.placer.frame())
            .into_iter()
            .take(BESIDE * steps)
            .map(|(r, a, _)| (r, a))
            .collect();
    let (near, further) = beside.split_at(BESIDE.min(beside.len()));
    candidates.extend(near);
    let Some((rect, anchor)) = take(map, &candidates).or_else(|| take(map, further)) else {
        return false;
    };
    let ax = match anchor {
        "start" => rect.x0,
        "end" => rect.x1,
        _ => (rect.x0 + rect.x1) / 2.0,
    };
    let svg = map.text_svg((ax, rect.y0 + e.ascent), &[name], anchor, style, 0.0);
    map.push(Group::WaterLabel, &svg);
    map.water_names.push((name.to_string(), rect.centre()));
    true
}

/// How many places beside a point one step out from it [`around_marker`] gives.
const BESIDE: usize = 16;
/// How many steps out from its point a required name may stand beside it.
const REQUIRED_STEPS: usize = 3;

/// The best free place among `candidates` (text box and anchor), now taken.
fn take<'a>(map: &mut MapSvg<'_>, candidates: &[(Rect, &'a str)]) -> Option<(Rect, &'a str)> {
    let rects: Vec<Rect> = candidates.iter().map(|(r, _)| label_box(*r)).collect();
    map.placer.take(&rects, None).map(|i| candidates[i])
}

/// A name at the frame's edge nearest a river beyond it, with its distance and direction:
/// `Hun River, 3 km south`.
fn name_at_edge(
    map: &mut MapSvg<'_>,
    name: &str,
    beyond: Point,
    km: f64,
    accuracy_m: f64,
    style: TextStyle,
) -> bool {
    let (w, h) = (map.frame.width, map.frame.height);
    // Round the distance no finer than the course is known.
    let step = if accuracy_m >= 1000.0 { 1.0 } else { 0.5 };
    let shown = ((km / step).round() * step).max(step);
    let (dx, dy) = (
        if beyond.0 < 0.0 {
            beyond.0
        } else {
            (beyond.0 - w).max(0.0)
        },
        if beyond.1 < 0.0 {
            beyond.1
        } else {
            (beyond.1 - h).max(0.0)
        },
    );
    let horizontal = dx.abs() > dy.abs();
    let direction = match (horizontal, dx < 0.0, dy < 0.0) {
        (true, true, _) => "west",
        (true, false, _) => "east",
        (false, _, true) => "north",
        (false, _, false) => "south",
    };
    let text = format!("{name}, {shown} km {direction}");
    let e = map.extent(&text, style);
    let (bw, bh) = (e.width, e.ascent + e.descent);
    let inset = 1.5 + HALO;
    let mut candidates = Vec::new();
    // Along the edge near the river, and no further from it than a fifth of the frame.
    for inward in [0.0, 5.0, 10.0] {
        for shift in [0.0, 6.0, -6.0, 12.0, -12.0, 20.0, -20.0, 30.0, -30.0] {
            let (cx, cy) = if horizontal {
                let x = if dx < 0.0 {
                    inset + inward + bw / 2.0
                } else {
                    w - inset - inward - bw / 2.0
                };
                (
                    x,
                    (beyond.1 + shift).clamp(inset + bh / 2.0, h - inset - bh / 2.0),
                )
            } else {
                let y = if dy < 0.0 {
                    inset + inward + bh / 2.0
                } else {
                    h - inset - inward - bh / 2.0
                };
                (
                    (beyond.0 + shift).clamp(inset + bw / 2.0, w - inset - bw / 2.0),
                    y,
                )
            };
            // Measured from where the river comes nearest the frame's edge.
            let along = if horizontal {
                cy - beyond.1.clamp(0.0, h)
            } else {
                cx - beyond.0.clamp(0.0, w)
            };
            if along.abs() <= 0.2 * w.max(h) {
                candidates.push(Rect::new(
                    cx - bw / 2.0,
                    cy - bh / 2.0,
                    cx + bw / 2.0,
                    cy + bh / 2.0,
                ));
            }
        }
    }
    let rects: Vec<Rect> = candidates.iter().map(|r| label_box(*r)).collect();
    let Some(i) = map.placer.take(&rects, None) else {
        return false;
    };
    let rect = candidates[i];
    let svg = map.text_svg((rect.x0, rect.y0 + e.ascent), &[&text], "start", style, 0.0);
    map.push(Group::WaterLabel, &svg);
    map.water_names.push((name.to_string(), rect.centre()));
    true
}

/// Name a river along a straight enough stretch of its drawn course, beside the line and
/// turned with it (kept upright), as near its preferred point as it can.
fn name_along(
    map: &mut MapSvg<'_>,
    name: &str,
    pieces: &[(usize, &Vec<Point>)],
    preferred: Option<Point>,
    style: TextStyle,
) -> bool {
    let e = map.extent(name, style);
    let rect = map.frame.rect();
    let mut candidates: Vec<(f64, Rect, Point, f64, usize)> = Vec::new();
    let owner = pieces.first().map_or(0, |p| p.0);
    let runs: Vec<Vec<Point>> = pieces.iter().map(|(_, r)| r.to_vec()).collect();
    for run in chain(runs) {
        for inside in crate::figures::paths::clip_line(&run, rect.grow(-1.0)) {
            stretches(&inside, e.width, |a, b, dev| {
                let (a, b) = if b.0 < a.0 { (b, a) } else { (a, b) };
                let theta = (b.1 - a.1).atan2(b.0 - a.0);
                let (s, c) = theta.sin_cos();
                let up = (s, -c);
                let gap = dev + 0.4 + HALO;
                // Beside the river, above or below it, or, failing that, on it (the halo
                // interrupts the line under the name).
                let on = (e.ascent - e.descent) / 2.0;
                for (offset, penalty) in [
                    (gap + e.descent, 0.0),
                    (-(gap + e.ascent), 0.0),
                    (-on, 25.0),
                ] {
                    let p0 = (a.0 + up.0 * offset, a.1 + up.1 * offset);
                    let corner = |x: f64, y: f64| (p0.0 + x * c - y * s, p0.1 + x * s + y * c);
                    let corners = [
                        corner(0.0, -e.ascent),
                        corner(e.width, -e.ascent),
                        corner(0.0, e.descent),
                        corner(e.width, e.descent),
                    ];
                    let bbox = Rect::new(
                        corners.iter().map(|p| p.0).fold(f64::MAX, f64::min),
                        corners.iter().map(|p| p.1).fold(f64::MAX, f64::min),
                        corners.iter().map(|p| p.0).fold(f64::MIN, f64::max),
                        corners.iter().map(|p| p.1).fold(f64::MIN, f64::max),
                    );
                    let centre = bbox.centre();
                    let target = preferred.unwrap_or(centre);
                    let key = ((centre.0 - target.0).powi(2) + (centre.1 - target.1).powi(2))
                        .sqrt()
                        + 12.0 * s.abs()
                        + 6.0 * dev
                        + penalty;
                    candidates.push((key, bbox, p0, theta.to_degrees(), owner));
                }
            });
        }
    }
    candidates.sort_by(|a, b| a.0.total_cmp(&b.0));
    candidates.truncate(400);
    // A river's name may lie along its own course (every piece of a river shares an owner).
    let owner = Some(owner);
    let rects: Vec<Rect> = candidates.iter().map(|c| c.1.grow(HALO)).collect();
    let Some(i) = map.placer.take(&rects, owner) else {
        return false;
    };
    let (_, bbox, p0, angle, _) = candidates[i];
    let svg = map.text_svg(p0, &[name], "start", style, angle);
    map.push(Group::WaterLabel, &svg);
    map.water_names.push((name.to_string(), bbox.centre()));
    true
}

/// Pieces of a line joined end to end where one ends within a unit and a half of where
/// another starts (a river comes as reaches between its junctions, with small gaps where the
/// source left them out), so that a name can run across the joins.
fn chain(mut runs: Vec<Vec<Point>>) -> Vec<Vec<Point>> {
    let close = |a: Point, b: Point| (a.0 - b.0).abs() + (a.1 - b.1).abs() < 1.5;
    let mut out = Vec::new();
    while let Some(mut current) = runs.pop() {
        loop {
            let (first, last) = (current[0], current[current.len() - 1]);
            let Some(i) = runs.iter().position(|r| {
                close(r[0], last)
                    || close(r[r.len() - 1], last)
                    || close(r[0], first)
                    || close(r[r.len() - 1], first)
            }) else {
                break;
            };
            let mut next = runs.swap_remove(i);
            if close(next[0], last) {
                current.append(&mut next);
            } else if close(next[next.len() - 1], last) {
                next.reverse();
                current.append(&mut next);
            } else {
                if close(next[0], first) {
                    next.reverse();
                }
                next.append(&mut current);
                current = next;
            }
        }
        out.push(current);
    }
    out
}

/// Call `found(a, b, deviation)` for every stretch of a run `length` long whose course keeps
/// within 1.6 units of the chord from `a` to `b`, every unit along the run.
fn stretches(run: &[Point], length: f64, mut found: impl FnMut(Point, Point, f64)) {
    let mut along = vec![0.0];
    for w in run.windows(2) {
        let d = ((w[1].0 - w[0].0).powi(2) + (w[1].1 - w[0].1).powi(2)).sqrt();
        along.push(along.last().copied().unwrap_or(0.0) + d);
    }
    let total = along.last().copied().unwrap_or(0.0);
    let at = |s: f64| -> Point {
        let i = along.partition_point(|&d| d <= s).clamp(1, run.len() - 1);
        let (d0, d1) = (along[i - 1], along[i]);
        let t = if d1 > d0 { (s - d0) / (d1 - d0) } else { 0.0 };
        (
            run[i - 1].0 + t * (run[i].0 - run[i - 1].0),
            run[i - 1].1 + t * (run[i].1 - run[i - 1].1),
        )
    };
    let mut s = 0.5;
    while s + length <= total - 0.5 {
        let (a, b) = (at(s), at(s + length));
        let chord = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
        let deviation = run
            .iter()
            .zip(&along)
            .filter(|(_, d)| **d > s && **d < s + length)
            .map(|(p, _)| distance_to_segment(*p, a, b))
            .fold(0.0, f64::max);
        if chord > 0.85 * length && deviation <= 1.6 {
            found(a, b, deviation);
        }
        s += 1.0;
    }
}

/// The names of seas and lakes of `places.toml` over the water drawn in the frame, written
/// where they fit (they are context: a map that cannot fit one leaves it out).
pub fn name_seas(
    map: &mut MapSvg<'_>,
    catalogue: &Catalogue,
    drawn: &DrawnLayers,
    written: &[String],
) {
    let mut written = written.to_vec();
    let has_sea = drawn.kinds.iter().any(|(k, _)| *k == Kind::Land);
    let has_lakes = drawn
        .kinds
        .iter()
        .any(|(k, lines)| *k == Kind::Water && !lines)
        || has_sea;
    for place in &catalogue.places {
        let shown = match place.kind {
            PlaceKind::Sea => has_sea,
            PlaceKind::Lake => has_lakes,
            _ => false,
        };
        let at = map.frame.point(place.at());
        if !shown
            || !map.frame.contains(at, 0.0)
            || written.iter().any(|w| w.eq_ignore_ascii_case(&place.name))
        {
            continue;
        }
        // A sea is named once on a map, at the first of its label points in the frame.
        written.push(place.name.clone());
        let style = map.named(TextStyle {
            spacing: 0.3,
            ..TextStyle::water(WATER_SIZE * 0.9)
        });
        // A sea's label point is a placement in open water: the name may move a little.
        name_at(map, place.text(), at, (4.0, 1), style);
    }
}
