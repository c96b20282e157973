//! Maps and charts drawn from the data: projection, base layers chosen by scale, names of
//! water, labels measured with the real font, the layers a publisher adds, and the figures
//! in the real PDF.

use std::collections::HashSet;

use guidebook::content::model::{Book, FigureKind};
use guidebook::figures::frame::Rect;
use guidebook::figures::geo::{Lambert, LonLat, Shape, distance_km};
use guidebook::figures::layers::{Catalogue, Kind, PlaceKind};
use guidebook::figures::maps::{DrawnMap, Frame};
use guidebook::figures::style::Style;
use guidebook::figures::{self, Figure, Figures};
use guidebook::sandbox::Sandbox;

use crate::common::*;

fn book() -> Book {
    load_book(&repo()).expect("the default book loads")
}

/// The projection of the book's maps.
fn projection() -> Lambert {
    figures::projection(&book())
}

/// How the screen edition draws its figures.
fn style(book: &Book) -> Style {
    let palette = [
        ("ink", "#1d1b19"),
        ("accent", "#a3261c"),
        ("ochre", "#c98a2b"),
        ("tint", "#f4ede1"),
        ("rule", "#8c8377"),
        ("muted", "#5d574f"),
        ("green", "#3f6b3a"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    Style::new(figures::DEFAULT_FONT, &palette, figures::projection(book))
}

fn figures_of(root: &std::path::Path, book: &Book, style: &Style) -> Figures {
    let sandbox = Sandbox::new(root).unwrap();
    figures::build(&sandbox, book, style).expect("figures are drawn")
}

fn all_figures(book: &Book) -> Figures {
    figures_of(&repo(), book, &style(book))
}

fn maps(figures: &Figures) -> impl Iterator<Item = &Figure> {
    figures.list.iter().filter(|f| f.kind == FigureKind::Map)
}

fn catalogue(book: &Book) -> Catalogue {
    Catalogue::load(&Sandbox::new(&repo()).unwrap(), book).expect("the geodata loads")
}

/// What a test reads back from a map's SVG: every label's text box measured with the font
/// files themselves (independently of the drawing code), and the map's furniture and lines.
mod layout {
    use std::sync::OnceLock;

    use guidebook::figures::frame::Rect;

    /// The three faces of Noto Sans the maps are set in.
    fn faces() -> &'static [Vec<u8>; 3] {
        static FACES: OnceLock<[Vec<u8>; 3]> = OnceLock::new();
        FACES.get_or_init(|| {
            ["Regular", "Italic", "Bold"].map(|f| {
                std::fs::read(crate::common::repo().join(format!("fonts/NotoSans-{f}.ttf")))
                    .unwrap()
            })
        })
    }

    /// Advance width, ascender and descender of one line, shaped with rustybuzz.
    pub fn measure(text: &str, size: f64, face: usize, spacing: f64) -> (f64, f64, f64) {
        let font = rustybuzz::Face::from_slice(&faces()[face], 0).unwrap();
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        let shaped = rustybuzz::shape(&font, &[], buffer);
        let units: i32 = shaped.glyph_positions().iter().map(|p| p.x_advance).sum();
        let per = size / f64::from(font.units_per_em());
        (
            f64::from(units) * per + spacing * text.chars().count() as f64,
            f64::from(font.ascender()) * per,
            -f64::from(font.descender()) * per,
        )
    }

    /// A map's SVG read back.
    #[derive(Debug, Default)]
    pub struct Layout {
        /// Text and box of every label (not its halo).
        pub labels: Vec<(String, Rect)>,
        pub markers: Vec<Rect>,
        pub legend: Vec<Rect>,
        pub legend_texts: Vec<String>,
        pub scale_bars: Vec<Rect>,
        pub scale_texts: Vec<Rect>,
        pub arrows: Vec<Rect>,
        pub tags: Vec<Rect>,
        /// Segments of the paths of each class, in SVG units.
        pub lines: Vec<(String, [(f64, f64); 2])>,
        /// Classes of every group.
        pub classes: Vec<String>,
        /// Frames (main map and insets): offset and size.
        pub frames: Vec<Rect>,
    }

    fn numbers(text: &str) -> Vec<f64> {
        text.split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
            .filter_map(|n| n.parse().ok())
            .collect()
    }

    /// Segments of an SVG path made of M, L, H, V and Z commands.
    pub fn segments(d: &str) -> Vec<[(f64, f64); 2]> {
        let mut out = Vec::new();
        let (mut at, mut start) = ((0.0, 0.0), (0.0, 0.0));
        let mut rest = d;
        while let Some(c) = rest.chars().next() {
            let end = rest[1..]
                .find(|c: char| "MLHVZ".contains(c))
                .map_or(rest.len(), |i| i + 1);
            let args = numbers(&rest[1..end]);
            let next = match (c, args.as_slice()) {
                ('M', [x, y, ..]) => {
                    start = (*x, *y);
                    at = start;
                    None
                }
                ('L', [x, y, ..]) => Some((*x, *y)),
                ('H', [x, ..]) => Some((*x, at.1)),
                ('V', [y, ..]) => Some((at.0, *y)),
                ('Z', _) => Some(start),
                _ => None,
            };
            if let Some(p) = next {
                out.push([at, p]);
                at = p;
            }
            rest = &rest[end..];
        }
        out
    }

    /// Read a map's SVG.
    pub fn read(svg: &str) -> Layout {
        let doc = roxmltree::Document::parse(svg).expect("the SVG parses");
        let mut layout = Layout::default();
        walk(doc.root_element(), (0.0, 0.0), &[], &mut layout);
        layout
    }

    fn attr(node: roxmltree::Node<'_, '_>, name: &str) -> f64 {
        node.attribute(name)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0)
    }

    fn walk(
        node: roxmltree::Node<'_, '_>,
        offset: (f64, f64),
        classes: &[String],
        out: &mut Layout,
    ) {
        let mut offset = offset;
        let mut classes = classes.to_vec();
        if let Some(t) = node
            .attribute("transform")
            .filter(|t| t.starts_with("translate") && node.tag_name().name() == "g")
        {
            let n = numbers(t);
            offset = (offset.0 + n[0], offset.1 + n[1]);
            if node.attribute("class") == Some("north") {
                out.arrows.push(Rect::new(
                    offset.0 - 2.0,
                    offset.1 - 8.5,
                    offset.0 + 2.0,
                    offset.1 + 2.0,
                ));
                return;
            }
        }
        if let Some(class) = node.attribute("class") {
            classes.push(class.to_string());
            out.classes.push(class.to_string());
        }
        let within = |name: &str| classes.iter().any(|c| c.split(' ').any(|w| w == name));
        let shift = |r: Rect| {
            Rect::new(
                r.x0 + offset.0,
                r.y0 + offset.1,
                r.x1 + offset.0,
                r.y1 + offset.1,
            )
        };
        match node.tag_name().name() {
            "clipPath" => return,
            "rect" => {
                let r = shift(Rect::new(
                    attr(node, "x"),
                    attr(node, "y"),
                    attr(node, "x") + attr(node, "width"),
                    attr(node, "y") + attr(node, "height"),
                ));
                let fill = node.attribute("fill");
                if within("legend") && fill == Some("white") {
                    out.legend.push(r);
                } else if within("scale") {
                    out.scale_bars.push(r);
                } else if within("inset") && fill == Some("white") {
                    out.tags.push(r);
                } else if fill == Some("none") && node.attribute("x").is_none() && !within("inset")
                {
                    // A frame's outline: the main map's, or an inset's.
                    out.frames.push(r);
                }
            }
            "circle" if within("marker") => {
                let (x, y, r) = (attr(node, "cx"), attr(node, "cy"), attr(node, "r"));
                out.markers
                    .push(shift(Rect::new(x - r, y - r, x + r, y + r)));
            }
            "path" => {
                if let Some(d) = node.attribute("d") {
                    let class = classes
                        .iter()
                        .rev()
                        .find(|c| !c.is_empty())
                        .cloned()
                        .unwrap_or_default();
                    for [a, b] in segments(d) {
                        out.lines.push((
                            class.clone(),
                            [
                                (a.0 + offset.0, a.1 + offset.1),
                                (b.0 + offset.0, b.1 + offset.1),
                            ],
                        ));
                    }
                }
            }
            "text" if within("legend") => out
                .legend_texts
                .push(node.text().unwrap_or_default().to_string()),
            "text"
                if node.attribute("fill") != Some("none")
                    && (within("label") || within("scale")) =>
            {
                let rect = shift(text_box(node));
                if within("scale") {
                    out.scale_texts.push(rect);
                } else {
                    let text: String = node
                        .descendants()
                        .filter(|n| n.is_text())
                        .filter_map(|n| n.text())
                        .collect::<Vec<_>>()
                        .join(" ");
                    out.labels.push((text, rect));
                }
                return;
            }
            _ => {}
        }
        for child in node.children().filter(|c| c.is_element()) {
            walk(child, offset, &classes, out);
        }
    }

    /// The box of a text element: each line's advance and the font's ascender and descender,
    /// turned as the element is.
    fn text_box(node: roxmltree::Node<'_, '_>) -> Rect {
        let size = attr(node, "font-size");
        let face = match (node.attribute("font-style"), node.attribute("font-weight")) {
            (Some("italic"), _) => 1,
            (_, Some("bold")) => 2,
            _ => 0,
        };
        let spacing = attr(node, "letter-spacing");
        let anchor = node.attribute("text-anchor").unwrap_or("start");
        let (x, mut y) = (attr(node, "x"), attr(node, "y"));
        let lines: Vec<(String, f64)> = if node.children().any(|c| c.tag_name().name() == "tspan") {
            node.children()
                .filter(|c| c.tag_name().name() == "tspan")
                .map(|c| (c.text().unwrap_or_default().to_string(), attr(c, "dy")))
                .collect()
        } else {
            vec![(node.text().unwrap_or_default().to_string(), 0.0)]
        };
        let mut corners = Vec::new();
        for (line, dy) in lines {
            y += dy;
            let (w, ascent, descent) = measure(&line, size, face, spacing);
            let x0 = match anchor {
                "end" => x - w,
                "middle" => x - w / 2.0,
                _ => x,
            };
            corners.extend([
                (x0, y - ascent),
                (x0 + w, y - ascent),
                (x0, y + descent),
                (x0 + w, y + descent),
            ]);
        }
        if let Some(t) = node.attribute("transform") {
            let n = numbers(t);
            let (a, cx, cy) = (n[0].to_radians(), n[1], n[2]);
            for p in &mut corners {
                let (dx, dy) = (p.0 - cx, p.1 - cy);
                *p = (
                    cx + dx * a.cos() - dy * a.sin(),
                    cy + dx * a.sin() + dy * a.cos(),
                );
            }
        }
        Rect::new(
            corners.iter().map(|p| p.0).fold(f64::MAX, f64::min),
            corners.iter().map(|p| p.1).fold(f64::MAX, f64::min),
            corners.iter().map(|p| p.0).fold(f64::MIN, f64::max),
            corners.iter().map(|p| p.1).fold(f64::MIN, f64::max),
        )
    }
}

