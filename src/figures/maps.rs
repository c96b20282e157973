//! A map drawn as SVG: its layers from real geodata (each an SVG group with a class), markers,
//! labels measured with the font they are set in and placed clear of each other and of the
//! map's furniture, scale bar, north arrow, legend and the source line under it.

use std::collections::BTreeMap;
use std::fmt::Write;

pub use crate::escape::xml;
pub use crate::figures::frame::{Frame, PRINT_WIDTH_MM, Rect, WIDTH};
use crate::figures::geo::{Feature, LonLat, Shape};
use crate::figures::layers::{Catalogue, Kind, Source};
use crate::figures::paths::{self, CUT_MARGIN, Point};
use crate::figures::placer::Placer;
use crate::figures::style::{Role, Style};
use crate::figures::text::{Extent, Face, Measure};

/// Size of ordinary map labels, in user units (about 6.5 pt at A5 text width).
pub const LABEL_SIZE: f64 = 3.4;
/// Size of secondary labels, the legend and the scale bar.
pub const SMALL_SIZE: f64 = 2.7;
/// Size of the names of water.
pub const WATER_SIZE: f64 = 3.4;
/// A numbered stop marker as drawn: centre x, centre y and radius, in SVG units.
pub type StopMarker = (f64, f64, f64);
/// Radius of a numbered stop marker.
pub const STOP_RADIUS: f64 = 2.3;
/// Half the width of the white halo around every label, which its box includes.
pub const HALO: f64 = 0.4;
/// Distance between the baselines of a label's lines, in ems.
const LINE_PITCH: f64 = 1.2;
/// Lines and areas are simplified so that no point moves more than this on the printed page.
const SIMPLIFY_MM: f64 = 0.1;

/// The SVG groups of a map, from the bottom up, each with its class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    Layer(Kind),
    Route,
    Inset,
    Marker,
    WaterLabel,
    Label,
}

impl Group {
    /// The class of the group's `<g>` element.
    fn class(self) -> &'static str {
        match self {
            Group::Layer(kind) => kind.class(),
            Group::Route => "route",
            Group::Inset => "inset",
            Group::Marker => "marker",
            Group::WaterLabel => "label water",
            Group::Label => "label",
        }
    }
}

/// How a legend entry is drawn.
#[derive(Debug, Clone, Copy)]
pub enum LegendSymbol {
    Dot(Role),
    Numbered,
    Line(Role, f64, Option<&'static str>),
    /// A street: a light line with a casing.
    Street,
    /// A railway: a dark line with light dashes.
    Rail,
    /// A filled swatch.
    Fill(Role),
    /// An outlined box: the area an inset enlarges.
    Area,
    /// An island or other named place: a small ring.
    Ring,
}

/// A finished map: its SVG text and what was placed on it, for tests and alt text.
#[derive(Debug, Clone)]
pub struct DrawnMap {
    pub svg: String,
    /// Boxes of every label (halo included), in the SVG's units.
    pub labels: Vec<Rect>,
    /// Boxes of the markers, legend, scale bar and north arrow.
    pub furniture: Vec<Rect>,
    /// Markers drawn, by name, for tests and alt text.
    pub markers: Vec<String>,
    /// Numbered markers (centre and radius) in SVG units, for tests.
    pub stops: Vec<StopMarker>,
    /// How many inset maps enlarge crowded parts of the map.
    pub insets: usize,
    /// Numbered stops left without a label (none, on every map the book ships).
    pub unlabelled: Vec<String>,
    /// Labels that found no place (each is reported as a warning naming the map).
    pub unplaced: Vec<String>,
    /// The main frame, to turn SVG positions back into longitude and latitude.
    pub frame: Option<Frame>,
    /// Names of water written on the map, with the SVG position of each label's centre.
    pub water_names: Vec<(String, (f64, f64))>,
}

impl DrawnMap {
    /// A drawing that is not a map (a chart).
    pub fn chart(svg: String) -> Self {
        Self {
            svg,
            labels: vec![],
            furniture: vec![],
            markers: vec![],
            stops: vec![],
            insets: 0,
            unlabelled: vec![],
            unplaced: vec![],
            frame: None,
            water_names: vec![],
        }
    }
}

/// A place a label may take: its text box, anchor, layout (one line or two), the ascent of
/// its first line, and the leader line to its marker if it needs one.
struct Spot {
    rect: Rect,
    anchor: &'static str,
    layout: usize,
    ascent: f64,
    leader: Option<(Point, Point)>,
}

/// A name on one line, broken into two at the space nearest the middle, and a long name
/// into three at the spaces nearest its thirds.
fn layouts(text: &str) -> Vec<Vec<&str>> {
    let mut layouts = vec![vec![text]];
    let spaces: Vec<usize> = text.match_indices(' ').map(|(i, _)| i).collect();
    let nearest = |at: usize| spaces.iter().copied().min_by_key(|i| i.abs_diff(at));
    if let Some(split) = nearest(text.len() / 2) {
        layouts.push(vec![&text[..split], &text[split + 1..]]);
    }
    if text.len() > 28
        && let (Some(a), Some(b)) = (nearest(text.len() / 3), nearest(text.len() * 2 / 3))
        && a < b
    {
        layouts.push(vec![&text[..a], &text[a + 1..b], &text[b + 1..]]);
    }
    layouts
}

/// A marker drawn on a map; an optional one is kept only if its label finds a place.
struct Marker {
    svg: String,
    rect: Rect,
    kept: bool,
}

/// A label's lines and how they are set.
#[derive(Debug, Clone, Copy)]
pub struct TextStyle {
    pub size: f64,
    pub face: Face,
    pub role: Role,
    /// Extra space after each character (`letter-spacing`).
    pub spacing: f64,
}

impl TextStyle {
    /// Regular text of `size` in ink.
    pub fn plain(size: f64) -> Self {
        Self {
            size,
            face: Face::Regular,
            role: Role::Ink,
            spacing: 0.0,
        }
    }

    /// Italic text in the colour of water names: rivers, lakes and seas.
    pub fn water(size: f64) -> Self {
        Self {
            size,
            face: Face::Italic,
            role: Role::WaterName,
            spacing: 0.0,
        }
    }
}

/// What the layers drawn on a map show, for its legend, notes and credits.
#[derive(Debug, Default)]
pub struct DrawnLayers {
    /// Kinds drawn, and whether as lines.
    pub kinds: Vec<(Kind, bool)>,
    /// Kinds the frame holds that no data is accurate enough to draw.
    pub too_coarse: Vec<Kind>,
    /// Named water lines drawn, projected: name, owner id and runs.
    pub named_water: Vec<(String, usize, Vec<Vec<Point>>)>,
}

/// A map being drawn.
pub struct MapSvg<'a> {
    pub frame: Frame,
    pub placer: Placer,
    pub style: &'a Style,
    pub measure: &'a Measure<'a>,
    groups: BTreeMap<Group, String>,
    markers: Vec<Marker>,
    legend: Vec<(LegendSymbol, String)>,
    /// Top-left corner of the legend; below the frame when no corner is clear.
    legend_at: Option<(f64, f64)>,
    furniture: Vec<Rect>,
    source: String,
    /// Kinds of layer the map could not draw for want of accurate data.
    missing: Vec<Kind>,
    /// Credits of the data drawn, in the order first drawn.
    pub credits: Vec<String>,
    /// Id of the frame's clip path, unique within the SVG (insets have their own).
    clip_id: String,
    /// An inset's letter, drawn in its top-left corner in place of the north arrow.
    tag: Option<char>,
    pub unlabelled: Vec<String>,
    pub unplaced: Vec<String>,
    pub water_names: Vec<(String, (f64, f64))>,
    /// The next id for a line labels keep off.
    owners: usize,
}

