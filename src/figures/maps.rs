//! Maps drawn from the data as SVG: frame, projection, base geography, markers, placed labels,
//! scale bar, north arrow, legend and source line.

use std::fmt::Write;

use crate::figures::geo::{BaseMap, Lambert, LonLat, distance_km};
use crate::figures::style::{Role, Style};

/// Width of every figure in SVG user units; Typst scales it to the text width.
pub const WIDTH: f64 = 160.0;
/// Size of ordinary map labels, in user units (about 6.5 pt at A5 text width).
pub const LABEL_SIZE: f64 = 3.4;
const SMALL_SIZE: f64 = 2.7;
/// Frames narrower than this (kilometres) are drawn without coastline or borders.
const MIN_COAST_SPAN_KM: f64 = 12.0;
/// A numbered stop marker as drawn: centre x, centre y and radius, in SVG units.
pub type StopMarker = (f64, f64, f64);
/// Radius of a numbered stop marker.
const STOP_RADIUS: f64 = 2.3;

/// An axis-aligned box in SVG units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Rect {
    pub fn new(x0: f64, y0: f64, x1: f64, y1: f64) -> Self {
        Self { x0, y0, x1, y1 }
    }

    /// Whether two boxes share any area.
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.x0 < other.x1 && other.x0 < self.x1 && self.y0 < other.y1 && other.y0 < self.y1
    }

    fn inside(&self, other: &Rect) -> bool {
        self.x0 >= other.x0 && self.x1 <= other.x1 && self.y0 >= other.y0 && self.y1 <= other.y1
    }

    /// Whether the segment from (x0, y0) to (x1, y1) passes through the box (clipped to
    /// it, Liang–Barsky).
    pub fn meets_segment(&self, x0: f64, y0: f64, x1: f64, y1: f64) -> bool {
        let (dx, dy) = (x1 - x0, y1 - y0);
        let (mut t0, mut t1) = (0.0f64, 1.0f64);
        for (p, q) in [
            (-dx, x0 - self.x0),
            (dx, self.x1 - x0),
            (-dy, y0 - self.y0),
            (dy, self.y1 - y0),
        ] {
            if p == 0.0 {
                if q < 0.0 {
                    return false;
                }
            } else {
                let t = q / p;
                if p < 0.0 {
                    t0 = t0.max(t);
                } else {
                    t1 = t1.min(t);
                }
            }
        }
        t0 <= t1
    }

    fn around(x: f64, y: f64, r: f64) -> Self {
        Self::new(x - r, y - r, x + r, y + r)
    }
}

/// Estimated advance width of a text in Noto Sans: an average glyph is about 0.56 em,
/// capitals and wide letters more; a safety margin keeps real glyphs inside the box.
pub fn text_width(text: &str, size: f64) -> f64 {
    text.chars()
        .map(|c| match c {
            'i' | 'l' | 'j' | 't' | 'f' | 'r' | '.' | ',' | '\'' | ' ' | '’' | 'I' => 0.32,
            'm' | 'w' | 'M' | 'W' => 0.86,
            c if c.is_uppercase() => 0.68,
            c if c.is_ascii_digit() => 0.57,
            _ => 0.56,
        })
        .sum::<f64>()
        * size
        * 1.04
}

/// Places labels beside markers so that no label overlaps another label, a marker or
/// any other reserved area, and every label stays inside the frame; where it can, a label
/// also keeps off the drawn lines (railways, routes).
pub struct Placer {
    frame: Rect,
    obstacles: Vec<Rect>,
    labels: Vec<Rect>,
    /// Segments of drawn lines, `(x0, y0, x1, y1)`: labels avoid them when they can.
    segments: Vec<(f64, f64, f64, f64)>,
}

impl Placer {
    pub fn new(frame: Rect) -> Self {
        Self {
            frame,
            obstacles: vec![],
            labels: vec![],
            segments: vec![],
        }
    }

    /// Keep labels off a drawn polyline where another place is free.
    pub fn avoid_line(&mut self, points: &[(f64, f64)]) {
        self.segments
            .extend(points.windows(2).map(|w| (w[0].0, w[0].1, w[1].0, w[1].1)));
    }

    fn crosses_a_line(&self, rect: &Rect) -> bool {
        self.segments
            .iter()
            .any(|&(x0, y0, x1, y1)| rect.meets_segment(x0, y0, x1, y1))
    }

    /// Keep an area free of labels (a marker, the legend, the scale bar).
    pub fn reserve(&mut self, rect: Rect) {
        self.obstacles.push(rect);
    }

    /// Boxes of the labels placed so far.
    pub fn labels(&self) -> &[Rect] {
        &self.labels
    }

    fn free(&self, rect: &Rect) -> bool {
        rect.inside(&self.frame)
            && !self.obstacles.iter().any(|o| o.overlaps(rect))
            && !self.labels.iter().any(|l| l.overlaps(rect))
    }