/// Whether two boxes overlap by more than a hair (touching is allowed).
fn overlap(a: &Rect, b: &Rect) -> bool {
    let e = 0.02;
    a.x0 + e < b.x1 && b.x0 + e < a.x1 && a.y0 + e < b.y1 && b.y0 + e < a.y1
}

/// The part of the segment from `a` to `b` inside a box, if any (Liang–Barsky).
fn clip(r: &Rect, a: (f64, f64), b: (f64, f64)) -> Option<[(f64, f64); 2]> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-dx, a.0 - r.x0),
        (dx, r.x1 - a.0),
        (-dy, a.1 - r.y0),
        (dy, r.y1 - a.1),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else if p < 0.0 {
            t0 = t0.max(q / p);
        } else {
            t1 = t1.min(q / p);
        }
    }
    let at = |t: f64| (a.0 + t * dx, a.1 + t * dy);
    (t0 <= t1).then(|| [at(t0), at(t1)])
}

/// Labels measured with the real font overlap no other label, marker, legend, scale bar,
/// north arrow or inset letter; a scale bar's figures keep off its bar; the legend covers no
/// railway or route.
fn assert_labels_clear(id: &str, drawn: &DrawnMap) {
    let layout = layout::read(&drawn.svg);
    let labels = &layout.labels;
    for (i, (a, ra)) in labels.iter().enumerate() {
        for (b, rb) in &labels[i + 1..] {
            assert!(
                !overlap(ra, rb),
                "{id}: labels {a:?} {ra:?} and {b:?} {rb:?} overlap"
            );
        }
        let furniture = layout
            .markers
            .iter()
            .chain(&layout.legend)
            .chain(&layout.scale_bars)
            .chain(&layout.scale_texts)
            .chain(&layout.arrows)
            .chain(&layout.tags);
        for f in furniture {
            assert!(!overlap(ra, f), "{id}: label {a:?} {ra:?} covers {f:?}");
        }
    }
    for text in &layout.scale_texts {
        for bar in &layout.scale_bars {
            assert!(
                !overlap(text, bar),
                "{id}: a scale bar's figure {text:?} covers its bar {bar:?}"
            );
        }
    }
    for legend in &layout.legend {
        for (class, [a, b]) in layout
            .lines
            .iter()
            .filter(|(c, _)| c == "rail" || c == "route")
        {
            // What a frame's clip path shows of the line.
            for [a, b] in layout.frames.iter().filter_map(|f| clip(f, *a, *b)) {
                assert!(
                    !legend.meets_segment(a.0, a.1, b.0, b.1),
                    "{id}: the legend {legend:?} covers a {class} line"
                );
            }
        }
    }
    // The drawing's own account agrees: no label box over another or over furniture.
    for (i, a) in drawn.labels.iter().enumerate() {
        for b in &drawn.labels[i + 1..] {
            assert!(!a.overlaps(b), "{id}: placed boxes {a:?} and {b:?} overlap");
        }
        for f in &drawn.furniture {
            assert!(!a.overlaps(f), "{id}: placed box {a:?} covers {f:?}");
        }
    }
}

