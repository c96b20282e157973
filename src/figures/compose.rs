//! The two kinds of map the book draws, composed from layers, markers and names: small-scale
//! maps (the overview, the railway map, the regional maps) and city maps of itineraries,
//! with lettered insets where stops crowd each other.

use crate::figures::frame::{Frame, Rect};
use crate::figures::geo::{LonLat, distance_km};
use crate::figures::layers::{Catalogue, Kind};
use crate::figures::maps::{
    DrawnMap, Group, INSET_GAP, LABEL_SIZE, LegendSymbol, MapSvg, SMALL_SIZE, STOP_RADIUS,
    StopMarker, TAG_SIZE, TextStyle, WATER_SIZE, insets_per_row, tag_box,
};
use crate::figures::names;
use crate::figures::style::{Role, Style};
use crate::figures::text::Measure;

/// A place on a map: a name and a position, with how much it matters (for label priority).
#[derive(Debug, Clone)]
pub struct Place {
    pub name: String,
    pub at: LonLat,
    pub weight: usize,
}

/// Names written across small-scale maps: countries and seas, and provinces at the first of
/// their candidate places that is free (from `chapters/maps.toml`).
#[derive(Debug, Clone, Default)]
pub struct AreaNames {
    pub areas: Vec<(String, LonLat)>,
    pub provinces: Vec<(String, Vec<LonLat>)>,
}

/// A line drawn over the base (a railway), with its legend entry if it shows.
#[derive(Debug, Clone)]
pub struct Line {
    pub points: Vec<LonLat>,
    pub role: Role,
    pub width: f64,
    pub dash: Option<&'static str>,
    pub legend: Option<(LegendSymbol, String)>,
}

/// Frames narrower than this (kilometres) name the provinces.
const PROVINCE_NAMES_SPAN_KM: f64 = 2600.0;

/// What a small-scale map shows besides its base.
pub struct SmallScale<'a> {
    /// The figure id (a publisher's layers name it).
    pub id: &'a str,
    pub source: &'a str,
    /// Cities marked and labelled; `highlight` picks those drawn in the accent colour.
    pub places: &'a [Place],
    pub highlight: &'a dyn Fn(&Place) -> bool,
    /// Islands and other named places the map is about: a ring and a name.
    pub islands: &'a [Place],
    /// Other cities, marked only where their names fit.
    pub context: &'a [Place],
    pub lines: &'a [Line],
    /// Legend entries for the markers.
    pub legend: &'a [(LegendSymbol, &'a str)],
    pub areas: &'a AreaNames,
    /// Whether crowded cities and islands get insets (the regional maps).
    pub insets: bool,
}

/// The overview, regional and railway maps: base layers, lines, cities, names of water,
/// islands, other cities, countries, seas and provinces. On a map with `insets`, where the
/// cities and islands it is about crowd each other, each crowded group is drawn again,
/// enlarged, in a lettered inset under the map.
pub fn small_scale_map(
    catalogue: &Catalogue,
    frame: Frame,
    style: &Style,
    measure: &Measure<'_>,
    spec: &SmallScale<'_>,
) -> DrawnMap {
    let groups = if spec.insets {
        crowded_places(&frame, spec)
    } else {
        vec![]
    };
    let width = inset_width(groups.len(), style.width);
    let mut insets = Vec::new();
    let mut areas = Vec::new();
    let mut extra: Vec<(LegendSymbol, &str)> = Vec::new();
    for (group, tag) in groups.iter().zip('A'..='Z') {
        let at: Vec<LonLat> = group.iter().map(|(_, at)| *at).collect();
        let inset_frame = style.frame(&at, 0.25, 150.0, (0.62, 0.95), width);
        let mut inset = MapSvg::inset(inset_frame, style, measure, tag);
        small_scale_content(&mut inset, catalogue, spec, &|_| true, &[]);
        if spec
            .islands
            .iter()
            .any(|p| inset_frame.contains(inset_frame.point(p.at), 0.0))
        {
            extra.push((LegendSymbol::Ring, "Island"));
        }
        insets.push((inset, vec![]));
        areas.push((inset_area(&frame, &inset_frame), tag));
    }
    let mut map = MapSvg::new(frame, style, measure, spec.source);
    outline_insets(&mut map, &areas);
    if !areas.is_empty() {
        extra.push((LegendSymbol::Area, "Area enlarged in the inset below"));
    }
    let in_inset = |name: &str| groups.iter().flatten().any(|(n, _)| n == name);
    let marked = small_scale_content(&mut map, catalogue, spec, &|name| !in_inset(name), &extra);
    map.finish_with_insets(marked, vec![], insets)
}