    /// Find a place for a label of `width` and `lines` lines of `size` beside a marker of
    /// radius `r` at (x, y): east, west, north-east, south-east, north-west, south-west,
    /// north, south, then the same further out. Returns the text anchor point (the first
    /// line's baseline) and `start`/`end`/`middle`.
    pub fn place(
        &mut self,
        x: f64,
        y: f64,
        r: f64,
        width: f64,
        (size, lines): (f64, usize),
    ) -> Option<(f64, f64, &'static str)> {
        let line = size * 1.15;
        let h = line * lines as f64;
        let mut candidates = Vec::new();
        for step in [0.6, 1.6, 3.0, 4.5] {
            let g = r + step;
            let d = (r + step) * 0.75;
            candidates.extend([
                (x + g, y - h / 2.0, "start"),
                (x - g - width, y - h / 2.0, "end"),
                (x + d, y - d - h, "start"),
                (x + d, y + d, "start"),
                (x - d - width, y - d - h, "end"),
                (x - d - width, y + d, "end"),
                (x - width / 2.0, y - g - h, "middle"),
                (x - width / 2.0, y + g, "middle"),
            ]);
        }
        let boxes: Vec<(Rect, &'static str)> = candidates
            .into_iter()
            .map(|(left, top, anchor)| {
                // Above or below the marker, a label may slide sideways to stay in the frame
                // as long as it still spans the marker.
                let left = if anchor == "middle" {
                    let slid =
                        left.clamp(self.frame.x0, (self.frame.x1 - width).max(self.frame.x0));
                    if slid <= x && x <= slid + width {
                        slid
                    } else {
                        left
                    }
                } else {
                    left
                };
                (Rect::new(left, top, left + width, top + h), anchor)
            })
            .collect();
        // First a place clear of the drawn lines too, then any free place.
        let chosen = boxes
            .iter()
            .find(|(rect, _)| self.free(rect) && !self.crosses_a_line(rect))
            .or_else(|| boxes.iter().find(|(rect, _)| self.free(rect)))
            .copied();
        let (rect, anchor) = chosen?;
        self.labels.push(rect);
        let ax = match anchor {
            "start" => rect.x0,
            "end" => rect.x1,
            _ => (rect.x0 + rect.x1) / 2.0,
        };
        // Baseline sits about 0.8 of the line height down (ascender of Noto Sans).
        Some((ax, rect.y0 + line * 0.8, anchor))
    }

    /// Reserve a fixed label (a country or sea name) if it fits; returns whether it did.
    pub fn place_fixed(&mut self, rect: Rect) -> bool {
        if self.free(&rect) {
            self.labels.push(rect);
            true
        } else {
            false
        }
    }
}

/// A map frame: which part of the projected plane is shown, and at what scale.
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    pub projection: Lambert,
    /// Projected kilometres of the frame's left and top edges.
    left_km: f64,
    top_km: f64,
    /// SVG units per projected kilometre.
    units_per_km: f64,
    pub width: f64,
    pub height: f64,
}

impl Frame {
    /// A frame of `WIDTH` units showing every point, with `pad` of the span around them,
    /// at least `min_span_km` wide, its height between `min_ratio` and `max_ratio` of the width.
    pub fn fit(
        projection: Lambert,
        points: &[LonLat],
        pad: f64,
        min_span_km: f64,
        ratio: (f64, f64),
    ) -> Self {
        Self::fit_width(projection, points, pad, min_span_km, ratio, WIDTH)
    }

    /// As [`Frame::fit`], for a frame `width` units wide (an inset).
    pub fn fit_width(
        projection: Lambert,
        points: &[LonLat],
        pad: f64,
        min_span_km: f64,
        ratio: (f64, f64),
        width: f64,
    ) -> Self {
        let projected: Vec<(f64, f64)> = points.iter().map(|p| projection.forward(*p)).collect();
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for (x, y) in &projected {
            x0 = x0.min(*x);
            x1 = x1.max(*x);
            y0 = y0.min(*y);
            y1 = y1.max(*y);
        }
        if projected.is_empty() {
            (x0, x1, y0, y1) = (-500.0, 500.0, -500.0, 500.0);
        }
        let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
        let mut w = ((x1 - x0) * (1.0 + 2.0 * pad)).max(min_span_km);
        let mut h = ((y1 - y0) * (1.0 + 2.0 * pad)).max(min_span_km * ratio.0);
        if h / w > ratio.1 {
            w = h / ratio.1;
        }
        if h / w < ratio.0 {
            h = w * ratio.0;
        }
        let units_per_km = width / w;
        Self {
            projection,
            left_km: cx - w / 2.0,
            top_km: cy + h / 2.0,
            units_per_km,
            width,
            height: h * units_per_km,
        }
    }

    /// SVG position of a point.
    pub fn point(&self, p: LonLat) -> (f64, f64) {
        let (x, y) = self.projection.forward(p);
        (
            (x - self.left_km) * self.units_per_km,
            (self.top_km - y) * self.units_per_km,
        )
    }

    /// The point shown at an SVG position.
    pub fn lonlat(&self, x: f64, y: f64) -> LonLat {
        self.projection.inverse(
            x / self.units_per_km + self.left_km,
            self.top_km - y / self.units_per_km,
        )
    }

    /// SVG units per true kilometre at the frame's centre (projected scale corrected).
    pub fn units_per_true_km(&self) -> f64 {
        let centre = self.lonlat(self.width / 2.0, self.height / 2.0);
        self.units_per_km * self.projection.scale_factor(centre.lat)
    }
}

/// Escape text for SVG character data and attribute values (the XHTML escaper).
pub use crate::escape::xml;

/// A map being drawn.
pub struct MapSvg {
    pub frame: Frame,
    pub placer: Placer,
    style: Style,
    layers: Vec<String>,
    legend: Vec<(LegendSymbol, String)>,
    legend_at: (f64, f64),
    source: String,
    /// Id of the frame's clip path, unique within the SVG (insets have their own).
    clip_id: String,
    /// An inset's letter, drawn in its top-left corner in place of the north arrow.
    tag: Option<char>,
    /// Names of numbered stops no label could be placed for.
    unlabelled: Vec<String>,
}

/// How a legend entry is drawn.
#[derive(Debug, Clone, Copy)]
pub enum LegendSymbol {
    Dot(Role),
    Numbered,
    Line(Role, f64, Option<&'static str>),
    Land,
    /// An outlined box: the area an inset enlarges.
    Area,
}

/// A finished map: its SVG text and the boxes of its labels.
#[derive(Debug, Clone)]
pub struct DrawnMap {
    pub svg: String,
    pub labels: Vec<Rect>,
    /// Markers drawn, by name, for tests and alt text.
    pub markers: Vec<String>,
    /// Numbered markers (centre and radius) in SVG units, for tests.
    pub stops: Vec<StopMarker>,
    /// How many inset maps enlarge crowded parts of the map.
    pub insets: usize,
    /// Numbered stops left without a label (none, on every map the book ships).
    pub unlabelled: Vec<String>,
}

impl MapSvg {
    /// A map over `frame` drawn in `style`, with `source` printed under it.
    pub fn new(frame: Frame, style: &Style, source: &str) -> Self {
        Self {
            placer: Placer::new(Rect::new(1.0, 1.0, frame.width - 1.0, frame.height - 1.0)),
            frame,
            style: style.clone(),
            layers: vec![],
            legend: vec![],
            legend_at: (0.0, 0.0),
            source: source.to_string(),
            clip_id: "frame".into(),
            tag: None,
            unlabelled: vec![],
        }
    }

    /// An inset of a larger map, tagged with a letter; it has a scale bar but no legend.
    fn inset(frame: Frame, style: &Style, tag: char) -> Self {
        let mut map = Self::new(frame, style, "");
        map.clip_id = format!("inset-{}", tag.to_ascii_lowercase());
        map.tag = Some(tag);
        map
    }