#[test]
fn projection_round_trips_and_keeps_known_directions() {
    let p = projection();
    for lat in (15..=58).step_by(7) {
        for lon in (70..=145).step_by(9) {
            let (x, y) = p.forward(LonLat::new(lon as f64, lat as f64));
            let back = p.inverse(x, y);
            assert!(
                (back.lon - lon as f64).abs() < 1e-8 && (back.lat - lat as f64).abs() < 1e-8,
                "{lon},{lat} came back as {back:?}"
            );
        }
    }
    let beijing = LonLat::new(116.39, 39.91);
    let harbin = LonLat::new(126.63, 45.75);
    let shanghai = LonLat::new(121.47, 31.23);
    let frame = Frame::fit(
        projection(),
        &[beijing, harbin, shanghai],
        0.1,
        0.0,
        (0.6, 1.2),
    );
    let (bx, by) = frame.point(beijing);
    let (hx, hy) = frame.point(harbin);
    let (sx, sy) = frame.point(shanghai);
    // SVG y grows downwards: Harbin lies north-east of Beijing, Shanghai south-east.
    assert!(hx > bx && hy < by, "Harbin must be north-east of Beijing");
    assert!(sx > bx && sy > by, "Shanghai must be south-east of Beijing");
    // Beijing–Harbin is about 1,050 km along the great circle.
    let d = distance_km(beijing, harbin);
    assert!((1000.0..1100.0).contains(&d), "Beijing–Harbin {d} km");
}

#[test]
fn distances_along_the_railway_match_great_circles() {
    let book = book();
    let (railways, _) = book
        .railways
        .as_ref()
        .expect("chapters/railways.toml exists");
    let p = projection();
    let mut checked = 0;
    for line in &railways.lines {
        for pair in line.stations.windows(2) {
            let a = LonLat::new(*pair[0].lon.get_ref(), *pair[0].lat.get_ref());
            let b = LonLat::new(*pair[1].lon.get_ref(), *pair[1].lat.get_ref());
            let (ax, ay) = p.forward(a);
            let (bx, by) = p.forward(b);
            let mid_lat = (a.lat + b.lat) / 2.0;
            let on_map = ((bx - ax).powi(2) + (by - ay).powi(2)).sqrt() / p.scale_factor(mid_lat);
            let true_km = distance_km(a, b);
            assert!(
                (on_map - true_km).abs() / true_km < 0.03,
                "{} – {}: {on_map:.1} km on the map, {true_km:.1} km on the globe",
                pair[0].name,
                pair[1].name
            );
            checked += 1;
        }
    }
    assert!(checked > 20);
    // Harbin to Manzhouli is about 800 km as the crow flies (the line is 935 km long).
    let western = railways
        .lines
        .iter()
        .find(|l| l.id.get_ref() == "cer-western")
        .unwrap();
    let ends = (
        western.stations.first().unwrap(),
        western.stations.last().unwrap(),
    );
    let d = distance_km(
        LonLat::new(*ends.0.lon.get_ref(), *ends.0.lat.get_ref()),
        LonLat::new(*ends.1.lon.get_ref(), *ends.1.lat.get_ref()),
    );
    assert!((740.0..860.0).contains(&d), "Manzhouli–Harbin {d} km");
}

#[test]
fn overview_map_marks_and_names_every_city_with_landmarks() {
    let book = book();
    let figures = all_figures(&book);
    let overview = figures.get("map-overview").expect("an overview map");
    let layout = layout::read(&overview.drawn.svg);
    let cities: HashSet<&str> = book.landmarks.iter().map(|l| l.city.as_str()).collect();
    for city in &cities {
        assert!(
            overview.drawn.markers.iter().any(|m| m == city),
            "{city} has no marker on the overview map"
        );
        assert!(
            layout.labels.iter().any(|(t, _)| t == city),
            "{city} is not labelled"
        );
    }
    assert!(
        layout.markers.len() >= cities.len(),
        "{} markers for {} cities",
        layout.markers.len(),
        cities.len()
    );
    // Lüshun and Dalian, Khabarovsk and Fuyuan: near each other, named apart.
    let label = |name: &str| {
        layout
            .labels
            .iter()
            .find(|(t, _)| t == name)
            .map(|(_, r)| *r)
            .unwrap()
    };
    for (a, b) in [("Lüshun", "Dalian"), ("Khabarovsk", "Fuyuan")] {
        assert!(!overlap(&label(a), &label(b)), "{a} and {b} overlap");
    }
}

#[test]
fn labels_measured_with_the_real_font_never_collide_on_any_map() {
    let book = book();
    let figures = all_figures(&book);
    let list: Vec<&Figure> = maps(&figures).collect();
    assert!(list.len() >= 10, "only {} maps", list.len());
    for map in list {
        assert!(!map.drawn.labels.is_empty(), "{} has no labels", map.id);
        assert_labels_clear(&map.id, &map.drawn);
        for furniture in [">N<", ">0<"] {
            assert!(
                map.drawn.svg.contains(furniture),
                "{} lacks {furniture}",
                map.id
            );
        }
        assert!(
            map.drawn.svg.contains(" km<") || map.drawn.svg.contains(" m<"),
            "{} has no scale bar",
            map.id
        );
        // The shipped maps find room for every label they mean to write.
        assert!(
            map.drawn.unplaced.is_empty(),
            "{}: no room for {:?}",
            map.id,
            map.drawn.unplaced
        );
    }
    assert!(figures.warnings.is_empty(), "{:?}", figures.warnings);
}