impl<'a> MapSvg<'a> {
    /// A map over `frame` drawn in `style`, with `source` printed under it.
    pub fn new(frame: Frame, style: &'a Style, measure: &'a Measure<'a>, source: &str) -> Self {
        Self {
            placer: Placer::new(Rect::new(0.5, 0.5, frame.width - 0.5, frame.height - 0.5)),
            frame,
            style,
            measure,
            groups: BTreeMap::new(),
            markers: vec![],
            legend: vec![],
            legend_at: None,
            furniture: vec![],
            source: source.to_string(),
            missing: vec![],
            credits: vec![],
            clip_id: "frame".into(),
            tag: None,
            unlabelled: vec![],
            unplaced: vec![],
            water_names: vec![],
            owners: 0,
        }
    }

    /// An inset of a larger map, tagged with a letter; it has a scale bar but no legend.
    pub fn inset(frame: Frame, style: &'a Style, measure: &'a Measure<'a>, tag: char) -> Self {
        let mut map = Self::new(frame, style, measure, "");
        map.clip_id = format!("inset-{}", tag.to_ascii_lowercase());
        map.tag = Some(tag);
        map
    }

    /// Add SVG to a group.
    pub fn push(&mut self, group: Group, svg: &str) {
        self.groups.entry(group).or_default().push_str(svg);
    }

    /// A new id for a line labels keep off.
    pub fn owner(&mut self) -> usize {
        self.owners += 1;
        self.owners
    }

    /// A colour of the style.
    pub fn colour(&self, role: Role) -> &str {
        self.style.colour(role)
    }

    /// Points projected to the frame, cut to it (with a margin) and simplified for print.
    pub fn project_line(&self, points: &[LonLat]) -> Vec<Vec<Point>> {
        let tolerance = SIMPLIFY_MM * self.frame.units_per_print_mm();
        let cut = self.frame.rect().grow(CUT_MARGIN);
        // Cut to the frame's surroundings first, so that only what is near is projected.
        let degrees: Vec<Point> = points.iter().map(|p| (p.lon, p.lat)).collect();
        paths::clip_line(&degrees, self.near())
            .iter()
            .flat_map(|run| {
                let projected: Vec<Point> = run
                    .iter()
                    .map(|&(lon, lat)| self.frame.point(LonLat::new(lon, lat)))
                    .collect();
                paths::clip_line(&projected, cut)
            })
            .map(|run| paths::simplify(&run, tolerance))
            .collect()
    }

    /// A ring projected, cut to the frame (with a margin) and simplified for print.
    pub fn project_ring(&self, ring: &[LonLat]) -> Vec<Point> {
        let degrees: Vec<Point> = ring.iter().map(|p| (p.lon, p.lat)).collect();
        let projected: Vec<Point> = paths::clip_ring(degrees, self.near())
            .into_iter()
            .map(|(lon, lat)| self.frame.point(LonLat::new(lon, lat)))
            .collect();
        let tolerance = SIMPLIFY_MM * self.frame.units_per_print_mm();
        let clipped = paths::clip_ring(projected, self.frame.rect().grow(CUT_MARGIN));
        if clipped.len() < 4 {
            return clipped;
        }
        let mut closed = clipped.clone();
        closed.push(clipped[0]);
        let mut kept = paths::simplify(&closed, tolerance);
        kept.pop();
        kept
    }

    /// The frame's surroundings in degrees (longitude as x, latitude as y): its bounds grown
    /// by a quarter on every side, which holds the frame and its cutting margin.
    fn near(&self) -> Rect {
        let (sw, ne) = self.frame.bounds();
        let (dx, dy) = ((ne.lon - sw.lon) * 0.25, (ne.lat - sw.lat) * 0.25);
        Rect::new(sw.lon - dx, sw.lat - dy, ne.lon + dx, ne.lat + dy)
    }