/// Width of each inset when there are `count` of them under a map `width` units wide: the
/// map's width where each has a row of its own.
fn inset_width(count: usize, width: f64) -> f64 {
    match insets_per_row(width) {
        1 => width,
        _ if count == 1 => width * 0.62,
        per_row => (width - INSET_GAP * (per_row - 1) as f64) / per_row as f64,
    }
}

/// The area an inset shows, as the main map shows it, never smaller than a marker.
fn inset_area(frame: &Frame, inset: &Frame) -> Rect {
    let (x0, y0) = frame.point(inset.lonlat(0.0, 0.0));
    let (x1, y1) = frame.point(inset.lonlat(inset.width, inset.height));
    let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
    let (hw, hh) = (((x1 - x0) / 2.0).max(3.5), ((y1 - y0) / 2.0).max(3.5));
    Rect::new(cx - hw, cy - hh, cx + hw, cy + hh)
}

/// Outline on the main map the area each inset enlarges, with its letter.
fn outline_insets(map: &mut MapSvg<'_>, areas: &[(Rect, char)]) {
    for (area, tag) in areas {
        let outline = format!(
            r#"<rect x="{:.2}" y="{:.2}" width="{:.2}" height="{:.2}" fill="none" stroke="{ink}" stroke-width="0.4"/>"#,
            area.x0,
            area.y0,
            area.x1 - area.x0,
            area.y1 - area.y0,
            ink = map.colour(Role::Ink),
        );
        map.push(Group::Inset, &outline);
        let (tx, ty) = (area.x0 - TAG_SIZE, area.y0 - TAG_SIZE);
        map.push(Group::Inset, &tag_box(tx, ty, *tag, map.style));
        map.placer.reserve(Rect::new(tx, ty, area.x1, area.y1));
    }
}

/// Groups of the cities a small-scale map is about, and its islands, whose markers would
/// crowd each other (single linkage), unless a group holds them all.
fn crowded_places(frame: &Frame, spec: &SmallScale<'_>) -> Vec<Vec<(String, LonLat)>> {
    let points: Vec<(String, LonLat)> = spec
        .places
        .iter()
        .filter(|p| (spec.highlight)(p))
        .chain(spec.islands)
        .map(|p| (p.name.clone(), p.at))
        .collect();
    let stops: Vec<Stop> = points
        .iter()
        .enumerate()
        .map(|(i, (name, at))| Stop {
            number: i,
            name: name.clone(),
            at: *at,
        })
        .collect();
    group_by_distance(frame, &stops, CROWDED_PLACES)
        .into_iter()
        .map(|g| g.into_iter().map(|i| points[i].clone()).collect())
        .collect()
}

/// Size of river names along their course on small-scale maps.
const RIVER_SIZE: f64 = 2.4;

/// Cities and islands of a chapter closer than this (SVG units) are enlarged in an inset.
const CROWDED_PLACES: f64 = 10.0;