/// The figures as the EPUB draws them, for screens.
fn screen_figures(book: &Book) -> Figures {
    figures_of(&repo(), book, &style(book).for_screens())
}

#[test]
fn maps_drawn_for_screens_keep_labels_apart_and_number_and_name_every_stop_and_its_water() {
    let book = book();
    let print = all_figures(&book);
    let screen = screen_figures(&book);
    let list: Vec<&Figure> = maps(&screen).collect();
    assert_eq!(list.len(), maps(&print).count());
    for map in list {
        assert_labels_clear(&map.id, &map.drawn);
        let printed = print.get(&map.id).unwrap();
        assert_eq!(
            map.drawn.stops.len(),
            printed.drawn.stops.len(),
            "{}: a stop lost its number",
            map.id
        );
        assert!(
            map.drawn.unlabelled.is_empty(),
            "{}: no label for {:?}",
            map.id,
            map.drawn.unlabelled
        );
        assert!(
            map.drawn
                .svg
                .contains(r#"font-family="Noto Sans, Arial, Helvetica, sans-serif""#),
            "{}: no fonts to fall back on",
            map.id
        );
        // A walk's map names the water the printed map names.
        if map.drawn.stops.is_empty() {
            continue;
        }
        for (name, _) in &printed.drawn.water_names {
            assert!(
                map.drawn.water_names.iter().any(|(n, _)| n == name),
                "{}: the {name} is not named",
                map.id
            );
        }
    }
}

/// Every word of a chart: its text and box (advance, ascender and descender), by anchor.
fn chart_words(svg: &str) -> (f64, Vec<(String, Rect)>) {
    let doc = roxmltree::Document::parse(svg).unwrap();
    let number = |n: roxmltree::Node<'_, '_>, name: &str| -> f64 {
        n.attribute(name)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0)
    };
    let width = doc
        .root_element()
        .attribute("viewBox")
        .and_then(|v| v.split(' ').nth(2))
        .and_then(|w| w.parse().ok())
        .unwrap();
    let words = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| {
            let text = n.text().unwrap_or_default().to_string();
            let (w, ascent, descent) = layout::measure(&text, number(n, "font-size"), 0, 0.0);
            let (x, y) = (number(n, "x"), number(n, "y"));
            let x0 = match n.attribute("text-anchor") {
                Some("end") => x - w,
                Some("middle") => x - w / 2.0,
                _ => x,
            };
            (text, Rect::new(x0, y - ascent, x0 + w, y + descent))
        })
        .collect();
    (width, words)
}

#[test]
fn chart_words_stay_inside_the_figure_and_apart_in_print_and_on_screens() {
    let book = book();
    for figures in [all_figures(&book), screen_figures(&book)] {
        for chart in figures.list.iter().filter(|f| f.kind == FigureKind::Chart) {
            let (width, words) = chart_words(&chart.drawn.svg);
            for (i, (text, rect)) in words.iter().enumerate() {
                // An advance box holds the glyphs' side bearings: the last year under a
                // timeline's axis overhangs by a fraction of a unit, not its ink.
                assert!(
                    rect.x0 >= -0.3 && rect.x1 <= width + 0.3,
                    "{}: '{text}' {rect:?} leaves a figure {width} wide",
                    chart.id
                );
                for (other, next) in &words[i + 1..] {
                    assert!(
                        !overlap(rect, next),
                        "{}: '{text}' and '{other}' overlap",
                        chart.id
                    );
                }
            }
        }
    }
}

#[test]
fn every_itinerary_has_a_city_map_with_numbered_stops() {
    let book = book();
    let figures = all_figures(&book);
    for chapter in book.chapters() {
        for (index, itinerary) in chapter.meta.itineraries.iter().enumerate() {
            let id = figures
                .itinerary_maps
                .get(&(chapter.slug.clone(), index))
                .unwrap_or_else(|| panic!("no map for {}", itinerary.title));
            let map = figures.get(id).unwrap();
            assert_eq!(map.drawn.markers.len(), itinerary.stops.len(), "{id}");
            for n in 1..=itinerary.stops.len() {
                assert!(
                    map.drawn.svg.contains(&format!(">{n}</text>")),
                    "{id} lacks stop {n}"
                );
            }
            // Every stop is numbered once (in the main map or an inset), labelled, and no
            // two numbered markers cover each other.
            assert_eq!(map.drawn.stops.len(), itinerary.stops.len(), "{id}");
            assert!(
                map.drawn.unlabelled.is_empty(),
                "{id}: no label for {:?}",
                map.drawn.unlabelled
            );
            for (i, a) in map.drawn.stops.iter().enumerate() {
                for b in &map.drawn.stops[i + 1..] {
                    let d = ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt();
                    assert!(d >= a.2 + b.2, "{id}: markers at {a:?} and {b:?} overlap");
                }
            }
        }
    }
    // Dalian to Lüshun runs 45 km between two tight groups of stops: each gets an inset.
    let dalian = figures.get("map-itinerary-dalian").unwrap();
    assert_eq!(
        dalian.drawn.insets, 2,
        "the Dalian–Lüshun map has an inset per town"
    );
    assert!(
        dalian
            .drawn
            .svg
            .contains("Area enlarged in the inset below")
    );
    assert!(
        dalian.alt.contains("Insets under the map"),
        "the alt text mentions the insets"
    );
}

/// Whether a polyline or ring of the data comes into a frame.
fn reaches(frame: &Frame, line: &[LonLat]) -> bool {
    let rect = Rect::new(0.0, 0.0, frame.width, frame.height);
    line.windows(2).any(|w| {
        let (a, b) = (frame.point(w[0]), frame.point(w[1]));
        rect.meets_segment(a.0, a.1, b.0, b.1)
    })
}