    /// Draw the base geography and the publisher's layers a frame of `map` is drawn with,
    /// chosen by scale; credits and notes are kept for the source line.
    pub fn layers(&mut self, catalogue: &Catalogue, map: Option<&str>) -> DrawnLayers {
        let selection = catalogue.select(&self.frame, map);
        let mut drawn = DrawnLayers {
            too_coarse: selection.too_coarse.clone(),
            ..DrawnLayers::default()
        };
        // The land is the ground: water, including the sea, is drawn over it.
        let (w, h) = (self.frame.width, self.frame.height);
        let tint = self.colour(Role::Tint).to_string();
        self.push(
            Group::Layer(Kind::Land),
            &format!(r#"<rect width="{w:.2}" height="{h:.2}" fill="{tint}"/>"#),
        );
        for (source, features) in &selection.drawn {
            let lines = self.layer(source, features, &mut drawn.named_water);
            if let Some(credit) = &source.credit
                && !self.credits.contains(credit)
            {
                self.credits.push(credit.clone());
            }
            if !drawn.kinds.contains(&(source.kind, lines)) {
                drawn.kinds.push((source.kind, lines));
            }
        }
        drawn
    }

    /// Draw one source's features in its kind's style; returns whether it drew lines.
    fn layer(
        &mut self,
        source: &Source,
        features: &[&Feature],
        named: &mut Vec<(String, usize, Vec<Vec<Point>>)>,
    ) -> bool {
        let group = Group::Layer(source.kind);
        if source.kind == Kind::Land {
            let sea = self.sea(features);
            self.push(Group::Layer(Kind::Water), &sea);
            return false;
        }
        let mut areas = Vec::new();
        let mut lines_drawn = false;
        for feature in features {
            match &feature.shape {
                Shape::Areas(polygons) => {
                    for polygon in polygons {
                        areas.push(
                            polygon
                                .iter()
                                .map(|r| self.project_ring(r))
                                .collect::<Vec<_>>(),
                        );
                    }
                }
                Shape::Lines(lines) => {
                    let runs: Vec<Vec<Point>> =
                        lines.iter().flat_map(|l| self.project_line(l)).collect();
                    if runs.iter().all(|r| !runs_visible(r, &self.frame)) {
                        continue;
                    }
                    lines_drawn = true;
                    let svg = self.line_style(source.kind, &paths::path_data(&runs, false));
                    self.push(group, &svg);
                    // Labels keep off railways and named water (and a river's name lies along it).
                    let keep_off = matches!(source.kind, Kind::Rail)
                        || (source.kind == Kind::Water
                            && (feature.name.is_some() || source.map.is_some()));
                    if keep_off {
                        // Every piece of a named river is one line to the labels.
                        let owner = feature
                            .name
                            .as_ref()
                            .and_then(|n| named.iter().find(|(m, ..)| m == n).map(|(_, o, _)| *o))
                            .unwrap_or_else(|| self.owner());
                        for run in &runs {
                            self.placer.avoid_line(run, owner);
                        }
                        if let (Some(name), Kind::Water) = (&feature.name, source.kind) {
                            named.push((name.clone(), owner, runs));
                        }
                    }
                }
            }
        }
        if !areas.is_empty() {
            let d: String = areas
                .iter()
                .map(|rings| paths::path_data(rings, true))
                .collect();
            let svg = self.area_style(source.kind, &d);
            self.push(group, &svg);
        }
        lines_drawn
    }

    /// The sea: the frame less the land, as one even-odd path, its edge the coastline.
    fn sea(&self, land: &[&Feature]) -> String {
        let m = CUT_MARGIN;
        let (w, h) = (self.frame.width + m, self.frame.height + m);
        let mut d = format!("M{:.2} {:.2}H{w:.2}V{h:.2}H{:.2}Z", -m, -m, -m);
        let mut coast = false;
        let mut inside = false;
        let middle = self
            .frame
            .lonlat(self.frame.width / 2.0, self.frame.height / 2.0);
        let centre = (middle.lon, middle.lat);
        for feature in land {
            let Shape::Areas(polygons) = &feature.shape else {
                continue;
            };
            for polygon in polygons {
                for ring in polygon {
                    // Whether the frame's centre is on land, counted in degrees (no need to
                    // project a continent's coast for it).
                    let degrees: Vec<Point> = ring.iter().map(|p| (p.lon, p.lat)).collect();
                    if point_in_ring(centre, &degrees) {
                        inside = !inside;
                    }
                    let cut = self.project_ring(ring);
                    if cut.len() < 3 {
                        continue;
                    }
                    if cut.iter().any(|p| self.frame.contains(*p, 0.0)) {
                        coast = true;
                    }
                    d.push_str(&paths::path_data(&[cut], true));
                }
            }
        }
        if !coast && inside {
            // An inland frame: no sea to draw.
            return String::new();
        }
        format!(
            r#"<path d="{d}" fill="{sea}" fill-rule="evenodd" stroke="{rule}" stroke-width="0.25" stroke-linejoin="round"/>"#,
            sea = self.colour(Role::Sea),
            rule = self.colour(Role::Rule),
        )
    }

    /// The SVG of lines of a kind.
    fn line_style(&self, kind: Kind, d: &str) -> String {
        let path = |colour: &str, width: f64, extra: &str| {
            format!(
                r#"<path d="{d}" fill="none" stroke="{colour}" stroke-width="{width}" stroke-linecap="round" stroke-linejoin="round"{extra}/>"#
            )
        };
        match kind {
            Kind::Water => path(self.colour(Role::Water), 0.45, ""),
            Kind::Border => path(
                self.colour(Role::Muted),
                0.35,
                r#" stroke-dasharray="1.6 0.8""#,
            ),
            Kind::Province => path(
                self.colour(Role::Rule),
                0.25,
                r#" stroke-dasharray="0.5 0.7""#,
            ),
            Kind::Street => {
                path(self.colour(Role::Rule), 1.3, "") + &path(self.colour(Role::Street), 0.9, "")
            }
            Kind::Rail => {
                path(self.colour(Role::Ink), 0.7, "")
                    + &path(
                        "white",
                        0.35,
                        r#" stroke-dasharray="1.2 1.2" stroke-linecap="butt""#,
                    )
            }
            Kind::Green => path(self.colour(Role::Park), 0.6, ""),
            Kind::Built | Kind::Land => path(self.colour(Role::Rule), 0.2, ""),
        }
    }

    /// The SVG of areas of a kind.
    fn area_style(&self, kind: Kind, d: &str) -> String {
        let (fill, stroke) = match kind {
            Kind::Water => (Role::Sea, Role::Water),
            Kind::Green => (Role::Park, Role::Park),
            Kind::Built => (Role::Built, Role::Built),
            Kind::Street => (Role::Street, Role::Rule),
            _ => (Role::Tint, Role::Rule),
        };
        format!(
            r#"<path d="{d}" fill="{}" fill-rule="evenodd" stroke="{}" stroke-width="0.2" stroke-linejoin="round"/>"#,
            self.colour(fill),
            self.colour(stroke),
        )
    }

    /// A polyline through points in `group` (a railway, a route); labels keep off it.
    pub fn line(
        &mut self,
        group: Group,
        points: &[LonLat],
        role: Role,
        width: f64,
        dash: Option<&str>,
    ) -> bool {
        let runs = self.project_line(points);
        let visible = runs.iter().any(|r| runs_visible(r, &self.frame));
        let owner = self.owner();
        for run in &runs {
            self.placer.avoid_line(run, owner);
        }
        let dash = dash.map_or(String::new(), |d| format!(r#" stroke-dasharray="{d}""#));
        let d = paths::path_data(&runs, false);
        if d.is_empty() {
            // The line runs wholly outside the frame.
            return false;
        }
        let colour = self.colour(role).to_string();
        self.push(
            group,
            &format!(
                r#"<path d="{d}" fill="none" stroke="{colour}" stroke-width="{width}" stroke-linecap="round" stroke-linejoin="round"{dash}/>"#
            ),
        );
        visible
    }

    /// A dot marker; reserves its area.
    pub fn dot(&mut self, p: LonLat, r: f64, role: Role) -> (f64, f64) {
        self.dot_marker(p, r, role, false)
    }

    /// A dot marker kept only if [`MapSvg::keep_marker`] is called once its label is placed.
    pub fn optional_dot(&mut self, p: LonLat, r: f64, role: Role) -> (f64, f64) {
        self.dot_marker(p, r, role, true)
    }

    fn dot_marker(&mut self, p: LonLat, r: f64, role: Role, optional: bool) -> (f64, f64) {
        let (x, y) = self.frame.point(p);
        let fill = self.colour(role);
        let svg = format!(
            r#"<circle cx="{x:.2}" cy="{y:.2}" r="{r}" fill="{fill}" stroke="white" stroke-width="0.45"/>"#
        );
        self.add_marker(svg, Rect::around(x, y, r + 0.3), optional);
        (x, y)
    }

    /// A ring marker for a named place that is not a city (an island).
    pub fn ring(&mut self, p: LonLat) -> (f64, f64) {
        let (x, y) = self.frame.point(p);
        let svg = format!(
            r#"<circle cx="{x:.2}" cy="{y:.2}" r="1.1" fill="white" stroke="{}" stroke-width="0.5"/>"#,
            self.colour(Role::Ink)
        );
        self.add_marker(svg, Rect::around(x, y, 1.5), false);
        (x, y)
    }

    /// A numbered stop marker; reserves its area.
    pub fn numbered(&mut self, p: LonLat, number: usize) -> (f64, f64) {
        let (x, y) = self.frame.point(p);
        let r = STOP_RADIUS;
        let svg = format!(
            r#"<circle cx="{x:.2}" cy="{y:.2}" r="{r}" fill="{accent}" stroke="white" stroke-width="0.5"/><text x="{x:.2}" y="{ty:.2}" font-family="{font}" font-size="{size}" font-weight="bold" fill="white" text-anchor="middle">{number}</text>"#,
            accent = self.colour(Role::Accent),
            size = self.style.text_size(2.6),
            ty = y + 0.95,
            font = xml(self.style.font_family()),
        );
        self.add_marker(svg, Rect::around(x, y, r + 0.3), false);
        (x, y)
    }

    fn add_marker(&mut self, svg: String, rect: Rect, optional: bool) {
        self.placer.reserve(rect);
        self.markers.push(Marker {
            svg,
            rect,
            kept: !optional,
        });
    }

    /// Keep the optional marker at (x, y) (its label found a place).
    pub fn keep_marker(&mut self, x: f64, y: f64) {
        if let Some(m) = self.markers.iter_mut().find(|m| {
            !m.kept && (m.rect.centre().0 - x).abs() < 1e-6 && (m.rect.centre().1 - y).abs() < 1e-6
        }) {
            m.kept = true;
        }
    }

    /// Credit data drawn on the map (once).
    pub fn credit(&mut self, credit: Option<&str>) {
        if let Some(credit) = credit
            && !self.credits.iter().any(|c| c == credit)
        {
            self.credits.push(credit.to_string());
        }
    }

    /// Add a legend entry (once per text).
    pub fn legend_entry(&mut self, symbol: LegendSymbol, text: &str) {
        if !self.legend.iter().any(|(_, t)| t == text) {
            self.legend.push((symbol, text.to_string()));
        }
    }

    /// Legend entries for the layers drawn.
    pub fn legend_for(&mut self, drawn: &DrawnLayers) {
        for &(kind, lines) in &drawn.kinds {
            match (kind, lines) {
                (Kind::Water, true) => {
                    self.legend_entry(LegendSymbol::Line(Role::Water, 0.45, None), "River")
                }
                (Kind::Border, _) => self.legend_entry(
                    LegendSymbol::Line(Role::Muted, 0.35, Some("1.6 0.8")),
                    "International border (today)",
                ),
                (Kind::Province, _) => self.legend_entry(
                    LegendSymbol::Line(Role::Rule, 0.25, Some("0.5 0.7")),
                    "Provincial boundary (today)",
                ),
                (Kind::Street, _) => self.legend_entry(LegendSymbol::Street, "Street"),
                (Kind::Rail, _) => self.legend_entry(LegendSymbol::Rail, "Railway"),
                (Kind::Green, _) => self.legend_entry(LegendSymbol::Fill(Role::Park), "Park"),
                (Kind::Built, _) => {
                    self.legend_entry(LegendSymbol::Fill(Role::Built), "Built-up area")
                }
                _ => {}
            }
        }
    }

    /// Say under the map what it could not draw for want of accurate data.
    pub fn note_missing(&mut self, kinds: &[Kind]) {
        for kind in kinds {
            if !self.missing.contains(kind) {
                self.missing.push(*kind);
            }
        }
    }

    /// Take a legend entry out again (what it names was not drawn after all).
    pub fn remove_legend_entry(&mut self, text: &str) {
        self.legend.retain(|(_, t)| t != text);
    }

    /// The legend's and the scale bar's words.
    fn small_text(&self) -> TextStyle {
        TextStyle::plain(self.style.text_size(SMALL_SIZE))
    }

    /// A place name's style at the size the figure sets it at (never below the style's
    /// smallest place name).
    pub fn named(&self, style: TextStyle) -> TextStyle {
        TextStyle {
            size: self.style.name_size(style.size),
            ..style
        }
    }

    /// Measure one line of text.
    pub fn extent(&self, text: &str, style: TextStyle) -> Extent {
        self.measure
            .extent(text, style.size, style.face, style.spacing)
    }

    /// The size of a label of `lines`: width, height, ascent of the first line.
    pub fn block(&self, lines: &[&str], style: TextStyle) -> (f64, f64, f64) {
        let extents: Vec<Extent> = lines.iter().map(|l| self.extent(l, style)).collect();
        let width = extents.iter().map(|e| e.width).fold(0.0, f64::max);
        let (ascent, descent) = extents
            .first()
            .map_or((0.0, 0.0), |e| (e.ascent, e.descent));
        let height = ascent + descent + (lines.len() - 1) as f64 * style.size * LINE_PITCH;
        (width, height, ascent)
    }

    /// The SVG of a label: a white stroked copy of the text (the halo) under the text.
    /// `at` is the anchor point of the first baseline; `rotate` turns it about that point.
    pub fn text_svg(
        &self,
        at: (f64, f64),
        lines: &[&str],
        anchor: &str,
        style: TextStyle,
        rotate: f64,
    ) -> String {
        let (ax, ay) = at;
        let mut spans = String::new();
        for (i, line) in lines.iter().enumerate() {
            if lines.len() == 1 {
                spans.push_str(&xml(line));
            } else {
                let dy = if i == 0 { 0.0 } else { style.size * LINE_PITCH };
                let _ = write!(
                    spans,
                    r#"<tspan x="{ax:.2}" dy="{dy:.2}">{}</tspan>"#,
                    xml(line)
                );
            }
        }
        let mut attributes = format!(
            r#"x="{ax:.2}" y="{ay:.2}" font-family="{font}" font-size="{size}" text-anchor="{anchor}""#,
            font = xml(self.style.font_family()),
            size = style.size,
        );
        match style.face {
            Face::Italic => attributes.push_str(r#" font-style="italic""#),
            Face::Bold => attributes.push_str(r#" font-weight="bold""#),
            Face::Regular => {}
        }
        if style.spacing > 0.0 {
            let _ = write!(attributes, r#" letter-spacing="{}""#, style.spacing);
        }
        if rotate.abs() > 0.01 {
            let _ = write!(
                attributes,
                r#" transform="rotate({rotate:.2} {ax:.2} {ay:.2})""#
            );
        }
        format!(
            r#"<text {attributes} fill="none" stroke="white" stroke-width="{halo}" stroke-linejoin="round"{opacity}>{spans}</text><text {attributes} fill="{fill}">{spans}</text>"#,
            halo = HALO * 2.0,
            opacity = self.style.opacity("stroke-opacity", 0.85),
            fill = self.colour(style.role),
        )
    }

    /// Label a marker at (x, y) of radius `r` in the best free place around it: on one line,
    /// else broken into two lines at the space nearest the middle. Returns whether it was placed.
    pub fn label(&mut self, x: f64, y: f64, r: f64, text: &str, style: TextStyle) -> bool {
        let style = self.named(style);
        let layouts = layouts(text);
        let spots = self.spots((x, y), r, &layouts, style);
        let rects: Vec<Rect> = spots.iter().map(|c| label_box(c.rect)).collect();
        let Some(i) = self.placer.take(&rects, None) else {
            return false;
        };
        let spot = &spots[i];
        let ax = match spot.anchor {
            "start" => spot.rect.x0,
            "end" => spot.rect.x1,
            _ => (spot.rect.x0 + spot.rect.x1) / 2.0,
        };
        let mut svg = String::new();
        if let Some((a, b)) = spot.leader {
            let _ = write!(
                svg,
                r#"<path d="M{:.2} {:.2}L{:.2} {:.2}" fill="none" stroke="{}" stroke-width="0.2"/>"#,
                a.0,
                a.1,
                b.0,
                b.1,
                self.colour(Role::Muted)
            );
            self.placer.avoid_line(&[a, b], usize::MAX);
        }
        let baseline = spot.rect.y0 + spot.ascent;
        svg.push_str(&self.text_svg(
            (ax, baseline),
            &layouts[spot.layout],
            spot.anchor,
            style,
            0.0,
        ));
        self.push(label_group(style), &svg);
        true
    }

    /// How many free places a marker's label has: the labels with least room go first.
    pub fn room(&self, x: f64, y: f64, r: f64, text: &str, style: TextStyle) -> usize {
        let style = self.named(style);
        let layouts = layouts(text);
        self.spots((x, y), r, &layouts, style)
            .iter()
            .filter(|s| self.placer.free(&label_box(s.rect)))
            .count()
    }

    /// The places a label of a marker at `at` may take, best first. Every place of every
    /// layout competes: a name broken in two that crosses no line beats one on a single line
    /// across the route. A name that would read as another marker's, or stands off its own,
    /// gets a leader line to its marker and comes after the places that need none; one that
    /// touches another marker is no place at all.
    fn spots(&self, at: Point, r: f64, layouts: &[Vec<&str>], style: TextStyle) -> Vec<Spot> {
        let mut plain = Vec::new();
        let mut led = Vec::new();
        for (n, lines) in layouts.iter().enumerate() {
            let (w, h, ascent) = self.block(lines, style);
            for (rect, anchor, far) in around_marker(at.0, at.1, r, w, h, self.placer.frame()) {
                if self.touches_another_marker(&rect, at) {
                    continue;
                }
                let leader = (far || self.nearer_another_marker(&rect, at))
                    .then(|| leader_line(at, r, &rect));
                let spot = Spot {
                    rect,
                    anchor,
                    layout: n,
                    ascent,
                    leader,
                };
                match leader {
                    None => plain.push(spot),
                    Some((a, b)) if self.leader_clear(a, b, at) => led.push(spot),
                    Some(_) => {}
                }
            }
        }
        plain.into_iter().chain(led).collect()
    }

    /// Whether a label box comes within a unit of a marker other than its own (at `own`).
    fn touches_another_marker(&self, rect: &Rect, own: Point) -> bool {
        self.markers.iter().any(|m| {
            let c = m.rect.centre();
            ((c.0 - own.0).abs() > 1e-6 || (c.1 - own.1).abs() > 1e-6)
                && m.rect.grow(1.0).overlaps(rect)
        })
    }

    /// Whether a leader line from `a` to `b` keeps clear of every label and of every marker
    /// but its own (at `own`).
    fn leader_clear(&self, a: Point, b: Point, own: Point) -> bool {
        let meets = |r: &Rect| r.meets_segment(a.0, a.1, b.0, b.1);
        !self.placer.labels().iter().any(meets)
            && !self.markers.iter().any(|m| {
                let c = m.rect.centre();
                ((c.0 - own.0).abs() > 1e-6 || (c.1 - own.1).abs() > 1e-6) && meets(&m.rect)
            })
    }

    /// Whether a label box lies nearer some other marker than the one at `own`.
    fn nearer_another_marker(&self, rect: &Rect, own: (f64, f64)) -> bool {
        let distance = |(x, y): (f64, f64)| {
            let dx = (rect.x0 - x).max(x - rect.x1).max(0.0);
            let dy = (rect.y0 - y).max(y - rect.y1).max(0.0);
            (dx * dx + dy * dy).sqrt()
        };
        let mine = distance(own);
        self.markers.iter().any(|m| {
            let c = m.rect.centre();
            ((c.0 - own.0).abs() > 1e-6 || (c.1 - own.1).abs() > 1e-6) && distance(c) + 0.3 < mine
        })
    }

    /// A required label: placed, else placed smaller if the style allows a smaller place
    /// name, else recorded as unplaced (a warning naming the map).
    pub fn label_or_report(
        &mut self,
        x: f64,
        y: f64,
        r: f64,
        text: &str,
        style: TextStyle,
    ) -> bool {
        let smaller = TextStyle {
            size: SMALL_SIZE,
            ..style
        };
        let placed = self.label(x, y, r, text, style)
            || (self.named(style).size > self.named(smaller).size
                && self.label(x, y, r, text, smaller));
        if !placed {
            self.unplaced.push(text.to_string());
        }
        placed
    }

    /// A name written across an area (country, sea, province), centred on a point and
    /// placed only if it fits there.
    pub fn area_name(&mut self, p: LonLat, text: &str, style: TextStyle) -> bool {
        let style = self.named(style);
        let (x, y) = self.frame.point(p);
        let e = self.extent(text, style);
        let rect = Rect::new(
            x - e.width / 2.0,
            y - e.ascent,
            x + e.width / 2.0,
            y + e.descent,
        );
        if !self.placer.place_fixed(label_box(rect)) {
            return false;
        }
        let svg = self.text_svg((x, y), &[text], "middle", style, 0.0);
        self.push(label_group(style), &svg);
        true
    }

    /// Reserve the scale bar, north arrow and legend before labels are placed. Markers must
    /// be drawn first: the legend goes to the first corner clear of them and of the lines
    /// labels keep off (routes, railways, named water), or under the map if none is.
    pub fn reserve_furniture(&mut self) {
        let (w, h) = (self.frame.width, self.frame.height);
        let scale = self.scale_bar_box();
        let arrow = match self.tag {
            Some(_) => Rect::new(0.0, 0.0, TAG_SIZE + 1.0, TAG_SIZE + 1.0),
            None => Rect::new(w - 10.0, 0.0, w, 14.0),
        };
        self.placer.reserve(scale);
        self.placer.reserve(arrow);
        self.furniture.extend([scale, arrow]);
        // An inset shares the legend of its main map; a style may keep legends off the map.
        if self.legend.is_empty() || self.tag.is_some() || !self.style.legend_in_corner {
            return;
        }
        let (lw, lh) = self.legend_size();
        let corners = [
            (w - lw - 2.0, h - lh - 2.0),
            (2.0, 2.0),
            (w - lw - 2.0, 15.0),
            (2.0, scale.y0 - lh - 1.5),
        ];
        self.legend_at = corners.iter().copied().find(|&(x, y)| {
            let rect = Rect::new(x, y, x + lw, y + lh);
            self.placer.free(&rect.grow(0.5)) && !self.placer.crosses_a_line(&rect.grow(0.5), None)
        });
        if let Some((x, y)) = self.legend_at {
            let rect = Rect::new(x, y, x + lw, y + lh);
            self.placer.reserve(rect);
            self.furniture.push(rect);
        }
    }

    /// Width and height of the legend box.
    fn legend_size(&self) -> (f64, f64) {
        let style = self.small_text();
        let width = self
            .legend
            .iter()
            .map(|(_, t)| self.extent(t, style).width)
            .fold(0.0, f64::max)
            + LEGEND_TEXT_X
            + 1.5;
        (width, self.legend.len() as f64 * LEGEND_ROW + 1.6)
    }

    /// The scale bar's length in units and its label.
    fn scale_bar_length(&self) -> (f64, String) {
        let per_km = self.frame.units_per_true_km();
        let target = self.frame.width * 0.22 / per_km;
        let magnitude = 10f64.powf(target.log10().floor());
        let km = [1.0, 2.0, 5.0, 10.0]
            .iter()
            .map(|m| m * magnitude)
            .rfind(|v| *v <= target)
            .unwrap_or(magnitude);
        let label = if km < 1.0 {
            format!("{} m", (km * 1000.0).round())
        } else {
            format!("{km} km")
        };
        (km * per_km, label)
    }

    /// Where the scale bar's parts go: the bar's left end and top, the labels' baseline.
    fn scale_bar_layout(&self) -> (f64, f64, f64) {
        let style = self.small_text();
        let e = self.extent("0", style);
        let bar_top = self.frame.height - 4.0;
        // The labels' descent and halo stay clear of the bar.
        (4.0, bar_top, bar_top - e.descent - HALO - 0.3)
    }

    /// The box the scale bar and its labels take.
    fn scale_bar_box(&self) -> Rect {
        let style = self.small_text();
        let (len, label) = self.scale_bar_length();
        let (x, bar_top, baseline) = self.scale_bar_layout();
        let e = self.extent(&label, style);
        Rect::new(
            x - HALO - 0.5,
            baseline - e.ascent,
            x + len + e.width / 2.0,
            bar_top + 1.0,
        )
        .grow(HALO)
    }

    fn scale_bar(&self) -> String {
        let (len, label) = self.scale_bar_length();
        let (x, bar_top, baseline) = self.scale_bar_layout();
        let style = self.small_text();
        format!(
            r#"<g class="scale"><rect x="{x}" y="{bar_top:.2}" width="{half:.2}" height="1" fill="{ink}"/><rect x="{x1:.2}" y="{bar_top:.2}" width="{half:.2}" height="1" fill="white" stroke="{ink}" stroke-width="0.25"/>{zero}{end}</g>"#,
            ink = self.colour(Role::Ink),
            half = len / 2.0,
            x1 = x + len / 2.0,
            zero = self.text_svg((x, baseline), &["0"], "middle", style, 0.0),
            end = self.text_svg((x + len, baseline), &[&label], "middle", style, 0.0),
        )
    }

    fn north_arrow(&self) -> String {
        let (x, y) = (self.frame.width - 5.0, 9.0);
        let here = self.frame.lonlat(x, y);
        let (nx, ny) = self.frame.point(LonLat::new(here.lon, here.lat + 0.01));
        let angle = (nx - x).atan2(y - ny).to_degrees();
        format!(
            r#"<g class="north" transform="translate({x:.2} {y:.2}) rotate({angle:.2})"><path d="M0 -4.5 L1.6 1.5 L0 0.6 L-1.6 1.5 Z" fill="{ink}"/><text x="0" y="-5.3" font-family="{font}" font-size="{s}" font-weight="bold" fill="{ink}" text-anchor="middle">N</text></g>"#,
            ink = self.colour(Role::Ink),
            font = xml(self.style.font_family()),
            s = self.style.text_size(SMALL_SIZE),
        )
    }

    fn legend_box(&self, (x, y): (f64, f64)) -> String {
        let (lw, lh) = self.legend_size();
        let mut out = format!(
            r#"<g class="legend" font-family="{font}" font-size="{s}" fill="{ink}"><rect x="{x:.2}" y="{y:.2}" width="{lw:.2}" height="{lh:.2}" fill="white"{opacity} stroke="{rule}" stroke-width="0.25"/>"#,
            font = xml(self.style.font_family()),
            s = self.style.text_size(SMALL_SIZE),
            ink = self.colour(Role::Ink),
            rule = self.colour(Role::Rule),
            opacity = self.style.opacity("fill-opacity", 0.9),
        );
        let e = self.extent("Xg", self.small_text());
        for (i, (symbol, text)) in self.legend.iter().enumerate() {
            let cy = y + 0.8 + LEGEND_ROW * (i as f64 + 0.5);
            let symbol = self.legend_symbol(*symbol, x + 4.5, cy);
            let _ = write!(
                out,
                r#"{symbol}<text x="{tx:.2}" y="{ty:.2}">{text}</text>"#,
                tx = x + LEGEND_TEXT_X,
                ty = cy + (e.ascent - e.descent) / 2.0,
                text = xml(text)
            );
        }
        out.push_str("</g>");
        out
    }

    /// A legend entry's symbol centred at (sx, cy).
    fn legend_symbol(&self, symbol: LegendSymbol, sx: f64, cy: f64) -> String {
        let line = |colour: &str, width: f64, extra: &str| {
            format!(
                r#"<path d="M{:.2} {cy:.2}H{:.2}" fill="none" stroke="{colour}" stroke-width="{width}"{extra}/>"#,
                sx - 3.0,
                sx + 3.0
            )
        };
        match symbol {
            LegendSymbol::Dot(role) => format!(
                r#"<circle cx="{sx:.2}" cy="{cy:.2}" r="1.2" fill="{}" stroke="white" stroke-width="0.4"/>"#,
                self.colour(role)
            ),
            LegendSymbol::Numbered => format!(
                r#"<circle cx="{sx:.2}" cy="{cy:.2}" r="1.5" fill="{}"/>"#,
                self.colour(Role::Accent)
            ),
            LegendSymbol::Ring => format!(
                r#"<circle cx="{sx:.2}" cy="{cy:.2}" r="1.1" fill="white" stroke="{}" stroke-width="0.5"/>"#,
                self.colour(Role::Ink)
            ),
            LegendSymbol::Line(role, width, dash) => line(
                self.colour(role),
                width,
                &dash.map_or(String::new(), |d| format!(r#" stroke-dasharray="{d}""#)),
            ),
            LegendSymbol::Street => {
                line(self.colour(Role::Rule), 1.3, "") + &line(self.colour(Role::Street), 0.9, "")
            }
            LegendSymbol::Rail => {
                line(self.colour(Role::Ink), 0.7, "")
                    + &line("white", 0.35, r#" stroke-dasharray="1.2 1.2""#)
            }
            LegendSymbol::Fill(role) => format!(
                r#"<rect x="{:.2}" y="{:.2}" width="6" height="2.4" fill="{}" stroke="{}" stroke-width="0.2"/>"#,
                sx - 3.0,
                cy - 1.2,
                self.colour(role),
                self.colour(Role::Rule)
            ),
            LegendSymbol::Area => format!(
                r#"<rect x="{:.2}" y="{:.2}" width="5" height="2.6" fill="none" stroke="{}" stroke-width="0.4"/>"#,
                sx - 2.5,
                cy - 1.3,
                self.colour(Role::Ink)
            ),
        }
    }

    /// The frame's content: layers clipped to the frame, furniture, and the frame's outline.
    fn body(&self) -> String {
        let (w, h) = (self.frame.width, self.frame.height);
        let mut out = format!(
            r#"<defs><clipPath id="{id}"><rect width="{w:.2}" height="{h:.2}"/></clipPath></defs><g clip-path="url(#{id})">"#,
            id = self.clip_id,
        );
        let markers: String = self
            .markers
            .iter()
            .filter(|m| m.kept)
            .map(|m| m.svg.as_str())
            .collect();
        let mut groups = self.groups.clone();
        groups.entry(Group::Marker).or_default().push_str(&markers);
        for (group, svg) in &groups {
            if !svg.is_empty() {
                let _ = write!(out, r#"<g class="{}">{svg}</g>"#, group.class());
            }
        }
        out.push_str(&self.scale_bar());
        match self.tag {
            Some(tag) => out.push_str(&tag_box(0.0, 0.0, tag, self.style)),
            None => out.push_str(&self.north_arrow()),
        }
        if let (Some(at), false, None) = (self.legend_at, self.legend.is_empty(), self.tag) {
            out.push_str(&self.legend_box(at));
        }
        let _ = write!(
            out,
            r#"</g><rect width="{w:.2}" height="{h:.2}" fill="none" stroke="{ink}" stroke-width="0.4"/>"#,
            ink = self.colour(Role::Ink),
        );
        out
    }

    /// Close the map: frame, furniture and the source line under it.
    pub fn finish(self, markers: Vec<String>, stops: Vec<StopMarker>) -> DrawnMap {
        self.finish_with_insets(markers, stops, vec![])
    }

    /// Close the map with insets drawn in rows under it, then the legend if it found no
    /// corner, then the source line and notes.
    pub fn finish_with_insets(
        self,
        markers: Vec<String>,
        mut stops: Vec<StopMarker>,
        insets: Vec<(MapSvg<'_>, Vec<StopMarker>)>,
    ) -> DrawnMap {
        let (w, h) = (self.frame.width, self.frame.height);
        let mut labels = self.placer.labels().to_vec();
        let mut furniture: Vec<Rect> = self.furniture.clone();
        furniture.extend(self.markers.iter().filter(|m| m.kept).map(|m| m.rect));
        let mut unlabelled = self.unlabelled.clone();
        let mut unplaced = self.unplaced.clone();
        let mut water_names = self.water_names.clone();
        let mut inset_missing: Vec<Kind> = Vec::new();
        let mut credits = self.credits.clone();
        let mut content = self.body();
        let mut bottom = h;
        let count = insets.len();
        for row in insets.chunks(insets_per_row(self.style.width)) {
            let top = bottom + INSET_GAP;
            let mut row_height: f64 = 0.0;
            let mut left = 0.0;
            for (inset, inset_stops) in row {
                let _ = write!(
                    content,
                    r#"<g transform="translate({left:.2} {top:.2})">{}</g>"#,
                    inset.body()
                );
                labels.extend(inset.placer.labels().iter().map(|r| r.shift(left, top)));
                furniture.extend(inset.furniture.iter().map(|r| r.shift(left, top)));
                furniture.extend(
                    inset
                        .markers
                        .iter()
                        .filter(|m| m.kept)
                        .map(|m| m.rect.shift(left, top)),
                );
                unlabelled.extend(inset.unlabelled.iter().cloned());
                unplaced.extend(inset.unplaced.iter().cloned());
                water_names.extend(
                    inset
                        .water_names
                        .iter()
                        .map(|(n, (x, y))| (n.clone(), (x + left, y + top))),
                );
                for kind in &inset.missing {
                    if !self.missing.contains(kind) && !inset_missing.contains(kind) {
                        inset_missing.push(*kind);
                    }
                }
                for credit in &inset.credits {
                    if !credits.contains(credit) {
                        credits.push(credit.clone());
                    }
                }
                stops.extend(inset_stops.iter().map(|&(x, y, r)| (x + left, y + top, r)));
                left += inset.frame.width + INSET_GAP;
                row_height = row_height.max(inset.frame.height);
            }
            bottom = top + row_height;
        }
        // A river named in an inset is named on the map.
        unplaced.retain(|name| !water_names.iter().any(|(w, _)| w == name));
        if self.legend_at.is_none() && !self.legend.is_empty() {
            let (lw, lh) = self.legend_size();
            let at = (0.0, bottom + INSET_GAP);
            content.push_str(&self.legend_box(at));
            furniture.push(Rect::new(at.0, at.1, at.0 + lw, at.1 + lh));
            bottom = at.1 + lh;
        }
        let mut under = vec![self.source_line(&credits)];
        under.extend(missing_note(&self.missing, ""));
        under.extend(missing_note(&inset_missing, " in the insets"));
        let (text, lines_height) = self.lines_under(&under, bottom);
        content.push_str(&text);
        let total = bottom + lines_height + 1.2;
        let svg = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w:.2} {total:.2}" width="{mw:.2}mm" height="{mh:.2}mm">{content}</svg>"#,
            mw = self.style.mm(w),
            mh = self.style.mm(total),
        );
        DrawnMap {
            svg,
            labels,
            furniture,
            markers,
            stops,
            insets: count,
            unlabelled,
            unplaced,
            frame: Some(self.frame),
            water_names,
        }
    }

    /// The source line: what the positions come from, the data's credits, the projection.
    fn source_line(&self, credits: &[String]) -> String {
        let mut parts: Vec<&str> = Vec::new();
        let (first, rest) = self.source.split_once(" · ").unwrap_or((&self.source, ""));
        if !first.is_empty() {
            parts.push(first);
        }
        parts.extend(
            credits
                .iter()
                .filter(|c| !self.source.contains(c.as_str()))
                .map(String::as_str),
        );
        if !rest.is_empty() {
            parts.push(rest);
        }
        parts.join(" · ")
    }

    /// Lines of small text under the map, each wrapped to the map's width; returns the SVG
    /// and the height they take.
    fn lines_under(&self, lines: &[String], top: f64) -> (String, f64) {
        let size = self.style.text_size(2.3);
        let style = TextStyle::plain(size);
        let pitch = size * LINE_PITCH;
        let mut out = String::new();
        let mut y = top + 3.6;
        for line in lines.iter().filter(|l| !l.is_empty()) {
            for wrapped in wrap(line, self.frame.width, |t| self.extent(t, style).width) {
                let _ = write!(
                    out,
                    r#"<text x="0" y="{y:.2}" font-family="{font}" font-size="{size}" fill="{muted}">{}</text>"#,
                    xml(&wrapped),
                    font = xml(self.style.font_family()),
                    muted = self.colour(Role::Muted),
                );
                y += pitch;
            }
        }
        (out, y - pitch - top)
    }
}

/// The note under a map that names what it could not draw, if anything.
fn missing_note(kinds: &[Kind], place: &str) -> Option<String> {
    let mut words: Vec<&str> = kinds.iter().map(|k| k.missing()).collect();
    words.dedup();
    (!words.is_empty()).then(|| {
        format!(
            "Not drawn{place}, for want of data accurate to 1 mm at this scale: {}.",
            words.join(", ")
        )
    })
}

/// Text broken into lines no wider than `width` at spaces.
pub fn wrap(text: &str, width: f64, measure: impl Fn(&str) -> f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split(' ') {
        let candidate = if current.is_empty() {
            word.to_string()
        } else {
            format!("{current} {word}")
        };
        if measure(&candidate) > width && !current.is_empty() {
            lines.push(std::mem::replace(&mut current, word.to_string()));
        } else {
            current = candidate;
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

/// Whether any part of a run lies inside the frame.
fn runs_visible(run: &[Point], frame: &Frame) -> bool {
    let rect = frame.rect();
    run.windows(2)
        .any(|w| rect.meets_segment(w[0].0, w[0].1, w[1].0, w[1].1))
}

/// Whether a point lies inside a ring (even-odd).
pub fn point_in_ring(p: Point, ring: &[Point]) -> bool {
    let mut inside = false;
    for i in 0..ring.len() {
        let (a, b) = (ring[(i + ring.len() - 1) % ring.len()], ring[i]);
        if (a.1 > p.1) != (b.1 > p.1) && p.0 < a.0 + (p.1 - a.1) * (b.0 - a.0) / (b.1 - a.1) {
            inside = !inside;
        }
    }
    inside
}

/// The box a label takes: its text's advance and the font's ascender and descender (the
/// box a PDF text layer gives it), widened by the halo; the line box already holds the
/// halo above and below the glyphs.
pub fn label_box(text: Rect) -> Rect {
    Rect::new(text.x0 - HALO, text.y0, text.x1 + HALO, text.y1)
}

/// Boxes for a label of `w` × `h` around a marker of radius `r` at (x, y), best first, with the
/// text anchor of each and whether it stands off the marker: east, west, the diagonals,
/// north and south, then the same further out. Above or below the marker a label may slide
/// sideways to stay in the frame as long as it still spans the marker.
pub fn around_marker(
    x: f64,
    y: f64,
    r: f64,
    w: f64,
    h: f64,
    frame: Rect,
) -> Vec<(Rect, &'static str, bool)> {
    let mut out = Vec::new();
    // The first step keeps the label's halo clear of the marker's reserved box.
    for step in [HALO + 0.45, 1.6, 3.0, 4.5, 6.5, 9.0, 12.0] {
        let g = r + step;
        let d = g * 0.75;
        for (left, top, anchor) in [
            (x + g, y - h / 2.0, "start"),
            (x - g - w, y - h / 2.0, "end"),
            (x + d, y - d - h, "start"),
            (x + d, y + d, "start"),
            (x - d - w, y - d - h, "end"),
            (x - d - w, y + d, "end"),
            (x - w / 2.0, y - g - h, "middle"),
            (x - w / 2.0, y + g, "middle"),
            // Above or below, off centre: the name still spans the marker.
            (x - w * 0.15, y - g - h, "start"),
            (x - w * 0.85, y - g - h, "end"),
            (x - w * 0.15, y + g, "start"),
            (x - w * 0.85, y + g, "end"),
        ] {
            let left = if anchor == "middle" {
                let slid = left.clamp(frame.x0 + HALO, (frame.x1 - HALO - w).max(frame.x0 + HALO));
                if slid <= x && x <= slid + w {
                    slid
                } else {
                    left
                }
            } else {
                left
            };
            out.push((Rect::new(left, top, left + w, top + h), anchor, step >= 4.5));
        }
    }
    out
}

/// A leader line from the edge of a marker of radius `r` at `at` to just short of a label's
/// box.
fn leader_line(at: Point, r: f64, rect: &Rect) -> (Point, Point) {
    let target = (at.0.clamp(rect.x0, rect.x1), at.1.clamp(rect.y0, rect.y1));
    let (dx, dy) = (target.0 - at.0, target.1 - at.1);
    let length = (dx * dx + dy * dy).sqrt().max(1e-9);
    let (ux, uy) = (dx / length, dy / length);
    let start = (at.0 + ux * (r + 0.2), at.1 + uy * (r + 0.2));
    let end = (target.0 - ux * 0.3, target.1 - uy * 0.3);
    (start, end)
}

/// Space for a legend entry's symbol before its text.
const LEGEND_TEXT_X: f64 = 9.0;
/// Height of a legend row.
const LEGEND_ROW: f64 = 3.6;
/// Side of the square that carries an inset's letter.
pub const TAG_SIZE: f64 = 5.0;
/// Space between the main map and its insets, and between insets.
pub const INSET_GAP: f64 = 3.0;
/// Narrowest an inset is drawn beside another: narrower, its names would not fit.
const MIN_INSET_WIDTH: f64 = 60.0;

/// How many insets a row holds under a map `width` units wide: two side by side, or one
/// where two would be too narrow (a figure drawn for screens).
pub fn insets_per_row(width: f64) -> usize {
    if (width - INSET_GAP) / 2.0 >= MIN_INSET_WIDTH {
        2
    } else {
        1
    }
}

/// A letter in a white square with a dark outline: names an inset and the area it enlarges.
pub fn tag_box(x: f64, y: f64, tag: char, style: &Style) -> String {
    format!(
        r#"<g class="inset"><rect x="{x:.2}" y="{y:.2}" width="{s}" height="{s}" fill="white" stroke="{ink}" stroke-width="0.4"/><text x="{tx:.2}" y="{ty:.2}" font-family="{font}" font-size="{size}" font-weight="bold" fill="{ink}" text-anchor="middle">{tag}</text></g>"#,
        s = TAG_SIZE,
        size = style.text_size(3.4),
        ink = style.colour(Role::Ink),
        tx = x + TAG_SIZE / 2.0,
        ty = y + TAG_SIZE / 2.0 + 1.2,
        font = xml(style.font_family()),
    )
}

/// The group a label is drawn in: names of water (set in italic) have their own.
fn label_group(style: TextStyle) -> Group {
    if style.face == Face::Italic {
        Group::WaterLabel
    } else {
        Group::Label
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_wrap_at_spaces() {
        let lines = wrap("one two three four", 9.0, |t| t.len() as f64);
        assert_eq!(lines, vec!["one two", "three", "four"]);
    }

    #[test]
    fn points_in_rings() {
        let square = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)];
        assert!(point_in_ring((5.0, 5.0), &square));
        assert!(!point_in_ring((15.0, 5.0), &square));
    }
}