    /// SVG path data through the points; a closed ring is first cut to the frame (with a
    /// margin, so its cut edges stay outside the visible area), which keeps the numbers small
    /// however far the coastline runs beyond a large-scale map.
    fn path(&self, points: &[LonLat], close: bool) -> String {
        let mut projected: Vec<(f64, f64)> = points.iter().map(|p| self.frame.point(*p)).collect();
        if close {
            let m = 10.0;
            projected = clip_ring(
                projected,
                Rect::new(-m, -m, self.frame.width + m, self.frame.height + m),
            );
        }
        let mut d = String::new();
        let mut last: Option<(f64, f64)> = None;
        for (i, &(x, y)) in projected.iter().enumerate() {
            if let Some((lx, ly)) = last
                && (x - lx).abs() + (y - ly).abs() < 0.25
                && i + 1 != projected.len()
            {
                continue;
            }
            let _ = write!(
                d,
                "{}{:.2} {:.2}",
                if last.is_none() { "M" } else { "L" },
                x,
                y
            );
            last = Some((x, y));
        }
        if close && !d.is_empty() {
            d.push('Z');
        }
        d
    }

    fn visible(&self, points: &[LonLat]) -> bool {
        let margin = 5.0;
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for p in points {
            let (x, y) = self.frame.point(*p);
            x0 = x0.min(x);
            x1 = x1.max(x);
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
        Rect::new(x0, y0, x1, y1).overlaps(&Rect::new(
            -margin,
            -margin,
            self.frame.width + margin,
            self.frame.height + margin,
        ))
    }

    /// Land, coastline and borders.
    pub fn base(&mut self, base: &BaseMap) {
        if self.frame.width / self.frame.units_per_km < MIN_COAST_SPAN_KM {
            // Natural Earth's coastline is good to a few hundred metres: drawn across a
            // frame this small it would put harbour-side landmarks in the sea. Every stop is
            // on land, so the whole frame is land.
            self.layers.push(format!(
                r#"<rect width="{w:.2}" height="{h:.2}" fill="{tint}"/>"#,
                w = self.frame.width,
                h = self.frame.height,
                tint = self.style.colour(Role::Tint),
            ));
            return;
        }
        let mut land = String::new();
        for polygon in &base.land {
            if polygon.first().is_some_and(|outer| self.visible(outer)) {
                for ring in polygon {
                    land.push_str(&self.path(ring, true));
                }
            }
        }
        let mut lakes = String::new();
        for polygon in &base.lakes {
            if polygon.first().is_some_and(|outer| self.visible(outer)) {
                for ring in polygon {
                    lakes.push_str(&self.path(ring, true));
                }
            }
        }
        let (borders, borders_shown) = self.lines(&base.borders);
        let (provinces, provinces_shown) = self.lines(&base.provinces);
        let (rivers, rivers_shown) = self.lines(&base.rivers);
        self.layers.push(format!(
            r#"<rect width="{w:.2}" height="{h:.2}" fill="{sea}"/><path d="{land}" fill="{tint}" fill-rule="evenodd" stroke="{rule}" stroke-width="0.25" stroke-linejoin="round"/><path d="{lakes}" fill="{sea}" fill-rule="evenodd" stroke="{water}" stroke-width="0.2" stroke-linejoin="round"/><path d="{provinces}" fill="none" stroke="{rule}" stroke-width="0.25" stroke-dasharray="0.5 0.7" stroke-linecap="round" stroke-linejoin="round"/><path d="{rivers}" fill="none" stroke="{water}" stroke-width="0.4" stroke-linecap="round" stroke-linejoin="round"/><path d="{borders}" fill="none" stroke="{muted}" stroke-width="0.35" stroke-dasharray="1.6 0.8" stroke-linejoin="round"/>"#,
            w = self.frame.width,
            h = self.frame.height,
            sea = self.style.colour(Role::Sea),
            tint = self.style.colour(Role::Tint),
            rule = self.style.colour(Role::Rule),
            water = self.style.colour(Role::Water),
            muted = self.style.colour(Role::Muted),
        ));
        if rivers_shown {
            self.legend_entry(LegendSymbol::Line(Role::Water, 0.4, None), "River");
        }
        if borders_shown {
            self.legend_entry(
                LegendSymbol::Line(Role::Muted, 0.35, Some("1.6 0.8")),
                "International border (today)",
            );
        }
        if provinces_shown {
            self.legend_entry(
                LegendSymbol::Line(Role::Rule, 0.25, Some("0.5 0.7")),
                "Provincial boundary (today)",
            );
        }
    }

    /// Path data of the polylines that come near the frame, and whether any point of them
    /// lies inside it.
    fn lines(&self, lines: &[Vec<LonLat>]) -> (String, bool) {
        let mut d = String::new();
        let mut shown = false;
        for line in lines {
            if self.visible(line) {
                d.push_str(&self.path(line, false));
                shown |= line.iter().any(|p| {
                    let (x, y) = self.frame.point(*p);
                    (0.0..=self.frame.width).contains(&x) && (0.0..=self.frame.height).contains(&y)
                });
            }
        }
        (d, shown)
    }

    /// A polyline through points (a railway, a route).
    pub fn line(&mut self, points: &[LonLat], role: Role, width: f64, dash: Option<&str>) {
        let colour = self.style.colour(role).to_string();
        let projected: Vec<(f64, f64)> = points.iter().map(|p| self.frame.point(*p)).collect();
        self.placer.avoid_line(&projected);
        let dash = dash.map_or(String::new(), |d| format!(r#" stroke-dasharray="{d}""#));
        let d = self.path(points, false);
        self.layers.push(format!(
            r#"<path d="{d}" fill="none" stroke="{colour}" stroke-width="{width}" stroke-linecap="round" stroke-linejoin="round"{dash}/>"#
        ));
    }

    /// A dot marker; reserves its area.
    pub fn dot(&mut self, p: LonLat, r: f64, role: Role) -> (f64, f64) {
        let (x, y) = self.frame.point(p);
        let fill = self.style.colour(role);
        self.layers.push(format!(
            r#"<circle cx="{x:.2}" cy="{y:.2}" r="{r}" fill="{fill}" stroke="white" stroke-width="0.45"/>"#
        ));
        self.placer.reserve(Rect::around(x, y, r + 0.3));
        (x, y)
    }

    /// A numbered stop marker; reserves its area.
    pub fn numbered(&mut self, p: LonLat, number: usize) -> (f64, f64) {
        let (x, y) = self.frame.point(p);
        let r = STOP_RADIUS;
        self.layers.push(format!(
            r#"<circle cx="{x:.2}" cy="{y:.2}" r="{r}" fill="{accent}" stroke="white" stroke-width="0.5"/><text x="{x:.2}" y="{ty:.2}" font-family="{font}" font-size="2.6" font-weight="bold" fill="white" text-anchor="middle">{number}</text>"#,
            accent = self.style.colour(Role::Accent),
            ty = y + 0.95,
            font = xml(&self.style.font),
        ));
        self.placer.reserve(Rect::around(x, y, r + 0.3));
        (x, y)
    }

    /// Label a marker at (x, y) of radius `r`, if a free place is found: on one line, else
    /// broken into two lines at the space nearest the middle. Returns whether it was placed.
    pub fn label(&mut self, x: f64, y: f64, r: f64, text: &str, size: f64) -> bool {
        let mut layouts = vec![vec![text]];
        let middle = text.len() / 2;
        if let Some(split) = text
            .match_indices(' ')
            .map(|(i, _)| i)
            .min_by_key(|i| i.abs_diff(middle))
        {
            layouts.push(vec![&text[..split], &text[split + 1..]]);
        }
        for lines in layouts {
            let width = lines
                .iter()
                .map(|l| text_width(l, size))
                .fold(0.0, f64::max);
            let Some((ax, ay, anchor)) = self.placer.place(x, y, r, width, (size, lines.len()))
            else {
                continue;
            };
            let mut spans = String::new();
            for (i, line) in lines.iter().enumerate() {
                let dy = if i == 0 { 0.0 } else { size * 1.15 };
                let _ = write!(
                    spans,
                    r#"<tspan x="{ax:.2}" dy="{dy:.2}">{}</tspan>"#,
                    xml(line)
                );
            }
            self.layers.push(format!(
                r#"<text x="{ax:.2}" y="{ay:.2}" font-family="{font}" font-size="{size}" fill="{ink}" text-anchor="{anchor}" stroke="white" stroke-width="0.7"{opacity} paint-order="stroke" stroke-linejoin="round">{spans}</text>"#,
                opacity = self.style.opacity("stroke-opacity", 0.85),
                font = xml(&self.style.font),
                ink = self.style.colour(Role::Ink),
            ));
            return true;
        }
        false
    }

    /// A wide-spaced area name (country, sea) centred on a point, placed only if it fits.
    pub fn area_name(&mut self, p: LonLat, text: &str) -> bool {
        self.spaced_name(p, text, SMALL_SIZE, Role::Muted)
    }

    /// A province name: as an area name, smaller and lighter. Returns whether it was placed.
    pub fn province_name(&mut self, p: LonLat, text: &str) -> bool {
        self.spaced_name(p, text, SMALL_SIZE * 0.85, Role::Rule)
    }

    fn spaced_name(&mut self, p: LonLat, text: &str, size: f64, role: Role) -> bool {
        let colour = self.style.colour(role).to_string();
        let (x, y) = self.frame.point(p);
        let spacing = 0.35;
        let width = text_width(text, size) + spacing * text.chars().count() as f64;
        let rect = Rect::new(x - width / 2.0, y - size, x + width / 2.0, y + size * 0.3);
        let placed = self.placer.place_fixed(rect);
        if placed {
            self.layers.push(format!(
                r#"<text x="{x:.2}" y="{y:.2}" font-family="{font}" font-size="{size:.2}" letter-spacing="{spacing}" fill="{colour}" text-anchor="middle">{text}</text>"#,
                font = xml(&self.style.font),
                text = xml(text),
            ));
        }
        placed
    }

    /// Add a legend entry (once per text).
    pub fn legend_entry(&mut self, symbol: LegendSymbol, text: &str) {
        if !self.legend.iter().any(|(_, t)| t == text) {
            self.legend.push((symbol, text.to_string()));
        }
    }

    /// Reserve the corners for the scale bar, north arrow and legend before labels are placed.
    /// Markers must be drawn first: the legend goes to the first corner free of them.
    pub fn reserve_furniture(&mut self) {
        let (w, h) = (self.frame.width, self.frame.height);
        let scale = Rect::new(0.0, h - 9.0, 42.0, h);
        let arrow = match self.tag {
            Some(_) => Rect::new(0.0, 0.0, TAG_SIZE + 1.0, TAG_SIZE + 1.0),
            None => Rect::new(w - 10.0, 0.0, w, 14.0),
        };
        let (lw, lh) = self.legend_size();
        let corners = [
            (w - lw - 2.0, h - lh - 2.0),
            (2.0, 2.0),
            (w - lw - 2.0, 15.0),
            (2.0, h - lh - 10.0),
        ];
        let origin = corners
            .iter()
            .copied()
            .find(|&(x, y)| {
                let rect = Rect::new(x - 1.0, y - 1.0, x + lw + 1.0, y + lh + 1.0);
                !self.placer.obstacles.iter().any(|o| o.overlaps(&rect))
            })
            .unwrap_or(corners[0]);
        self.legend_at = origin;
        self.placer.reserve(scale);
        self.placer.reserve(arrow);
        if !self.legend.is_empty() {
            self.placer
                .reserve(Rect::new(origin.0, origin.1, origin.0 + lw, origin.1 + lh));
        }
    }

    fn legend_size(&self) -> (f64, f64) {
        let width = self
            .legend
            .iter()
            .map(|(_, t)| text_width(t, SMALL_SIZE))
            .fold(0.0, f64::max)
            + 11.0;
        (width, self.legend.len() as f64 * 3.6 + 2.4)
    }

    fn scale_bar(&self) -> String {
        let per_km = self.frame.units_per_true_km();
        let target = self.frame.width * 0.22 / per_km;
        let magnitude = 10f64.powf(target.log10().floor());
        let km = [1.0, 2.0, 5.0, 10.0]
            .iter()
            .map(|m| m * magnitude)
            .rfind(|v| *v <= target)
            .unwrap_or(magnitude);
        let len = km * per_km;
        let label = if km < 1.0 {
            format!("{} m", (km * 1000.0).round())
        } else {
            format!("{km} km")
        };
        let (x, y) = (4.0, self.frame.height - 4.0);
        format!(
            r#"<g font-family="{font}" font-size="{s}" fill="{ink}"><rect x="{x}" y="{y0:.2}" width="{half:.2}" height="1" fill="{ink}"/><rect x="{x1:.2}" y="{y0:.2}" width="{half:.2}" height="1" fill="white" stroke="{ink}" stroke-width="0.25"/><text x="{x}" y="{ty:.2}">0</text><text x="{x2:.2}" y="{ty:.2}" text-anchor="middle">{label}</text></g>"#,
            font = xml(&self.style.font),
            s = SMALL_SIZE,
            ink = self.style.colour(Role::Ink),
            y0 = y - 1.0,
            half = len / 2.0,
            x1 = x + len / 2.0,
            x2 = x + len,
            ty = y - 2.0,
        )
    }

    fn north_arrow(&self) -> String {
        let (x, y) = (self.frame.width - 5.0, 9.0);
        let here = self.frame.lonlat(x, y);
        let (nx, ny) = self.frame.point(LonLat::new(here.lon, here.lat + 0.01));
        let angle = (nx - x).atan2(y - ny).to_degrees();
        format!(
            r#"<g transform="translate({x:.2} {y:.2}) rotate({angle:.2})"><path d="M0 -4.5 L1.6 1.5 L0 0.6 L-1.6 1.5 Z" fill="{ink}"/><text x="0" y="-5.3" font-family="{font}" font-size="{s}" font-weight="bold" fill="{ink}" text-anchor="middle">N</text></g>"#,
            ink = self.style.colour(Role::Ink),
            font = xml(&self.style.font),
            s = SMALL_SIZE,
        )
    }

    fn legend_box(&self) -> String {
        if self.legend.is_empty() {
            return String::new();
        }
        let (lw, lh) = self.legend_size();
        let (x, y) = self.legend_at;
        let mut out = format!(
            r#"<g font-family="{font}" font-size="{s}" fill="{ink}"><rect x="{x:.2}" y="{y:.2}" width="{lw:.2}" height="{lh:.2}" fill="white"{opacity} stroke="{rule}" stroke-width="0.25"/>"#,
            opacity = self.style.opacity("fill-opacity", 0.88),
            font = xml(&self.style.font),
            s = SMALL_SIZE,
            ink = self.style.colour(Role::Ink),
            rule = self.style.colour(Role::Rule),
        );
        for (i, (symbol, text)) in self.legend.iter().enumerate() {
            let cy = y + 2.9 + i as f64 * 3.6;
            let sx = x + 4.5;
            let symbol = match symbol {
                LegendSymbol::Dot(role) => format!(
                    r#"<circle cx="{sx:.2}" cy="{cy:.2}" r="1.2" fill="{colour}" stroke="white" stroke-width="0.4"/>"#,
                    colour = self.style.colour(*role)
                ),
                LegendSymbol::Numbered => format!(
                    r#"<circle cx="{sx:.2}" cy="{cy:.2}" r="1.5" fill="{}"/>"#,
                    self.style.colour(Role::Accent)
                ),
                LegendSymbol::Line(role, width, dash) => format!(
                    r#"<path d="M{:.2} {cy:.2}H{:.2}" stroke="{colour}" stroke-width="{width}"{}/>"#,
                    sx - 3.0,
                    sx + 3.0,
                    dash.map_or(String::new(), |d| format!(r#" stroke-dasharray="{d}""#)),
                    colour = self.style.colour(*role)
                ),
                LegendSymbol::Area => format!(
                    r#"<rect x="{:.2}" y="{:.2}" width="5" height="2.6" fill="none" stroke="{}" stroke-width="0.4"/>"#,
                    sx - 2.5,
                    cy - 1.3,
                    self.style.colour(Role::Ink)
                ),
                LegendSymbol::Land => format!(
                    r#"<rect x="{:.2}" y="{:.2}" width="6" height="2.4" fill="{}" stroke="{}" stroke-width="0.25"/>"#,
                    sx - 3.0,
                    cy - 1.2,
                    self.style.colour(Role::Tint),
                    self.style.colour(Role::Rule)
                ),
            };
            let _ = write!(
                out,
                r#"{symbol}<text x="{tx:.2}" y="{ty:.2}">{text}</text>"#,
                tx = x + 9.0,
                ty = cy + 0.95,
                text = xml(text)
            );
        }
        out.push_str("</g>");
        out
    }

    /// The frame's content: layers clipped to the frame, furniture, and the frame's outline.
    fn body(&self) -> String {
        let (w, h) = (self.frame.width, self.frame.height);
        let mut out = format!(
            r#"<defs><clipPath id="{id}"><rect width="{w:.2}" height="{h:.2}"/></clipPath></defs><g clip-path="url(#{id})">"#,
            id = self.clip_id,
        );
        for layer in &self.layers {
            out.push_str(layer);
        }
        out.push_str(&self.scale_bar());
        match self.tag {
            Some(tag) => out.push_str(&tag_box(0.0, 0.0, tag, &self.style)),
            None => out.push_str(&self.north_arrow()),
        }
        out.push_str(&self.legend_box());
        let _ = write!(
            out,
            r#"</g><rect width="{w:.2}" height="{h:.2}" fill="none" stroke="{ink}" stroke-width="0.4"/>"#,
            ink = self.style.colour(Role::Ink),
        );
        out
    }

    /// Close the map: frame, furniture and the source line under it.
    pub fn finish(self, markers: Vec<String>, stops: Vec<StopMarker>) -> DrawnMap {
        self.finish_with_insets(markers, stops, vec![])
    }

    /// Close the map with insets drawn in rows under it, then the source line.
    fn finish_with_insets(
        self,
        markers: Vec<String>,
        mut stops: Vec<StopMarker>,
        insets: Vec<(MapSvg, Vec<StopMarker>)>,
    ) -> DrawnMap {
        let (w, h) = (self.frame.width, self.frame.height);
        let mut labels = self.placer.labels().to_vec();
        let mut unlabelled = self.unlabelled.clone();
        let mut content = self.body();
        let mut bottom = h;
        let count = insets.len();
        for row in insets.chunks(INSETS_PER_ROW) {
            let top = bottom + INSET_GAP;
            let mut row_height: f64 = 0.0;
            let mut left = 0.0;
            for (inset, inset_stops) in row {
                let _ = write!(
                    content,
                    r#"<g transform="translate({left:.2} {top:.2})">{}</g>"#,
                    inset.body()
                );
                let shift = |r: &Rect| Rect::new(r.x0 + left, r.y0 + top, r.x1 + left, r.y1 + top);
                labels.extend(inset.placer.labels().iter().map(shift));
                unlabelled.extend(inset.unlabelled.iter().cloned());
                stops.extend(inset_stops.iter().map(|&(x, y, r)| (x + left, y + top, r)));
                left += inset.frame.width + INSET_GAP;
                row_height = row_height.max(inset.frame.height);
            }
            bottom = top + row_height;
        }
        let total = bottom + 5.0;
        let mut svg = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w:.2} {total:.2}" width="{w:.2}mm" height="{total:.2}mm">"#
        );
        svg.push_str(&content);
        let _ = write!(
            svg,
            r#"<text x="0" y="{sy:.2}" font-family="{font}" font-size="2.3" fill="{muted}">{source}</text></svg>"#,
            sy = bottom + 3.6,
            font = xml(&self.style.font),
            muted = self.style.colour(Role::Muted),
            source = xml(&self.source),
        );
        DrawnMap {
            svg,
            labels,
            markers,
            stops,
            insets: count,
            unlabelled,
        }
    }
}

/// A closed ring cut to a box (Sutherland–Hodgman, one box edge at a time). Parts outside
/// the box become runs along its edges, which is all a filled area needs.
fn clip_ring(mut ring: Vec<(f64, f64)>, r: Rect) -> Vec<(f64, f64)> {
    type Edge = (
        fn(&(f64, f64), &Rect) -> bool,
        fn(f64, f64, f64, f64, &Rect) -> (f64, f64),
    );
    let edges: [Edge; 4] = [
        (
            |p, r| p.0 >= r.x0,
            |x1, y1, x2, y2, r| (r.x0, y1 + (y2 - y1) * (r.x0 - x1) / (x2 - x1)),
        ),
        (
            |p, r| p.0 <= r.x1,
            |x1, y1, x2, y2, r| (r.x1, y1 + (y2 - y1) * (r.x1 - x1) / (x2 - x1)),
        ),
        (
            |p, r| p.1 >= r.y0,
            |x1, y1, x2, y2, r| (x1 + (x2 - x1) * (r.y0 - y1) / (y2 - y1), r.y0),
        ),
        (
            |p, r| p.1 <= r.y1,
            |x1, y1, x2, y2, r| (x1 + (x2 - x1) * (r.y1 - y1) / (y2 - y1), r.y1),
        ),
    ];
    for (inside, cut) in edges {
        let mut out = Vec::with_capacity(ring.len());
        for i in 0..ring.len() {
            let (prev, cur) = (ring[(i + ring.len() - 1) % ring.len()], ring[i]);
            match (inside(&prev, &r), inside(&cur, &r)) {
                (true, true) => out.push(cur),
                (true, false) => out.push(cut(prev.0, prev.1, cur.0, cur.1, &r)),
                (false, true) => {
                    out.push(cut(prev.0, prev.1, cur.0, cur.1, &r));
                    out.push(cur);
                }
                (false, false) => {}
            }
        }
        ring = out;
        if ring.is_empty() {
            break;
        }
    }
    ring
}

/// Side of the square that carries an inset's letter.
const TAG_SIZE: f64 = 5.0;
/// Space between the main map and its insets, and between insets.
const INSET_GAP: f64 = 3.0;
const INSETS_PER_ROW: usize = 2;
/// Numbered markers closer than this (SVG units, centre to centre) crowd each other.
const CROWDED: f64 = 6.5;

/// A letter in a white square with a dark outline: names an inset and the area it enlarges.
fn tag_box(x: f64, y: f64, tag: char, style: &Style) -> String {
    format!(
        r#"<rect x="{x:.2}" y="{y:.2}" width="{s}" height="{s}" fill="white" stroke="{ink}" stroke-width="0.4"/><text x="{tx:.2}" y="{ty:.2}" font-family="{font}" font-size="3.4" font-weight="bold" fill="{ink}" text-anchor="middle">{tag}</text>"#,
        s = TAG_SIZE,
        ink = style.colour(Role::Ink),
        tx = x + TAG_SIZE / 2.0,
        ty = y + TAG_SIZE / 2.0 + 1.2,
        font = xml(&style.font),
    )
}

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

/// Frames narrower than this (kilometres) name the provinces.
const PROVINCE_NAMES_SPAN_KM: f64 = 2600.0;

/// The overview, regional and railway maps share this: base, area names, places with labels.
#[allow(clippy::too_many_arguments)] // the map's data, each a separate layer
pub fn small_scale_map(
    base: &BaseMap,
    frame: Frame,
    style: &Style,
    source: &str,
    places: &[Place],
    highlight: &dyn Fn(&Place) -> bool,
    lines: &[(Vec<LonLat>, Role, f64, Option<&'static str>)],
    legend: &[(LegendSymbol, &str)],
    areas: &AreaNames,
) -> DrawnMap {
    let mut map = MapSvg::new(frame, style, source);
    map.base(base);
    for (points, colour, width, dash) in lines {
        map.line(points, *colour, *width, *dash);
    }
    for (symbol, text) in legend {
        map.legend_entry(*symbol, text);
    }
    let mut order: Vec<&Place> = places.iter().collect();
    order.sort_by(|a, b| b.weight.cmp(&a.weight).then(a.name.cmp(&b.name)));
    let mut drawn = Vec::new();
    let mut positions = Vec::new();
    for place in &order {
        let (x, y) = map.frame.point(place.at);
        if !(0.0..=map.frame.width).contains(&x) || !(0.0..=map.frame.height).contains(&y) {
            continue;
        }
        let strong = highlight(place);
        let r = if strong { 1.35 } else { 0.95 };
        let colour = if strong { Role::Accent } else { Role::Muted };
        map.dot(place.at, r, colour);
        positions.push((x, y, r, place, strong));
        drawn.push(place.name.clone());
    }
    map.reserve_furniture();
    for (x, y, r, place, strong) in positions {
        let size = if strong { LABEL_SIZE } else { SMALL_SIZE + 0.2 };
        // Where the map is crowded, a smaller label may still find room.
        if !map.label(x, y, r, &place.name, size) {
            map.label(x, y, r, &place.name, SMALL_SIZE);
        }
    }
    for (name, at) in &areas.areas {
        map.area_name(*at, name);
    }
    // Regional maps name the provinces; on the overview they would crowd the cities.
    if map.frame.width / map.frame.units_per_km < PROVINCE_NAMES_SPAN_KM {
        for (name, places) in &areas.provinces {
            places.iter().any(|&at| map.province_name(at, name));
        }
    }
    map.finish(drawn, vec![])
}

/// The length of a polyline along great circles, in kilometres.
pub fn length_km(points: &[LonLat]) -> f64 {
    points.windows(2).map(|w| distance_km(w[0], w[1])).sum()
}

/// A numbered stop of an itinerary.
#[derive(Debug, Clone)]
pub struct Stop {
    pub number: usize,
    pub name: String,
    pub at: LonLat,
}

/// A city map: the itinerary's stops numbered in route order, joined by the route, with other
/// landmarks of the guide in the frame as small grey dots. Where stops crowd each other at the
/// scale that shows the whole route, the crowded groups are drawn again, enlarged, in lettered
/// insets under the map, and the main map marks the areas they show.
pub fn city_map(
    base: &BaseMap,
    style: &Style,
    source: &str,
    stops: &[Stop],
    others: &[Place],
) -> DrawnMap {
    let points: Vec<LonLat> = stops.iter().map(|s| s.at).collect();
    let frame = Frame::fit(style.projection, &points, 0.16, 2.2, (0.62, 1.05));
    let groups = crowded_groups(&frame, stops);
    let inset_width = if groups.len() == 1 {
        WIDTH * 0.62
    } else {
        (WIDTH - INSET_GAP * (INSETS_PER_ROW - 1) as f64) / INSETS_PER_ROW as f64
    };
    let mut insets = Vec::new();
    let mut areas = Vec::new();
    for (group, tag) in groups.iter().zip('A'..='Z') {
        let at: Vec<LonLat> = group.iter().map(|&i| stops[i].at).collect();
        let inset_frame =
            Frame::fit_width(style.projection, &at, 0.3, 0.6, (0.62, 0.9), inset_width);
        let mut inset = MapSvg::inset(inset_frame, style, tag);
        let drawn = stops_layer(&mut inset, base, stops, others, &|_| true);
        insets.push((inset, drawn));
        // The inset's extent, as the main map shows it, never smaller than a marker.
        let (x0, y0) = frame.point(inset_frame.lonlat(0.0, 0.0));
        let (x1, y1) = frame.point(inset_frame.lonlat(inset_frame.width, inset_frame.height));
        let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
        let (hw, hh) = (((x1 - x0) / 2.0).max(3.5), ((y1 - y0) / 2.0).max(3.5));
        areas.push((Rect::new(cx - hw, cy - hh, cx + hw, cy + hh), tag));
    }
    let mut map = MapSvg::new(frame, style, source);
    let in_inset = |i: usize| groups.iter().any(|g| g.contains(&i));
    for (area, tag) in &areas {
        map.layers.push(format!(
            r#"<rect x="{:.2}" y="{:.2}" width="{:.2}" height="{:.2}" fill="none" stroke="{ink}" stroke-width="0.4"/>"#,
            area.x0,
            area.y0,
            area.x1 - area.x0,
            area.y1 - area.y0,
            ink = style.colour(Role::Ink),
        ));
        let (tx, ty) = (area.x0 - TAG_SIZE, area.y0 - TAG_SIZE);
        map.layers.push(tag_box(tx, ty, *tag, style));
        map.placer.reserve(Rect::new(tx, ty, area.x1, area.y1));
    }
    // One legend, on the main map, for the insets too.
    map.legend_entry(LegendSymbol::Numbered, "Stop, in route order");
    map.legend_entry(
        LegendSymbol::Line(Role::Accent, 0.5, Some("1.4 1")),
        "Route (straight lines between stops)",
    );
    let shows_others = std::iter::once(&frame)
        .chain(insets.iter().map(|(inset, _)| &inset.frame))
        .any(|f| others.iter().any(|o| other_shown(f, o.at)));
    if shows_others {
        map.legend_entry(
            LegendSymbol::Dot(Role::Muted),
            "Other landmark in this guide",
        );
    }
    if !areas.is_empty() {
        map.legend_entry(LegendSymbol::Area, "Area enlarged in the inset below");
    }
    let drawn = stops_layer(&mut map, base, stops, others, &|i| !in_inset(i));
    let markers = stops.iter().map(|s| s.name.clone()).collect();
    map.finish_with_insets(markers, drawn, insets)
}

/// Groups of stops whose markers would crowd each other in `frame` (single linkage), when
/// enlarging them helps: a group holding every stop is left alone, since the frame already
/// fits the route as tightly as it can.
fn crowded_groups(frame: &Frame, stops: &[Stop]) -> Vec<Vec<usize>> {
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
            if (dx * dx + dy * dy).sqrt() < CROWDED {
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

/// Whether a city map shows another landmark: inside the frame, clear of its edge.
fn other_shown(frame: &Frame, at: LonLat) -> bool {
    let (x, y) = frame.point(at);
    let m = 3.0;
    (m..=frame.width - m).contains(&x) && (m..=frame.height - m).contains(&y)
}

/// Base, route, other landmarks and the numbered stops of an itinerary on `map`; stops for
/// which `numbered` is false are drawn as small dots (their numbers are in an inset).
/// The caller writes the legend. Returns the numbered markers drawn.
fn stops_layer(
    map: &mut MapSvg,
    base: &BaseMap,
    stops: &[Stop],
    others: &[Place],
    numbered: &dyn Fn(usize) -> bool,
) -> Vec<StopMarker> {
    // The base goes under everything already drawn (inset areas).
    let above = std::mem::take(&mut map.layers);
    map.base(base);
    let points: Vec<LonLat> = stops.iter().map(|s| s.at).collect();
    map.line(&points, Role::Accent, 0.5, Some("1.4 1"));
    map.layers.extend(above);
    let (w, h) = (map.frame.width, map.frame.height);
    let inside = |(x, y): (f64, f64), m: f64| (m..=w - m).contains(&x) && (m..=h - m).contains(&y);
    let mut dots = Vec::new();
    for other in others {
        if other_shown(&map.frame, other.at) {
            dots.push((map.dot(other.at, 0.8, Role::Muted), other));
        }
    }
    let mut labelled = Vec::new();
    let mut drawn = Vec::new();
    for (i, stop) in stops.iter().enumerate() {
        if !inside(map.frame.point(stop.at), 0.0) {
            continue;
        }
        if numbered(i) {
            let (x, y) = map.numbered(stop.at, stop.number);
            drawn.push((x, y, STOP_RADIUS));
            labelled.push(((x, y), stop));
        } else {
            map.dot(stop.at, 1.0, Role::Accent);
        }
    }
    map.reserve_furniture();
    for ((x, y), stop) in labelled {
        if !map.label(x, y, STOP_RADIUS, &stop.name, LABEL_SIZE)
            && !map.label(x, y, STOP_RADIUS, &stop.name, SMALL_SIZE)
        {
            map.unlabelled.push(stop.name.clone());
        }
    }
    for ((x, y), other) in dots {
        map.label(x, y, 0.8, &other.name, SMALL_SIZE);
    }
    drawn
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(ring: &[(f64, f64)]) -> f64 {
        (0..ring.len())
            .map(|i| {
                let (a, b) = (ring[(i + ring.len() - 1) % ring.len()], ring[i]);
                a.0 * b.1 - b.0 * a.1
            })
            .sum::<f64>()
            .abs()
            / 2.0
    }

    #[test]
    fn segments_meet_boxes_they_pass_through() {
        let b = Rect::new(0.0, 0.0, 10.0, 5.0);
        assert!(b.meets_segment(-5.0, 2.0, 15.0, 2.0), "straight through");
        assert!(b.meets_segment(2.0, 1.0, 3.0, 2.0), "wholly inside");
        assert!(b.meets_segment(-1.0, -1.0, 1.0, 1.0), "across a corner");
        assert!(!b.meets_segment(-5.0, 6.0, 15.0, 6.0), "below");
        assert!(!b.meets_segment(11.0, -5.0, 20.0, 10.0), "beside");
        assert!(!b.meets_segment(-3.0, 2.0, -1.0, 9.0), "short of it");
    }

    #[test]
    fn a_label_keeps_off_a_line_when_it_can() {
        let mut placer = Placer::new(Rect::new(0.0, 0.0, 100.0, 100.0));
        // A line runs east from the marker: the label goes elsewhere.
        placer.avoid_line(&[(50.0, 50.0), (100.0, 50.0)]);
        let (ax, _, anchor) = placer.place(50.0, 50.0, 2.0, 20.0, (3.0, 1)).unwrap();
        assert_eq!((anchor, ax < 50.0), ("end", true));
    }

    #[test]
    fn a_ring_around_the_box_clips_to_the_box() {
        let around = vec![(-1e5, -1e5), (1e5, -1e5), (1e5, 1e5), (-1e5, 1e5)];
        let clipped = clip_ring(around, Rect::new(0.0, 0.0, 40.0, 30.0));
        assert!((area(&clipped) - 1200.0).abs() < 1e-6, "{clipped:?}");
        assert!(clipped.iter().all(|p| (0.0..=40.0).contains(&p.0)));
    }

    #[test]
    fn a_ring_half_inside_keeps_its_inside_half() {
        let half = vec![(-10.0, 15.0), (50.0, 15.0), (50.0, 50.0), (-10.0, 50.0)];
        let clipped = clip_ring(half, Rect::new(0.0, 0.0, 40.0, 30.0));
        assert!((area(&clipped) - 600.0).abs() < 1e-6, "{clipped:?}");
        let outside = vec![(50.0, 50.0), (60.0, 50.0), (60.0, 60.0)];
        assert!(clip_ring(outside, Rect::new(0.0, 0.0, 40.0, 30.0)).is_empty());
    }

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
        let frame = Frame::fit(
            Lambert::new(25.0, 47.0, 35.0, 115.0),
            &stops.iter().map(|s| s.at).collect::<Vec<_>>(),
            0.16,
            2.2,
            (0.62, 1.05),
        );
        assert_eq!(crowded_groups(&frame, &stops), vec![vec![0, 1], vec![3, 4]]);
        let walk = &stops[..2];
        let frame = Frame::fit(
            Lambert::new(25.0, 47.0, 35.0, 115.0),
            &[walk[0].at, walk[1].at],
            0.16,
            2.2,
            (0.62, 1.05),
        );
        assert!(crowded_groups(&frame, walk).is_empty());
    }

    proptest::proptest! {
        /// Whatever ring comes in, what comes out lies in the box; a simple (here star-shaped)
        /// ring keeps no more area than the box or itself.
        #[test]
        fn clipped_rings_stay_in_the_box(
            spokes in proptest::collection::vec((0.0f64..std::f64::consts::TAU, 1.0f64..400.0), 3..40),
            centre in (-100.0f64..100.0, -100.0f64..100.0),
        ) {
            let mut spokes = spokes;
            spokes.sort_by(|a, b| a.0.total_cmp(&b.0));
            // A ring is star-shaped around its centre only if no two neighbouring spokes
            // are half a turn or more apart.
            let gaps = spokes.windows(2).map(|w| w[1].0 - w[0].0).chain(std::iter::once(
                std::f64::consts::TAU - spokes[spokes.len() - 1].0 + spokes[0].0,
            ));
            proptest::prop_assume!(gaps.fold(0.0, f64::max) < std::f64::consts::PI - 1e-3);
            let ring: Vec<(f64, f64)> = spokes
                .iter()
                .map(|(angle, r)| (centre.0 + r * angle.cos(), centre.1 + r * angle.sin()))
                .collect();
            let frame = Rect::new(-20.0, -10.0, 60.0, 40.0);
            let clipped = clip_ring(ring.clone(), frame);
            for &(x, y) in &clipped {
                proptest::prop_assert!(
                    (frame.x0 - 1e-6..=frame.x1 + 1e-6).contains(&x)
                        && (frame.y0 - 1e-6..=frame.y1 + 1e-6).contains(&y),
                    "({x}, {y}) outside"
                );
            }
            let kept = area(&clipped);
            proptest::prop_assert!(kept <= 80.0 * 50.0 + 1e-6 && kept <= area(&ring) + 1e-6);
        }
    }
}