/// Whether any of the data, at any accuracy, puts water in a frame: a river or lake, a
/// coastline, or a river's label point.
fn water_in(frame: &Frame, catalogue: &Catalogue) -> bool {
    let data = catalogue
        .sources
        .iter()
        .filter(|s| matches!(s.kind, Kind::Water | Kind::Land))
        .any(|s| {
            s.features.iter().any(|f| match &f.shape {
                Shape::Lines(lines) => lines.iter().any(|l| reaches(frame, l)),
                Shape::Areas(areas) => areas.iter().flatten().any(|ring| reaches(frame, ring)),
            })
        });
    data || catalogue
        .places
        .iter()
        .filter(|p| p.kind == PlaceKind::RiverLabel)
        .any(|p| frame.contains(frame.point(p.at()), 0.0))
}

#[test]
fn every_itinerary_map_shows_its_water_and_names_the_river_its_walk_reaches() {
    let book = book();
    let figures = all_figures(&book);
    let catalogue = catalogue(&book);
    // Rivers the data knows by name.
    let mut rivers: Vec<String> = catalogue
        .sources
        .iter()
        .flat_map(|s| s.features.iter().filter_map(|f| f.name.clone()))
        .chain(
            catalogue
                .places
                .iter()
                .filter(|p| p.kind == PlaceKind::RiverLabel)
                .map(|p| p.name.clone()),
        )
        .collect();
    rivers.sort();
    rivers.dedup();
    let mut named = Vec::new();
    for chapter in book.chapters() {
        for (index, itinerary) in chapter.meta.itineraries.iter().enumerate() {
            let id = &figures.itinerary_maps[&(chapter.slug.clone(), index)];
            let map = figures.get(id).unwrap();
            let frame = map.drawn.frame.expect("a map has a frame");
            let classes = layout::read(&map.drawn.svg).classes;
            if water_in(&frame, &catalogue) {
                assert!(
                    classes.iter().any(|c| c.split(' ').any(|w| w == "water")),
                    "{id}: water lies in the frame but the map has no water layer"
                );
            }
            // The walk's words and the names of its stops.
            let mut words = format!("{} {}", itinerary.title, itinerary.intro.get_ref());
            for stop in &itinerary.stops {
                words.push_str(&format!(" {}", stop.note.get_ref()));
                if let Some(l) = book.landmark(stop.landmark.get_ref()) {
                    words.push_str(&format!(" {}", l.name));
                }
            }
            let whole = |w: &str| words.split(|c: char| !c.is_alphanumeric()).any(|x| x == w);
            for river in rivers.iter().filter(|r| whole(r)) {
                assert!(
                    map.drawn
                        .water_names
                        .iter()
                        .any(|(n, _)| n.contains(river.as_str())),
                    "{id}: the walk reaches the {river}, which the map does not name ({:?})",
                    map.drawn.water_names
                );
                named.push((itinerary.city.clone(), river.clone()));
            }
        }
    }
    for (city, river) in [
        ("Harbin", "Songhua"),
        ("Wuhan", "Yangtze"),
        ("Heihe", "Amur"),
    ] {
        assert!(
            named.contains(&(city.to_string(), river.to_string())),
            "{city}: {river} not checked: {named:?}"
        );
    }
    // The Dalian–Lüshun map draws the coast and names both seas, as its image's alt text says.
    let dalian = figures.get("map-itinerary-dalian").unwrap();
    for sea in ["Bohai Sea", "Yellow Sea"] {
        assert!(
            dalian.drawn.water_names.iter().any(|(n, _)| n == sea),
            "{sea} not named"
        );
    }
}

/// The shortest distance in kilometres from a point to the segments of a map's paths of a
/// class (in the main frame), turned back into longitude and latitude.
fn nearest_drawn_km(drawn: &DrawnMap, class: &str, at: LonLat) -> f64 {
    let frame = drawn.frame.unwrap();
    let (px, py) = frame.point(at);
    let layout = layout::read(&drawn.svg);
    let best = layout
        .lines
        .iter()
        .filter(|(c, [a, b])| c == class && a.1 <= frame.height + 5.0 && b.1 <= frame.height + 5.0)
        .map(|(_, [a, b])| {
            let (dx, dy) = (b.0 - a.0, b.1 - a.1);
            let t = (((px - a.0) * dx + (py - a.1) * dy) / (dx * dx + dy * dy).max(1e-12))
                .clamp(0.0, 1.0);
            (a.0 + t * dx, a.1 + t * dy)
        })
        .min_by(|p, q| ((p.0 - px).hypot(p.1 - py)).total_cmp(&(q.0 - px).hypot(q.1 - py)))
        .expect("paths of the class");
    distance_km(at, frame.lonlat(best.0, best.1))
}

/// Distance in kilometres from a point to a polyline (flat within a few kilometres).
fn km_to_line(at: LonLat, line: &[LonLat]) -> f64 {
    let k = 111.32;
    let c = at.lat.to_radians().cos();
    let xy = |p: &LonLat| ((p.lon - at.lon) * k * c, (p.lat - at.lat) * k);
    line.windows(2)
        .map(|w| {
            let (a, b) = (xy(&w[0]), xy(&w[1]));
            let (dx, dy) = (b.0 - a.0, b.1 - a.1);
            let t = (-(a.0 * dx + a.1 * dy) / (dx * dx + dy * dy).max(1e-12)).clamp(0.0, 1.0);
            (a.0 + t * dx).hypot(a.1 + t * dy)
        })
        .fold(f64::MAX, f64::min)
}