/// Base, lines, markers and names of a small-scale map (or one of its insets); places for
/// which `labelled` is false are marked but named only in an inset. Returns the names of the
/// places marked.
fn small_scale_content(
    map: &mut MapSvg<'_>,
    catalogue: &Catalogue,
    spec: &SmallScale<'_>,
    labelled: &dyn Fn(&str) -> bool,
    extra_legend: &[(LegendSymbol, &str)],
) -> Vec<String> {
    let drawn = map.layers(catalogue, Some(spec.id));
    for line in spec.lines {
        let visible = map.line(
            Group::Layer(Kind::Rail),
            &line.points,
            line.role,
            line.width,
            line.dash,
        );
        if let (true, Some((symbol, text))) = (visible, &line.legend) {
            map.legend_entry(*symbol, text);
        }
    }
    for (symbol, text) in spec.legend {
        map.legend_entry(*symbol, text);
    }
    map.legend_for(&drawn);
    let mut order: Vec<&Place> = spec.places.iter().collect();
    order.sort_by(|a, b| b.weight.cmp(&a.weight).then(a.name.cmp(&b.name)));
    let mut marked = Vec::new();
    let mut positions = Vec::new();
    let frame = map.frame;
    for place in order
        .into_iter()
        .filter(|p| frame.contains(frame.point(p.at), 0.0))
    {
        let strong = (spec.highlight)(place);
        let r = if strong { 1.35 } else { 0.95 };
        let (x, y) = map.dot(place.at, r, if strong { Role::Accent } else { Role::Muted });
        if labelled(&place.name) {
            positions.push((x, y, r, place, strong));
        }
        marked.push(place.name.clone());
    }
    let islands: Vec<_> = spec
        .islands
        .iter()
        .filter(|p| labelled(&p.name) && frame.contains(frame.point(p.at), 0.0))
        .map(|p| (map.ring(p.at), p))
        .collect();
    if !islands.is_empty() {
        map.legend_entry(LegendSymbol::Ring, "Island");
    }
    for (symbol, text) in extra_legend {
        map.legend_entry(*symbol, text);
    }
    let context = context_markers(map, spec.context, 0.8);
    if !context.is_empty() {
        map.legend_entry(LegendSymbol::Dot(Role::Rule), "Other city");
    }
    map.reserve_furniture();
    // Cities first, the one with least room next each time, then the rivers.
    let style = |strong: bool| TextStyle::plain(if strong { LABEL_SIZE } else { SMALL_SIZE + 0.2 });
    while !positions.is_empty() {
        let next = (0..positions.len())
            .min_by_key(|&i| {
                let (x, y, r, place, strong) = positions[i];
                (map.room(x, y, r, &place.name, style(strong)), !strong)
            })
            .expect("a place is left");
        let (x, y, r, place, strong) = positions.swap_remove(next);
        map.label_or_report(x, y, r, &place.name, style(strong));
    }
    names::name_drawn_rivers(map, &drawn, &catalogue.places, RIVER_SIZE);
    for ((x, y), island) in islands {
        map.label_or_report(x, y, 1.2, &island.name, TextStyle::water(SMALL_SIZE + 0.2));
    }
    if label_context(map, context, "Other city") > 0 {
        map.credit(catalogue.places_credit.as_deref());
    }
    let written: Vec<String> = spec.areas.areas.iter().map(|(n, _)| n.clone()).collect();
    let style = TextStyle {
        spacing: 0.35,
        role: Role::Muted,
        ..TextStyle::plain(SMALL_SIZE)
    };
    for (name, at) in &spec.areas.areas {
        map.area_name(*at, name, style);
    }
    names::name_seas(map, catalogue, &drawn, &written);
    // Regional maps name the provinces; on the overview they would crowd the cities.
    if map.frame.span_km() < PROVINCE_NAMES_SPAN_KM {
        let style = TextStyle {
            spacing: 0.3,
            role: Role::Rule,
            ..TextStyle::plain(SMALL_SIZE * 0.85)
        };
        for (name, places) in &spec.areas.provinces {
            places.iter().any(|&at| map.area_name(at, name, style));
        }
    }
    marked
}

/// Optional markers of other cities in the frame, clear of every marker drawn so far.
fn context_markers(map: &mut MapSvg<'_>, context: &[Place], r: f64) -> Vec<((f64, f64), String)> {
    let mut out = Vec::new();
    for place in context {
        let at = map.frame.point(place.at);
        let reserved = Rect::around(at.0, at.1, r + 0.3);
        if !map.frame.contains(at, 2.0) || !map.placer.free(&reserved.grow(1.5)) {
            continue;
        }
        out.push((
            map.optional_dot(place.at, r, Role::Rule),
            place.name.clone(),
        ));
    }
    out
}

/// Label the optional markers that fit; the others are not drawn. The legend entry goes if
/// none is.
fn label_context(map: &mut MapSvg<'_>, context: Vec<((f64, f64), String)>, legend: &str) -> usize {
    let offered = context.len();
    let mut kept = 0;
    for ((x, y), name) in context {
        let style = TextStyle {
            role: Role::Muted,
            ..TextStyle::plain(SMALL_SIZE)
        };
        if map.label(x, y, 0.8, &name, style) {
            map.keep_marker(x, y);
            kept += 1;
        }
    }
    if offered > 0 && kept == 0 {
        map.remove_legend_entry(legend);
    }
    kept
}

/// A numbered stop of an itinerary.
#[derive(Debug, Clone)]
pub struct Stop {
    pub number: usize,
    pub name: String,
    pub at: LonLat,
}

/// What a city map shows.
pub struct CityMap<'a> {
    pub id: &'a str,
    pub source: &'a str,
    pub stops: &'a [Stop],
    /// Other landmarks of the guide near the route.
    pub others: &'a [Place],
    /// Cities nearby (across a border river, say), named where they fit.
    pub context: &'a [Place],
}

/// A city map: the itinerary's stops numbered in route order, joined by the route, over the
/// layers the data allows at its scale, with the water named; other landmarks of the guide
/// in the frame as small grey dots. Where stops crowd each other at the scale that shows the
/// whole route, the crowded groups are drawn again, enlarged, in lettered insets under the
/// map, and the main map marks the areas they show.
pub fn city_map(
    catalogue: &Catalogue,
    style: &Style,
    measure: &Measure<'_>,
    spec: &CityMap<'_>,
) -> DrawnMap {
    let stops = spec.stops;
    let points: Vec<LonLat> = stops.iter().map(|s| s.at).collect();
    let frame = style.frame(&points, 0.16, 2.2, (0.62, 1.05), style.width);
    let groups = group_by_distance(&frame, stops, CROWDED);
    let inset_width = inset_width(groups.len(), style.width);
    let mut insets = Vec::new();
    let mut areas = Vec::new();
    for (group, tag) in groups.iter().zip('A'..='Z') {
        let at: Vec<LonLat> = group.iter().map(|&i| stops[i].at).collect();
        let inset_frame = style.frame(&at, 0.3, 0.6, (0.62, 0.9), inset_width);
        let mut inset = MapSvg::inset(inset_frame, style, measure, tag);
        let drawn = stops_layer(&mut inset, catalogue, spec, &|_| true);
        insets.push((inset, drawn));
        areas.push((inset_area(&frame, &inset_frame), tag));
    }
    let mut map = MapSvg::new(frame, style, measure, spec.source);
    let in_inset = |i: usize| groups.iter().any(|g| g.contains(&i));
    outline_insets(&mut map, &areas);
    // One legend, on the main map, for the insets too.
    map.legend_entry(LegendSymbol::Numbered, "Stop, in route order");
    map.legend_entry(
        LegendSymbol::Line(Role::Accent, 0.5, Some("1.4 1")),
        "Route (straight lines between stops)",
    );
    let shows_others = std::iter::once(&frame)
        .chain(insets.iter().map(|(inset, _)| &inset.frame))
        .any(|f| spec.others.iter().any(|o| other_shown(f, stops, o.at)));
    if shows_others {
        map.legend_entry(
            LegendSymbol::Dot(Role::Muted),
            "Other landmark in this guide",
        );
    }
    if !areas.is_empty() {
        map.legend_entry(LegendSymbol::Area, "Area enlarged in the inset below");
    }
    let drawn = stops_layer(&mut map, catalogue, spec, &|i| !in_inset(i));
    let markers = stops.iter().map(|s| s.name.clone()).collect();
    map.finish_with_insets(markers, drawn, insets)
}

/// Groups of stops whose markers lie closer than `crowded` in `frame` (single linkage), when
/// enlarging them helps: a group holding every stop is left alone, since the frame already
/// fits the route as tightly as it can.
pub fn group_by_distance(frame: &Frame, stops: &[Stop], crowded: f64) -> Vec<Vec<usize>> {
    let at: Vec<(f64, f64)> = stops.iter().map(|s| frame.point(s.at)).collect();
    let mut group: Vec<usize> = (0..stops.len()).collect();
    fn root(group: &mut [usize], mut i: usize) -> usize {
        while group[i] != i {
            group[i] = group[group[i]];
            i = group[i];
        }
        i
    }
    for i in 0..at.len() {
        for j in i + 1..at.len() {
            let (dx, dy) = (at[i].0 - at[j].0, at[i].1 - at[j].1);
            if (dx * dx + dy * dy).sqrt() < crowded {
                let (a, b) = (root(&mut group, i), root(&mut group, j));
                group[a.max(b)] = a.min(b);
            }
        }
    }
    let mut by_root: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for i in 0..stops.len() {
        by_root.entry(root(&mut group, i)).or_default().push(i);
    }
    let mut groups: Vec<Vec<usize>> = by_root.into_values().filter(|g| g.len() > 1).collect();
    groups.sort();
    if groups.iter().any(|g| g.len() == stops.len()) {
        return vec![];
    }
    groups
}

/// Numbered markers closer than this (SVG units, centre to centre) crowd each other.
const CROWDED: f64 = 6.5;

/// Whether a city map shows another landmark: inside the frame, clear of its edge, and not
/// under a stop's marker (a memorial inside a cemetery that is a stop cannot be told apart
/// from it at this scale: the stop stands for both).
fn other_shown(frame: &Frame, stops: &[Stop], at: LonLat) -> bool {
    let (x, y) = frame.point(at);
    frame.contains((x, y), 3.0)
        && stops.iter().all(|s| {
            let (sx, sy) = frame.point(s.at);
            ((sx - x).powi(2) + (sy - y).powi(2)).sqrt() >= STOP_RADIUS + 1.0
        })
}