#[test]
fn drawn_coast_and_named_river_lie_within_300_m_of_their_reference_points() {
    let book = book();
    let figures = all_figures(&book);
    // Dalian: the OpenStreetMap coastline is drawn; two headlands where OSM and GSHHG's
    // independent full-resolution shoreline agree to within a few metres.
    let dalian = &figures.get("map-itinerary-dalian").unwrap().drawn;
    for (lat, lon) in [(38.86418, 121.69279), (38.93382, 121.60763)] {
        let at = LonLat::new(lon, lat);
        if !dalian
            .frame
            .unwrap()
            .contains(dalian.frame.unwrap().point(at), 0.0)
        {
            continue;
        }
        let km = nearest_drawn_km(dalian, "water", at);
        assert!(km < 0.3, "Dalian coast {km:.3} km from {lat} N {lon} E");
    }
    // Harbin: no data draws the Songhua to within a millimetre of this map (28 m), so its
    // course is not drawn, and its name stands at the label point 400 m north of the
    // Flood Control Monument (a position derived from the monument, good to about 300 m).
    let harbin = &figures.get("map-itinerary-harbin").unwrap().drawn;
    assert!(
        !layout::read(&harbin.svg)
            .lines
            .iter()
            .any(|(c, _)| c == "water"),
        "the Harbin map draws water no data places to within 1 mm"
    );
    let (_, centre) = harbin
        .water_names
        .iter()
        .find(|(n, _)| n.contains("Songhua"))
        .expect("the Songhua is named");
    let frame = harbin.frame.unwrap();
    let km = distance_km(
        frame.lonlat(centre.0, centre.1),
        LonLat::new(126.6113, 45.7825),
    );
    assert!(
        km < 0.3,
        "the Songhua's name stands {km:.3} km from the river's reference point"
    );
    // On the regional map the Songhua is drawn from Natural Earth 1:50m: it passes within the
    // 2 km its source is good to (at two points it happens to pass within 60 and 250 m; a
    // 300 m test would pass by chance, not by accuracy).
    let catalogue = catalogue(&book);
    let region = figures
        .get("map-region-northeast")
        .unwrap()
        .drawn
        .frame
        .unwrap();
    let selection = catalogue.select(&region, Some("map-region-northeast"));
    let (source, songhua) = selection
        .drawn
        .iter()
        .find_map(|(s, fs)| {
            fs.iter()
                .find(|f| f.name.as_deref() == Some("Songhua"))
                .map(|f| (s, f))
        })
        .expect("the Songhua is drawn on the regional map");
    let reference = LonLat::new(126.6113, 45.7825);
    let Shape::Lines(lines) = &songhua.shape else {
        panic!("a river is a line")
    };
    let km = lines
        .iter()
        .map(|l| km_to_line(reference, l))
        .fold(f64::MAX, f64::min);
    assert!(
        km * 1000.0 <= source.accuracy_m,
        "{km:.2} km from {}",
        source.label
    );
}

#[test]
fn each_map_draws_only_data_accurate_to_a_millimetre_and_the_coarsest_that_is() {
    let book = book();
    let figures = all_figures(&book);
    let catalogue = catalogue(&book);
    for map in maps(&figures) {
        let frame = map.drawn.frame.unwrap();
        let tolerance = frame.metres_per_print_mm();
        let selection = catalogue.select(&frame, Some(&map.id));
        for (source, _) in &selection.drawn {
            assert!(
                source.accuracy_m <= tolerance,
                "{}: {} is good to {} m, 1 mm is {tolerance:.0} m",
                map.id,
                source.label,
                source.accuracy_m
            );
        }
        let lands: Vec<&str> = selection
            .drawn
            .iter()
            .filter(|(s, _)| s.kind == Kind::Land)
            .map(|(s, _)| s.label.as_str())
            .collect();
        assert!(lands.len() <= 1, "{}: land from {lands:?}", map.id);
    }
    let land = |id: &str| {
        let frame = figures.get(id).unwrap().drawn.frame.unwrap();
        let selection = catalogue.select(&frame, Some(id));
        selection
            .drawn
            .iter()
            .find(|(s, _)| s.kind == Kind::Land)
            .map(|(s, _)| s.label.clone())
    };
    // The overview takes the 1:50m coast; Dalian–Lüshun the OpenStreetMap coast; Harbin none.
    assert!(land("map-overview").unwrap().contains("east-asia-50m"));
    assert!(
        land("map-itinerary-dalian")
            .unwrap()
            .contains("dalian-coast-osm")
    );
    assert_eq!(land("map-itinerary-harbin"), None);
    // What a map cannot draw it says, and credits what it does.
    let harbin = &figures.get("map-itinerary-harbin").unwrap().drawn.svg;
    assert!(harbin.contains("Not drawn, for want of data accurate to 1 mm at this scale: streets"));
    let dalian = &figures.get("map-itinerary-dalian").unwrap().drawn.svg;
    assert!(dalian.contains("© OpenStreetMap contributors"));
    let heihe = &figures.get("map-itinerary-heihe").unwrap().drawn;
    assert!(heihe.svg.contains(">Blagoveshchensk (Russia)<") && heihe.svg.contains("GeoNames"));
}

#[test]
fn legends_list_only_what_their_maps_show() {
    let book = book();
    let figures = all_figures(&book);
    for map in maps(&figures) {
        let layout = layout::read(&map.drawn.svg);
        let frames = &layout.frames;
        let shown = |class: &str| {
            layout.lines.iter().any(|(c, [a, b])| {
                c == class && frames.iter().any(|f| f.meets_segment(a.0, a.1, b.0, b.1))
            })
        };
        for text in &layout.legend_texts {
            let needs = if text.contains("Railway")
                || text.contains("railway")
                || text.starts_with("Chinese Eastern")
            {
                "rail"
            } else if text == "River" {
                "water"
            } else if text.contains("border") || text.contains("boundary") {
                "boundary"
            } else {
                continue;
            };
            assert!(
                shown(needs),
                "{}: the legend lists {text:?}, which the map does not draw",
                map.id
            );
        }
    }
    for map in maps(&figures).filter(|m| m.id.starts_with("map-itinerary")) {
        let layout = layout::read(&map.drawn.svg);
        if layout
            .legend_texts
            .iter()
            .any(|t| t == "Other landmark in this guide")
        {
            assert!(
                map.drawn.svg.contains(r##"r="0.8" fill="#5d574f""##),
                "{}: the legend lists other landmarks, none is drawn",
                map.id
            );
        }
    }
    let inland = layout::read(&figures.get("map-region-inland").unwrap().drawn.svg);
    assert!(
        inland.legend_texts.iter().any(|t| t == "River"),
        "the inland map's legend names its rivers"
    );
}

#[test]
fn the_borderlands_map_shows_the_island_of_1969_in_its_river() {
    let book = book();
    let figures = all_figures(&book);
    let borderlands = &figures.get("map-region-borderlands").unwrap().drawn;
    let labels = layout::read(&borderlands.svg).labels;
    for name in ["Zhenbao (Damansky) Island", "Ussuri", "Amur", "Khabarovsk"] {
        assert!(
            labels.iter().any(|(t, _)| t == name),
            "the borderlands map does not name {name}"
        );
    }
    assert!(
        borderlands.insets >= 1,
        "the Ussuri frontier is enlarged in an inset"
    );
}

#[test]
fn svg_layers_carry_classes_and_halos_are_plain_copies_under_the_text() {
    let book = book();
    for opaque in [false, true] {
        let style = style(&book).with_opaque(opaque);
        let figures = figures_of(&repo(), &book, &style);
        for map in maps(&figures) {
            let svg = &map.drawn.svg;
            assert!(
                !svg.contains("paint-order"),
                "{}: paint-order is SVG 2",
                map.id
            );
            assert!(
                !opaque || !svg.contains("opacity"),
                "{}: an opaque style draws with opacity",
                map.id
            );
            // Every label is drawn twice: the white halo copy, then the text.
            let halos = svg.matches(r#"fill="none" stroke="white""#).count();
            let labels = layout::read(svg).labels.len();
            assert!(
                halos >= labels,
                "{}: {halos} halos for {labels} labels",
                map.id
            );
        }
        let classes = |id: &str| layout::read(&figures.get(id).unwrap().drawn.svg).classes;
        for class in ["land", "route", "marker", "label"] {
            assert!(
                classes("map-itinerary-harbin").iter().any(|c| c == class),
                "no {class} layer"
            );
        }
        assert!(classes("map-itinerary-dalian").iter().any(|c| c == "water"));
        assert!(classes("map-overview").iter().any(|c| c == "rail"));
        assert!(
            classes("map-region-borderlands")
                .iter()
                .any(|c| c == "boundary")
        );
    }
}

#[test]
fn figures_for_the_epub_have_captions_and_alt_text() {
    let book = book();
    let list = all_figures(&book).list;
    let ids: HashSet<&str> = list.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids.len(), list.len(), "figure ids are unique");
    for figures::Figure {
        id,
        drawn,
        caption,
        alt,
        ..
    } in &list
    {
        let svg = &drawn.svg;
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{id}");
        assert!(!caption.is_empty() && alt.len() > 40, "{id}: {alt}");
        assert!(svg.contains("font-family=\"Noto Sans\""), "{id}");
    }
    for id in [
        "chart-projects-sectors",
        "chart-landmark-status",
        "chart-timeline",
        "map-railways",
    ] {
        assert!(ids.contains(id), "{id} missing");
    }
    let sectors = list
        .iter()
        .find(|f| f.id == "chart-projects-sectors")
        .unwrap();
    assert!(sectors.alt.contains("Energy 52") && sectors.alt.contains("Defence industry 44"));
}

#[test]
fn the_pdf_numbers_and_lists_every_figure() {
    let book = book();
    let figures = all_figures(&book);
    // Typst joins the supplement and the number with a no-break space.
    let text = pdf_text(&shipped().pdf("screen")).replace('\u{a0}', " ");
    let maps = maps(&figures).count();
    // Images in the chapters (none in the default book) are numbered and listed with the
    // charts.
    let images: usize = book.chapters().map(|c| c.body.matches("![").count()).sum();
    let charts = figures.list.len() - maps + images;
    // Each caption appears twice: under the figure and in the list of maps or figures.
    for n in 1..=maps {
        assert!(text.contains(&format!("Map {n}:")), "no caption Map {n}");
    }
    assert!(
        !text.contains(&format!("Map {}:", maps + 1)),
        "more maps than figures drawn"
    );
    for n in 1..=charts {
        assert_eq!(
            text.matches(&format!("Figure {n}:")).count(),
            1,
            "caption Figure {n} missing or given twice"
        );
    }
    assert!(!text.contains(&format!("Figure {}:", charts + 1)));
    for figure in &figures.list {
        let words: String = figure
            .caption
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            text.matches(&words).count() >= 2,
            "{}: caption not found twice",
            figure.id
        );
    }
}

#[test]
fn an_unknown_figure_in_front_matter_is_located() {
    let fixture = Fixture::new();
    let chapter = fixture.read("chapters/01-harbin.md");
    let chapter = chapter.replacen("+++\n", "+++\nfigures = [\"map-nowhere\"]\n", 1);
    fixture.write("chapters/01-harbin.md", &chapter);
    let output = fixture.build();
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(
        err.contains("chapters/01-harbin.md:2:") && err.contains("unknown figure `map-nowhere`"),
        "{err}"
    );
}

#[test]
fn regional_maps_draw_named_rivers_and_provinces() {
    let book = book();
    let catalogue = catalogue(&book);
    let lakes = catalogue
        .sources
        .iter()
        .filter(|s| s.kind == Kind::Water)
        .flat_map(|s| &s.features);
    assert!(
        lakes.clone().any(|f| matches!(f.shape, Shape::Areas(_))),
        "no lakes"
    );
    // The Songhua at Harbin, the Yangtze at Wuhan, the Yellow River at Lanzhou, the Amur at
    // Heihe: each passes within a few kilometres of the city centre, by name.
    for (city, river, lon, lat) in [
        ("Harbin", "Songhua", 126.63, 45.77),
        ("Wuhan", "Yangtze", 114.30, 30.59),
        ("Lanzhou", "Yellow River", 103.83, 36.06),
        ("Heihe", "Amur", 127.50, 50.25),
    ] {
        let at = LonLat::new(lon, lat);
        let nearest = lakes
            .clone()
            .filter(|f| f.name.as_deref() == Some(river))
            .flat_map(|f| f.points())
            .map(|p| distance_km(at, *p))
            .fold(f64::MAX, f64::min);
        assert!(
            nearest < 12.0,
            "no {river} within 12 km of {city} ({nearest:.1} km)"
        );
    }
    let figures = all_figures(&book);
    let inland = layout::read(&figures.get("map-region-inland").unwrap().drawn.svg);
    for name in ["Yellow River", "Yangtze"] {
        assert!(
            inland.labels.iter().any(|(t, _)| t == name),
            "the inland map does not name the {name}"
        );
    }
    assert!(
        inland.classes.iter().any(|c| c == "boundary"),
        "no provincial boundaries"
    );
}

/// A fixture book with an itinerary through its two Harbin landmarks.
fn fixture_with_walk() -> Fixture {
    let fixture = Fixture::new();
    let chapter = fixture.read("chapters/01-harbin.md").replacen(
        "+++\n\nHarbin grew",
        "[[itinerary]]\ntitle = \"A short walk\"\ncity = \"Harbin\"\nmode = \"walk\"\nintro = \"From the station to the cathedral.\"\n[[itinerary.stop]]\nlandmark = \"harbin-station\"\nnote = \"Start here.\"\n[[itinerary.stop]]\nlandmark = \"harbin-st-sophia\"\nnote = \"End here.\"\ndistance_km = 1.3\n+++\n\nHarbin grew",
        1,
    );
    fixture.write("chapters/01-harbin.md", &chapter);
    fixture
}