/// Layers, route, other landmarks, nearby cities, the numbered stops and the names of water
/// of an itinerary on `map`; stops for which `numbered` is false are drawn as small dots
/// (their numbers are in an inset). The caller writes the legend. Returns the numbered
/// markers drawn.
fn stops_layer(
    map: &mut MapSvg<'_>,
    catalogue: &Catalogue,
    spec: &CityMap<'_>,
    numbered: &dyn Fn(usize) -> bool,
) -> Vec<StopMarker> {
    let drawn = map.layers(catalogue, Some(spec.id));
    map.legend_for(&drawn);
    let points: Vec<LonLat> = spec.stops.iter().map(|s| s.at).collect();
    map.line(Group::Route, &points, Role::Accent, 0.5, Some("1.4 1"));
    let mut dots = Vec::new();
    let frame = map.frame;
    for other in spec
        .others
        .iter()
        .filter(|o| other_shown(&frame, spec.stops, o.at))
    {
        dots.push((map.dot(other.at, 0.8, Role::Muted), other));
    }
    let mut labelled = Vec::new();
    let mut drawn_stops = Vec::new();
    for (i, stop) in spec.stops.iter().enumerate() {
        if !map.frame.contains(map.frame.point(stop.at), 0.0) {
            continue;
        }
        if numbered(i) {
            let (x, y) = map.numbered(stop.at, stop.number);
            drawn_stops.push((x, y, STOP_RADIUS));
            labelled.push(((x, y), stop));
        } else {
            map.dot(stop.at, 1.0, Role::Accent);
        }
    }
    // A nearby city is marked where it is clear of the stops (its own city is the map).
    let context: Vec<Place> = spec
        .context
        .iter()
        .filter(|c| {
            spec.stops
                .iter()
                .all(|s| distance_km(s.at, c.at) * map.frame.units_per_true_km() > 8.0)
        })
        .cloned()
        .collect();
    let context = context_markers(map, &context, 0.9);
    if !context.is_empty() {
        map.legend_entry(LegendSymbol::Dot(Role::Rule), "City");
    }
    let mut missing = drawn.too_coarse.clone();
    if !drawn.kinds.iter().any(|(k, _)| *k == Kind::Street) {
        missing.insert(0, Kind::Street);
    }
    if !drawn.kinds.iter().any(|(k, _)| *k == Kind::Rail) {
        missing.insert(1.min(missing.len()), Kind::Rail);
    }
    map.note_missing(&missing);
    map.reserve_furniture();
    // Water first: its names are tied to where the water is, a stop's name can go round it.
    names::name_drawn_rivers(map, &drawn, &catalogue.places, WATER_SIZE);
    names::name_undrawn_rivers(map, catalogue, &drawn);
    for ((x, y), stop) in labelled {
        if !map.label_or_report(x, y, STOP_RADIUS, &stop.name, TextStyle::plain(LABEL_SIZE)) {
            map.unlabelled.push(stop.name.clone());
        }
    }
    names::name_seas(map, catalogue, &drawn, &[]);
    if label_context(map, context, "City") > 0 {
        map.credit(catalogue.places_credit.as_deref());
    }
    for ((x, y), other) in dots {
        map.label_or_report(
            x,
            y,
            0.8,
            &other.name,
            TextStyle {
                role: Role::Muted,
                ..TextStyle::plain(SMALL_SIZE)
            },
        );
    }
    drawn_stops
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figures::geo::Lambert;

    #[test]
    fn crowded_stops_are_grouped_unless_they_are_the_whole_route() {
        let stop = |number, lon, lat| Stop {
            number,
            name: format!("stop {number}"),
            at: LonLat::new(lon, lat),
        };
        // Two towns 40 km apart, two stops 300 m apart in each, one stop between them.
        let stops = vec![
            stop(1, 121.640, 38.927),
            stop(2, 121.643, 38.928),
            stop(3, 121.45, 38.86),
            stop(4, 121.260, 38.810),
            stop(5, 121.262, 38.812),
        ];
        let projection = Lambert::new(25.0, 47.0, 35.0, 115.0);
        let all: Vec<LonLat> = stops.iter().map(|s| s.at).collect();
        let frame = Frame::fit(projection, &all, 0.16, 2.2, (0.62, 1.05));
        assert_eq!(
            group_by_distance(&frame, &stops, CROWDED),
            vec![vec![0, 1], vec![3, 4]]
        );
        let walk = &stops[..2];
        let frame = Frame::fit(
            projection,
            &[walk[0].at, walk[1].at],
            0.16,
            2.2,
            (0.62, 1.05),
        );
        assert!(group_by_distance(&frame, walk, CROWDED).is_empty());
    }
}