/// The example layers of `tests/fixtures/map-layers`, put into a fixture book.
fn add_example_layers(fixture: &Fixture) {
    let from = repo().join("tests/fixtures/map-layers");
    fixture.write(
        "chapters/maps.toml",
        &std::fs::read_to_string(from.join("maps.toml")).unwrap(),
    );
    for file in ["harbin-streets.geojson", "harbin-park.geojson"] {
        fixture.write(
            &format!("chapters/geo/{file}"),
            &std::fs::read_to_string(from.join(file)).unwrap(),
        );
    }
}

#[test]
fn a_publishers_layers_are_drawn_in_their_classes_with_their_credit() {
    let fixture = fixture_with_walk();
    add_example_layers(&fixture);
    let book = load_book(fixture.root()).expect("the fixture loads");
    let figures = figures_of(fixture.root(), &book, &style(&book));
    let map = figures.get("map-itinerary-harbin").expect("the walk's map");
    let layout = layout::read(&map.drawn.svg);
    for class in ["street", "green"] {
        assert!(
            layout.lines.iter().any(|(c, _)| c == class),
            "no {class} paths"
        );
    }
    assert!(
        map.drawn.svg.contains("Streets and park: test sketch"),
        "the layers' credit"
    );
    assert!(
        layout.legend_texts.iter().any(|t| t == "Street")
            && layout.legend_texts.iter().any(|t| t == "Park")
    );
    // Streets drawn, the note says only what is still missing.
    assert!(
        !map.drawn
            .svg
            .contains("for want of data accurate to 1 mm at this scale: streets")
    );
    assert_labels_clear(&map.id, &map.drawn);
    assert_success(&fixture.build());
}

#[test]
fn a_malformed_layer_is_an_error_at_its_line_and_column() {
    let fixture = fixture_with_walk();
    add_example_layers(&fixture);
    let streets = fixture.read("chapters/geo/harbin-streets.geojson");
    // Latitude and longitude swapped in the second position of the first street.
    fixture.write(
        "chapters/geo/harbin-streets.geojson",
        &streets.replacen(
            "[126.6316, 45.7612], [126.6335",
            "[45.7612, 126.6316], [126.6335",
            1,
        ),
    );
    let output = fixture.build();
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(
        err.contains("chapters/geo/harbin-streets.geojson:9:"),
        "{err}"
    );
    assert!(err.contains("not a longitude and latitude"), "{err}");
    // Broken JSON is located where it breaks.
    fixture.write(
        "chapters/geo/harbin-streets.geojson",
        &streets.replacen("\"type\": \"LineString\",", "\"type\": \"LineString\"", 1),
    );
    let err = stderr(&fixture.build());
    assert!(
        err.contains("chapters/geo/harbin-streets.geojson:9:"),
        "{err}"
    );
    // A missing file is located at the entry that names it, as is a map that does not exist.
    fixture.write("chapters/geo/harbin-streets.geojson", &streets);
    let maps = fixture.read("chapters/maps.toml");
    fixture.write(
        "chapters/maps.toml",
        &maps.replacen("harbin-park.geojson", "harbin-parks.geojson", 1),
    );
    let err = stderr(&fixture.build());
    assert!(
        err.contains("chapters/maps.toml:14:") && err.contains("harbin-parks.geojson"),
        "{err}"
    );
    fixture.write(
        "chapters/maps.toml",
        &maps.replacen(
            "map = \"map-itinerary-harbin\"",
            "map = \"map-itinerary-harbn\"",
            1,
        ),
    );
    let err = stderr(&fixture.build());
    assert!(
        err.contains("chapters/maps.toml:6:") && err.contains("no map `map-itinerary-harbn`"),
        "{err}"
    );
}

#[test]
fn forty_crowded_stops_are_labelled_without_a_collision_or_reported() {
    let fixture = Fixture::new();
    let mut landmarks = String::new();
    let mut stops = String::new();
    for i in 0..40 {
        // A tight spiral around the station, a few hundred metres across.
        let (angle, radius) = (i as f64 * 2.4, 0.0006 * (1.0 + i as f64).sqrt());
        let (lat, lon) = (
            45.7612 + radius * angle.sin(),
            126.6316 + radius * 1.4 * angle.cos(),
        );
        landmarks.push_str(&format!(
            "[[landmark]]\nid = \"harbin-place-{i}\"\nname = \"Building number {i} on the square\"\nname_zh = \"楼\"\npinyin = \"Lóu\"\ncity = \"Harbin\"\nprovince = \"Heilongjiang\"\nlat = {lat:.6}\nlon = {lon:.6}\nprecision = \"building\"\nbuilt = \"1950\"\nstyle = \"Soviet\"\nstatus = \"extant\"\naddress = \"Square\"\nvisiting = \"Open.\"\ndescription = \"A building.\"\nsources = [\"carter2002\"]\n\n"
        ));
        stops.push_str(&format!(
            "[[itinerary.stop]]\nlandmark = \"harbin-place-{i}\"\nnote = \"Look.\"\n"
        ));
    }
    fixture.write(
        "chapters/landmarks.toml",
        &format!("{LANDMARKS}\n{landmarks}"),
    );
    let chapter = fixture.read("chapters/01-harbin.md").replacen(
        "+++\n\nHarbin grew",
        &format!("[[itinerary]]\ntitle = \"Forty doors\"\ncity = \"Harbin\"\nmode = \"walk\"\nintro = \"Round the square.\"\n{stops}+++\n\nHarbin grew"),
        1,
    );
    fixture.write("chapters/01-harbin.md", &chapter);
    let book = load_book(fixture.root()).expect("the fixture loads");
    let figures = figures_of(fixture.root(), &book, &style(&book));
    let map = figures.get("map-itinerary-harbin").expect("the walk's map");
    assert_labels_clear(&map.id, &map.drawn);
    // Every stop is labelled, or its label is reported as a warning naming the map.
    let labels = layout::read(&map.drawn.svg).labels;
    for i in 0..40 {
        let name = format!("Building number {i} on the square");
        let labelled = labels.iter().any(|(t, _)| t == &name);
        let reported = figures
            .warnings
            .iter()
            .any(|w| w.message.contains("map-itinerary-harbin") && w.message.contains(&name));
        assert!(
            labelled || reported,
            "{name}: neither labelled nor reported"
        );
    }
}
