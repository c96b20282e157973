//! The book's generated figures: every map and chart drawn from the data, with ids, captions
//! and alt text, and where each one is printed.
//!
//! Placement: a chapter lists figure ids in its front matter (`figures = ["map-overview"]`),
//! printed after the chapter opener; each itinerary gets its city map automatically, printed
//! before the itinerary box; `chart-timeline` is printed before the timeline in the back matter.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::path::Path;

use crate::diagnostics::{Diagnostic, Result, Sink};
use crate::geo::{BaseMap, LonLat, distance_km};
use crate::load;
use crate::maps::{
    self, DrawnMap, Frame, LegendSymbol, Place, Stop, WIDTH, palette, text_width, xml,
};
use crate::model::{Book, Chapter, RailwayNetwork, Status};

/// Where the base geography lives in a project.
pub const BASE_MAP: &str = "chapters/geo/east-asia-50m.topo.json";
/// The detailed coastline (Natural Earth 1:10m) the city maps are drawn on.
pub const DETAIL_MAP: &str = "chapters/geo/china-10m.topo.json";
/// The figure printed before the timeline.
pub const TIMELINE_CHART: &str = "chart-timeline";
/// Font family used for the text in figures when an edition does not say otherwise.
pub const DEFAULT_FONT: &str = "Noto Sans";

const MAP_SOURCE: &str = "Natural Earth (public domain) · Lambert conformal conic, 25° and 47° N";

/// What a figure is: a map (listed under Maps) or a chart (listed under Figures).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FigureKind {
    Map,
    Chart,
}

impl FigureKind {
    /// The Typst figure kind.
    pub fn name(self) -> &'static str {
        match self {
            Self::Map => "map",
            Self::Chart => "chart",
        }
    }

    /// The word before the number: "Map 3", "Figure 2".
    pub fn supplement(self) -> &'static str {
        match self {
            Self::Map => "Map",
            Self::Chart => "Figure",
        }
    }
}

/// One generated figure.
#[derive(Debug, Clone)]
pub struct Figure {
    pub id: String,
    pub kind: FigureKind,
    /// Plain text caption.
    pub caption: String,
    /// Alt text: what the figure shows, for readers who cannot see it.
    pub alt: String,
    /// The drawing: its SVG, and for maps the labels, markers and insets placed.
    pub drawn: DrawnMap,
}

impl Figure {
    /// Path of the figure's SVG inside the Typst world.
    pub fn path(&self) -> String {
        format!("/gen/figures/{}.svg", self.id)
    }
}

/// Figures kept between rebuilds in watch mode: drawn again only when what they are drawn
/// from (landmarks, timeline, itineraries and figure lists, the data files, the font) changes,
/// so that editing a paragraph does not redraw every map.
#[derive(Debug, Default)]
pub struct FigureCache {
    key: Option<u64>,
    figures: Option<Figures>,
}

impl FigureCache {
    /// The figures for this book, drawn again only if their inputs changed.
    pub fn get(&mut self, root: &Path, book: &Book, font: &str) -> Result<&Figures> {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        font.hash(&mut hasher);
        book.landmarks_file.text.hash(&mut hasher);
        book.timeline_file.text.hash(&mut hasher);
        for chapter in book.chapters() {
            chapter.file.text[..chapter.body_offset].hash(&mut hasher);
        }
        for data in [
            "chapters/railways.toml",
            "chapters/projects-156.toml",
            BASE_MAP,
            DETAIL_MAP,
        ] {
            std::fs::read(root.join(data))
                .unwrap_or_default()
                .hash(&mut hasher);
        }
        let key = hasher.finish();
        if self.key != Some(key) || self.figures.is_none() {
            self.figures = Some(build(root, book, font)?);
            self.key = Some(key);
        }
        Ok(self.figures.as_ref().expect("just drawn"))
    }
}

/// Every figure of the book, and the automatic placements.
#[derive(Debug, Clone, Default)]
pub struct Figures {
    pub list: Vec<Figure>,
    /// The city map of each itinerary, by chapter slug and itinerary index.
    pub itinerary_maps: HashMap<(String, usize), String>,
}

impl Figures {
    /// These figures without the ones whose ids are listed (an edition leaving them out).
    pub fn without(&self, ids: &[&str]) -> Figures {
        Figures {
            list: self
                .list
                .iter()
                .filter(|f| !ids.contains(&f.id.as_str()))
                .cloned()
                .collect(),
            itinerary_maps: self
                .itinerary_maps
                .iter()
                .filter(|(_, id)| !ids.contains(&id.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }

    /// A figure by id.
    pub fn get(&self, id: &str) -> Option<&Figure> {
        self.list.iter().find(|f| f.id == id)
    }
}

/// The figures as the EPUB needs them: `(id, svg, caption, alt text)`, in book order.
pub fn epub_figures(root: &Path, book: &Book) -> Result<Vec<crate::epub::Figure>> {
    Ok(build(root, book, DEFAULT_FONT)?
        .list
        .into_iter()
        .map(|f| crate::epub::Figure {
            id: f.id,
            svg: f.drawn.svg,
            caption: f.caption,
            alt: f.alt,
        })
        .collect())
}

/// A city of the guide: the mean position of its landmarks.
pub fn cities(book: &Book) -> Vec<Place> {
    let mut sums: BTreeMap<&str, (f64, f64, usize)> = BTreeMap::new();
    for l in &book.landmarks {
        let e = sums.entry(&l.city).or_default();
        e.0 += *l.lon.get_ref();
        e.1 += *l.lat.get_ref();
        e.2 += 1;
    }
    sums.into_iter()
        .map(|(name, (lon, lat, n))| Place {
            name: name.to_string(),
            at: LonLat::new(lon / n as f64, lat / n as f64),
            weight: n,
        })
        .collect()
}

/// Read a base geography file, or an empty one if the project has none.
pub fn base_map(root: &Path, path: &str) -> Result<BaseMap> {
    if !root.join(path).exists() {
        return Ok(BaseMap::default());
    }
    let file = load::read_text(root, path)?;
    BaseMap::from_topojson(&file)
}

/// Draw every figure of the book, with text in the `font` family.
pub fn build(root: &Path, book: &Book, font: &str) -> Result<Figures> {
    let base = base_map(root, BASE_MAP)?;
    // City maps use the detailed coastline where the project has one.
    let detail = match base_map(root, DETAIL_MAP)? {
        d if d.land.is_empty() => base.clone(),
        d => d,
    };
    let cities = cities(book);
    let mut figures = Figures::default();
    let mut add = |id: String, kind, drawn: DrawnMap, caption: String, alt: String| {
        figures.list.push(Figure {
            id,
            kind,
            caption,
            alt,
            drawn,
        })
    };

    if !cities.is_empty() {
        let mut extent: Vec<LonLat> = cities.iter().map(|c| c.at).collect();
        extent.extend([LonLat::new(100.0, 27.0), LonLat::new(138.5, 53.0)]);
        let frame = Frame::fit(&extent, 0.03, 0.0, (0.7, 0.95));
        let railways = railway_lines(book, palette::OCHRE, palette::OCHRE, 0.35);
        let mut places = cities.clone();
        places.extend(soviet_context(book));
        let drawn = maps::small_scale_map(
            &base,
            frame,
            font,
            &format!("Cities: mean position of their landmarks in this guide · {MAP_SOURCE}"),
            &places,
            &|p| cities.iter().any(|c| c.name == p.name),
            &railways,
            &[
                (
                    LegendSymbol::Dot(palette::ACCENT),
                    "City with landmarks in this guide",
                ),
                (LegendSymbol::Dot(palette::MUTED), "Other city"),
                (
                    LegendSymbol::Line(palette::OCHRE, 0.35, None),
                    "Railways of 1903–1916",
                ),
            ],
        );
        let names: Vec<&str> = cities.iter().map(|c| c.name.as_str()).collect();
        add(
            "map-overview".into(),
            FigureKind::Map,
            drawn,
            "China and the Soviet Far East: the cities of this guide".into(),
            format!(
                "Map of north and central China and the Soviet Far East marking the {} cities with landmarks in this guide: {}.",
                names.len(),
                names.join(", ")
            ),
        );
    }

    if let Some((railways, _)) = &book.railways {
        let lines = railway_lines(book, palette::ACCENT, palette::INK, 0.9);
        let mut places: Vec<Place> = Vec::new();
        let mut extent = Vec::new();
        for line in &railways.lines {
            for s in &line.stations {
                let at = LonLat::new(*s.lon.get_ref(), *s.lat.get_ref());
                extent.push(at);
                if s.label && !places.iter().any(|p| p.name == s.name) {
                    let weight = usize::from(cities.iter().any(|c| c.name == s.name));
                    places.push(Place {
                        name: s.name.clone(),
                        at,
                        weight,
                    });
                }
            }
        }
        let cer: Vec<_> = railways
            .lines
            .iter()
            .filter(|l| l.network == RailwayNetwork::Cer)
            .collect();
        let cer_km: f64 = cer
            .iter()
            .map(|l| {
                let pts: Vec<LonLat> = l
                    .stations
                    .iter()
                    .map(|s| LonLat::new(*s.lon.get_ref(), *s.lat.get_ref()))
                    .collect();
                maps::length_km(&pts)
            })
            .sum();
        let frame = Frame::fit(&extent, 0.05, 0.0, (0.7, 1.1));
        let drawn = maps::small_scale_map(
            &base,
            frame,
            font,
            &format!("Stations: chapters/railways.toml · {MAP_SOURCE}"),
            &places,
            &|p| p.weight > 0,
            &lines,
            &[
                (
                    LegendSymbol::Line(palette::ACCENT, 0.9, None),
                    "Chinese Eastern Railway and branches",
                ),
                (
                    LegendSymbol::Line(palette::INK, 0.9, Some("2 1")),
                    "Russian/Soviet railways",
                ),
                (
                    LegendSymbol::Dot(palette::ACCENT),
                    "City with landmarks in this guide",
                ),
            ],
        );
        add(
            "map-railways".into(),
            FigureKind::Map,
            drawn,
            "The Chinese Eastern Railway and its links to the Trans-Siberian".into(),
            format!(
                "Map of the T-shaped Chinese Eastern Railway, about {:.0} km of line measured station to station: west from Harbin to Manzhouli, east to Suifenhe, south through Changchun and Shenyang to Dalian and Lüshun; and the Russian lines from Chita and to Vladivostok and Khabarovsk.",
                (cer_km / 10.0).round() * 10.0
            ),
        );
    }

    for part in &book.parts {
        for chapter in &part.chapters {
            if let Some((id, drawn, caption, alt)) =
                regional_map(&base, font, book, chapter, &cities)
            {
                add(id, FigureKind::Map, drawn, caption, alt);
            }
        }
    }

    let mut used: HashMap<String, usize> = HashMap::new();
    for chapter in book.chapters() {
        for (index, itinerary) in chapter.meta.itineraries.iter().enumerate() {
            let stops: Vec<Stop> = itinerary
                .stops
                .iter()
                .enumerate()
                .filter_map(|(i, s)| {
                    let l = book.landmark(s.landmark.get_ref())?;
                    Some(Stop {
                        number: i + 1,
                        name: l.name.clone(),
                        at: LonLat::new(*l.lon.get_ref(), *l.lat.get_ref()),
                    })
                })
                .collect();
            if stops.is_empty() {
                continue;
            }
            let others: Vec<Place> = book
                .landmarks
                .iter()
                .filter(|l| {
                    !itinerary
                        .stops
                        .iter()
                        .any(|s| s.landmark.get_ref() == l.id.get_ref())
                })
                .filter(|l| {
                    stops.iter().any(|s| {
                        distance_km(s.at, LonLat::new(*l.lon.get_ref(), *l.lat.get_ref())) < 30.0
                    })
                })
                .map(|l| Place {
                    name: l.name.clone(),
                    at: LonLat::new(*l.lon.get_ref(), *l.lat.get_ref()),
                    weight: 0,
                })
                .collect();
            let drawn = maps::city_map(
                &detail,
                font,
                &format!("Positions: chapters/landmarks.toml · {MAP_SOURCE}"),
                &stops,
                &others,
            );
            let base_id = format!("map-itinerary-{}", slug(&itinerary.city));
            let n = used.entry(base_id.clone()).or_default();
            *n += 1;
            let id = if *n == 1 {
                base_id
            } else {
                format!("{base_id}-{n}")
            };
            let list: Vec<String> = stops
                .iter()
                .map(|s| format!("{} {}", s.number, s.name))
                .collect();
            let insets = match drawn.insets {
                0 => String::new(),
                1 => " An inset under the map enlarges stops that lie close together.".into(),
                _ => " Insets under the map enlarge the groups of stops that lie close together."
                    .into(),
            };
            add(
                id.clone(),
                FigureKind::Map,
                drawn,
                format!("{} — the stops in route order", itinerary.title),
                format!(
                    "Map of {} with the itinerary's stops numbered in route order: {}.{insets}",
                    itinerary.city,
                    list.join(", ")
                ),
            );
            figures
                .itinerary_maps
                .insert((chapter.slug.clone(), index), id);
        }
    }

    if let Some((projects, _)) = &book.projects {
        // Both charts of the projects: bars of counts, and the counts again in the alt text.
        const SOURCE: &str = "Source: Bo Yibo 1991, p. 297 (chapters/projects-156.toml)";
        let counts = |rows: Vec<(&String, u32, Option<String>)>, colour: &'static str| {
            let total: u32 = rows.iter().map(|r| r.1).sum();
            let listed = rows
                .iter()
                .map(|(l, n, _)| format!("{l} {n}"))
                .collect::<Vec<_>>()
                .join(", ");
            let bars: Vec<Bar> = rows
                .into_iter()
                .map(|(label, n, note)| Bar {
                    label: label.clone(),
                    segments: vec![(n as f64, colour)],
                    note,
                })
                .collect();
            (bar_chart(font, &bars, &[], SOURCE), total, listed)
        };
        let batches = projects
            .batches
            .iter()
            .map(|b| (&b.label, *b.count.get_ref(), None))
            .collect();
        let (drawn, total, listed) = counts(batches, palette::ACCENT);
        add(
            "chart-projects-batches".into(),
            FigureKind::Chart,
            drawn,
            format!("The {total} projects as agreed in three batches"),
            format!(
                "Bar chart of the Soviet-aided projects by agreement: {listed}; {total} in all."
            ),
        );
        let sectors = projects
            .sectors
            .iter()
            .map(|s| (&s.label, *s.count.get_ref(), s.detail.clone()))
            .collect();
        let (drawn, total, listed) = counts(sectors, palette::OCHRE);
        add(
            "chart-projects-sectors".into(),
            FigureKind::Chart,
            drawn,
            format!("The {total} projects actually built, by sector"),
            format!("Bar chart of the {total} projects built, by sector: {listed}."),
        );
    }

    if !book.landmarks.is_empty() {
        let (drawn, alt) = status_chart(font, book);
        add(
            "chart-landmark-status".into(),
            FigureKind::Chart,
            drawn,
            "What survives: the landmarks of this guide by city and state".into(),
            alt,
        );
        let (drawn, alt) = decade_chart(font, book);
        add(
            "chart-landmarks-decade".into(),
            FigureKind::Chart,
            drawn,
            "When the landmarks of this guide were built, by decade".into(),
            alt,
        );
    }
    if !book.events.is_empty() {
        let (drawn, alt) = timeline_chart(font, book);
        add(
            TIMELINE_CHART.into(),
            FigureKind::Chart,
            drawn,
            "The rhythm of the era: events of the timeline by year".into(),
            alt,
        );
    }
    Ok(figures)
}

/// Check the `figures` lists of chapter front matter against the figures that exist.
pub fn check_placements(book: &Book, figures: &Figures, sink: &mut Sink) {
    // A figure is printed once; the first chapter to place it keeps it.
    let mut placed: HashMap<&str, &str> = figures
        .itinerary_maps
        .values()
        .map(|id| (id.as_str(), "its itinerary"))
        .collect();
    for chapter in book.chapters() {
        for id in &chapter.meta.figures {
            let span = id.span();
            let at = chapter.meta_offset + span.start..chapter.meta_offset + span.end;
            if let Some(first) = placed.insert(id.get_ref(), chapter.slug.as_str()) {
                sink.push(
                    Diagnostic::error(format!("figure `{}` is already placed (in {first})", id.get_ref()))
                        .at(&chapter.file, at.clone())
                        .with_note("a figure is printed once; link to it from elsewhere with [see the map](figure:ID)"),
                );
            }
            if figures.get(id.get_ref()).is_none() {
                let span = id.span();
                sink.push(
                    Diagnostic::error(format!("unknown figure `{}`", id.get_ref()))
                        .at(
                            &chapter.file,
                            chapter.meta_offset + span.start..chapter.meta_offset + span.end,
                        )
                        .with_note(format!(
                            "figures are: {}",
                            figures
                                .list
                                .iter()
                                .map(|f| f.id.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                );
            }
        }
    }
}

/// Lowercase ASCII id from a name: `Lüshun` → `lushun`, `Xi'an` → `xian`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let c = match c {
            'ü' | 'Ü' | 'ú' | 'ù' => 'u',
            'é' | 'è' | 'ē' => 'e',
            'ā' | 'á' | 'à' => 'a',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if (c == ' ' || c == '-') && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

fn railway_lines(
    book: &Book,
    cer: &'static str,
    soviet: &'static str,
    width: f64,
) -> Vec<(Vec<LonLat>, &'static str, f64, Option<&'static str>)> {
    let Some((railways, _)) = &book.railways else {
        return vec![];
    };
    railways
        .lines
        .iter()
        .map(|line| {
            let points = line
                .stations
                .iter()
                .map(|s| LonLat::new(*s.lon.get_ref(), *s.lat.get_ref()))
                .collect();
            match line.network {
                RailwayNetwork::Cer => (points, cer, width, None),
                RailwayNetwork::Soviet => (
                    points,
                    soviet,
                    width,
                    if width > 0.5 { Some("2 1") } else { None },
                ),
            }
        })
        .collect()
}

/// Labelled Soviet stations, as context on the overview map.
fn soviet_context(book: &Book) -> Vec<Place> {
    let Some((railways, _)) = &book.railways else {
        return vec![];
    };
    let mut out: Vec<Place> = Vec::new();
    for line in railways
        .lines
        .iter()
        .filter(|l| l.network == RailwayNetwork::Soviet)
    {
        for s in line.stations.iter().filter(|s| s.label) {
            if !out.iter().any(|p| p.name == s.name) {
                out.push(Place {
                    name: s.name.clone(),
                    at: LonLat::new(*s.lon.get_ref(), *s.lat.get_ref()),
                    weight: 0,
                });
            }
        }
    }
    out
}

/// The regional map of a Places chapter whose landmarks lie in two or more cities far apart.
fn regional_map(
    base: &BaseMap,
    font: &str,
    book: &Book,
    chapter: &Chapter,
    cities: &[Place],
) -> Option<(String, DrawnMap, String, String)> {
    let mine: Vec<&Place> = cities
        .iter()
        .filter(|c| {
            chapter.meta.landmarks.iter().any(|id| {
                book.landmark(id.get_ref())
                    .is_some_and(|l| l.city == c.name)
            })
        })
        .collect();
    let span = mine
        .iter()
        .flat_map(|a| mine.iter().map(move |b| distance_km(a.at, b.at)))
        .fold(0.0, f64::max);
    if mine.len() < 2 || span < 150.0 {
        return None;
    }
    let extent: Vec<LonLat> = mine.iter().map(|c| c.at).collect();
    let frame = Frame::fit(&extent, 0.18, 350.0, (0.62, 1.0));
    let drawn = maps::small_scale_map(
        base,
        frame,
        font,
        &format!("Cities: mean position of their landmarks · {MAP_SOURCE}"),
        cities,
        &|p| mine.iter().any(|m| m.name == p.name),
        &railway_lines(book, palette::OCHRE, palette::OCHRE, 0.35),
        &[
            (LegendSymbol::Dot(palette::ACCENT), "City in this chapter"),
            (
                LegendSymbol::Dot(palette::MUTED),
                "Other city in this guide",
            ),
            (
                LegendSymbol::Line(palette::OCHRE, 0.35, None),
                "Railways of 1903–1916",
            ),
        ],
    );
    let names: Vec<&str> = mine.iter().map(|c| c.name.as_str()).collect();
    let short = chapter
        .meta
        .title
        .split(':')
        .next()
        .unwrap_or(&chapter.meta.title)
        .trim();
    Some((
        format!("map-region-{}", chapter.slug),
        drawn,
        format!("{short}: the cities of this chapter"),
        format!(
            "Regional map marking the cities of this chapter: {}.",
            names.join(", ")
        ),
    ))
}

/// One bar of a horizontal bar chart: stacked segments of (value, colour).
struct Bar {
    label: String,
    segments: Vec<(f64, &'static str)>,
    note: Option<String>,
}

fn svg_open(height: f64) -> String {
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.2}" width="{WIDTH}mm" height="{height:.2}mm">"#
    )
}

#[allow(clippy::too_many_arguments)] // position, size, colour and anchor of one SVG text
fn text(
    out: &mut String,
    font: &str,
    x: f64,
    y: f64,
    size: f64,
    fill: &str,
    anchor: &str,
    body: &str,
) {
    let _ = write!(
        out,
        r#"<text x="{x:.2}" y="{y:.2}" font-family="{font}" font-size="{size}" fill="{fill}" text-anchor="{anchor}">{body}</text>"#,
        font = xml(font),
        body = xml(body)
    );
}

/// A horizontal bar chart with labels on the left, values at the bar ends and an optional note.
fn bar_chart(font: &str, bars: &[Bar], legend: &[(&'static str, &str)], source: &str) -> DrawnMap {
    let size = 3.2;
    let label_w = bars
        .iter()
        .map(|b| text_width(&b.label, size))
        .fold(0.0, f64::max)
        + 3.0;
    let max = bars
        .iter()
        .map(|b| b.segments.iter().map(|s| s.0).sum::<f64>())
        .fold(1.0, f64::max);
    let row = |b: &Bar| if b.note.is_some() { 11.0 } else { 7.0 };
    let legend_h = if legend.is_empty() { 0.0 } else { 7.0 };
    let height = legend_h + bars.iter().map(row).sum::<f64>() + 7.0;
    let plot_w = WIDTH - label_w - 12.0;
    let mut out = svg_open(height);
    let mut x = 0.0;
    for (colour, name) in legend {
        let _ = write!(
            out,
            r#"<rect x="{x:.2}" y="1.5" width="3.5" height="3" fill="{colour}"/>"#
        );
        text(
            &mut out,
            font,
            x + 5.0,
            4.3,
            2.8,
            palette::INK,
            "start",
            name,
        );
        x += text_width(name, 2.8) + 11.0;
    }
    let mut y = legend_h + 1.0;
    for bar in bars {
        text(
            &mut out,
            font,
            label_w - 3.0,
            y + 4.1,
            size,
            palette::INK,
            "end",
            &bar.label,
        );
        let mut bx = label_w;
        for (value, colour) in &bar.segments {
            let w = value / max * plot_w;
            let _ = write!(
                out,
                r#"<rect x="{bx:.2}" y="{y:.2}" width="{w:.2}" height="5.2" fill="{colour}"/>"#
            );
            bx += w;
        }
        let total: f64 = bar.segments.iter().map(|s| s.0).sum();
        text(
            &mut out,
            font,
            bx + 1.5,
            y + 4.1,
            size,
            palette::INK,
            "start",
            &format!("{total}"),
        );
        if let Some(note) = &bar.note {
            text(
                &mut out,
                font,
                label_w,
                y + 8.6,
                2.6,
                palette::MUTED,
                "start",
                note,
            );
        }
        y += row(bar);
    }
    let _ = write!(
        out,
        r#"<path d="M{label_w:.2} 0V{y:.2}" stroke="{}" stroke-width="0.3"/>"#,
        palette::INK
    );
    finish_chart(out, font, height, source)
}

const STATUSES: [(Status, &str, &str); 4] = [
    (Status::Extant, palette::GREEN, "extant"),
    (Status::Altered, palette::OCHRE, "altered"),
    (Status::Rebuilt, palette::RULE, "rebuilt"),
    (Status::Demolished, palette::ACCENT, "demolished"),
];

fn status_chart(font: &str, book: &Book) -> (DrawnMap, String) {
    let mut by_city: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
    for l in &book.landmarks {
        let i = STATUSES
            .iter()
            .position(|(s, _, _)| *s == l.status)
            .unwrap_or(0);
        by_city.entry(&l.city).or_default()[i] += 1;
    }
    let mut rows: Vec<(&str, [usize; 4])> = by_city.into_iter().collect();
    rows.sort_by(|a, b| {
        b.1.iter()
            .sum::<usize>()
            .cmp(&a.1.iter().sum::<usize>())
            .then(a.0.cmp(b.0))
    });
    let bars: Vec<Bar> = rows
        .iter()
        .map(|(city, counts)| Bar {
            label: city.to_string(),
            segments: counts
                .iter()
                .zip(STATUSES)
                .map(|(n, (_, c, _))| (*n as f64, c))
                .collect(),
            note: None,
        })
        .collect();
    let mut totals = [0usize; 4];
    for (_, counts) in &rows {
        for i in 0..4 {
            totals[i] += counts[i];
        }
    }
    let legend: Vec<(&'static str, String)> = STATUSES
        .iter()
        .zip(totals)
        .map(|((_, c, name), n)| (*c, format!("{name} ({n})")))
        .collect();
    let legend_ref: Vec<(&'static str, &str)> =
        legend.iter().map(|(c, s)| (*c, s.as_str())).collect();
    let drawn = bar_chart(
        font,
        &bars,
        &legend_ref,
        "Data: status field of chapters/landmarks.toml",
    );
    let alt = format!(
        "Stacked bar chart of the {} landmarks by city and state: {} extant, {} altered, {} rebuilt, {} demolished; {} has the most, {}.",
        book.landmarks.len(),
        totals[0],
        totals[1],
        totals[2],
        totals[3],
        rows.first().map_or("", |r| r.0),
        rows.first().map_or(0, |r| r.1.iter().sum::<usize>())
    );
    (drawn, alt)
}

/// The first four-digit year in a text, e.g. `1953` in "1953–1956".
fn first_year(text: &str) -> Option<u32> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(3)).find_map(|i| {
        let s = text.get(i..i + 4)?;
        let boundary = i == 0 || !bytes[i - 1].is_ascii_digit();
        let after = bytes.get(i + 4).is_none_or(|b| !b.is_ascii_digit());
        if boundary && after && s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse().ok().filter(|y| (1600..2100).contains(y))
        } else {
            None
        }
    })
}

/// A column chart: one column per label, value above, labels below.
fn column_chart(font: &str, columns: &[(String, usize, &'static str)], source: &str) -> DrawnMap {
    let height = 62.0;
    let (top, bottom) = (6.0, 48.0);
    let max = columns.iter().map(|c| c.1).max().unwrap_or(1).max(1) as f64;
    let slot = WIDTH / columns.len().max(1) as f64;
    let mut out = svg_open(height);
    for (i, (label, value, colour)) in columns.iter().enumerate() {
        let h = *value as f64 / max * (bottom - top);
        let x = i as f64 * slot + slot * 0.15;
        let w = slot * 0.7;
        let _ = write!(
            out,
            r#"<rect x="{x:.2}" y="{:.2}" width="{w:.2}" height="{h:.2}" fill="{colour}"/>"#,
            bottom - h
        );
        text(
            &mut out,
            font,
            x + w / 2.0,
            bottom - h - 1.2,
            3.0,
            palette::INK,
            "middle",
            &value.to_string(),
        );
        text(
            &mut out,
            font,
            x + w / 2.0,
            bottom + 4.2,
            2.8,
            palette::INK,
            "middle",
            label,
        );
    }
    let _ = write!(
        out,
        r#"<path d="M0 {bottom}H{WIDTH}" stroke="{}" stroke-width="0.3"/>"#,
        palette::INK
    );
    finish_chart(out, font, height, source)
}

fn decade_chart(font: &str, book: &Book) -> (DrawnMap, String) {
    let mut decades: BTreeMap<u32, usize> = BTreeMap::new();
    let mut undated = 0;
    for l in &book.landmarks {
        match first_year(&l.built) {
            Some(y) => *decades.entry(y / 10 * 10).or_default() += 1,
            None => undated += 1,
        }
    }
    let (Some(&first), Some(&last)) = (decades.keys().next(), decades.keys().last()) else {
        return (
            column_chart(font, &[], ""),
            "No landmark has a year of building.".into(),
        );
    };
    let columns: Vec<(String, usize, &'static str)> = (first..=last)
        .step_by(10)
        .map(|d| {
            let colour = if (1950..1960).contains(&d) {
                palette::ACCENT
            } else {
                palette::OCHRE
            };
            (
                format!("{}s", d),
                decades.get(&d).copied().unwrap_or(0),
                colour,
            )
        })
        .collect();
    let peak = columns
        .iter()
        .max_by_key(|c| c.1)
        .map(|c| c.0.clone())
        .unwrap_or_default();
    let source = format!(
        "Data: first year of the built field, chapters/landmarks.toml{}",
        if undated > 0 {
            format!(" ({undated} undated, not shown)")
        } else {
            String::new()
        }
    );
    let alt = format!(
        "Column chart of the landmarks by the decade in which building began, from the {first}s to the {last}s; most date from the {peak}: {}.",
        columns
            .iter()
            .filter(|c| c.1 > 0)
            .map(|c| format!("{} {}", c.0, c.1))
            .collect::<Vec<_>>()
            .join(", ")
    );
    (column_chart(font, &columns, &source), alt)
}

fn timeline_chart(font: &str, book: &Book) -> (DrawnMap, String) {
    let mut by_year: BTreeMap<i32, usize> = BTreeMap::new();
    for e in &book.events {
        if let Some(y) = e.date.get_ref().get(..4).and_then(|y| y.parse().ok()) {
            *by_year.entry(y).or_default() += 1;
        }
    }
    let (Some(&first), Some(&last)) = (by_year.keys().next(), by_year.keys().last()) else {
        return (column_chart(font, &[], ""), "The timeline is empty.".into());
    };
    let first = first / 5 * 5;
    let last = (last / 5 + 1) * 5;
    let max = by_year.values().copied().max().unwrap_or(1);
    let r = 0.95;
    let step = 2.0 * r + 0.25;
    let axis = 8.0 + max as f64 * step;
    let height = axis + 12.0;
    let years = (last - first) as f64;
    let x_of = |y: f64| 3.0 + (y - first as f64) / years * (WIDTH - 6.0);
    let mut out = svg_open(height);
    // The treaty of 1950 and its thirty years, shaded behind the dots.
    let (t0, t1) = (x_of(1950.0), x_of(1980.0));
    let _ = write!(
        out,
        r#"<rect x="{t0:.2}" y="2" width="{:.2}" height="{:.2}" fill="{}"/>"#,
        t1 - t0,
        axis - 2.0,
        palette::TINT
    );
    text(
        &mut out,
        font,
        (t0 + t1) / 2.0,
        5.0,
        2.6,
        palette::MUTED,
        "middle",
        "Treaty of Friendship, Alliance and Mutual Assistance, 1950–1980",
    );
    for (year, count) in &by_year {
        let x = x_of(*year as f64 + 0.5);
        for i in 0..*count {
            let colour = if (1950..1960).contains(year) {
                palette::ACCENT
            } else {
                palette::INK
            };
            let _ = write!(
                out,
                r#"<circle cx="{x:.2}" cy="{:.2}" r="{r}" fill="{colour}"/>"#,
                axis - r - 0.3 - i as f64 * step
            );
        }
    }
    let _ = write!(
        out,
        r#"<path d="M3 {axis:.2}H{:.2}" stroke="{}" stroke-width="0.3"/>"#,
        WIDTH - 3.0,
        palette::INK
    );
    for y in (first..=last).step_by(5) {
        let x = x_of(y as f64);
        let _ = write!(
            out,
            r#"<path d="M{x:.2} {axis:.2}v1.5" stroke="{}" stroke-width="0.3"/>"#,
            palette::INK
        );
        if y % 10 == 0 || years <= 40.0 {
            text(
                &mut out,
                font,
                x,
                axis + 5.0,
                2.8,
                palette::INK,
                "middle",
                &y.to_string(),
            );
        }
    }
    let drawn = finish_chart(
        out,
        font,
        height,
        "Each dot is one event of the timeline at the back of the book (chapters/timeline.toml)",
    );
    let busiest: Vec<String> = {
        let mut v: Vec<(&i32, &usize)> = by_year.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        v.iter()
            .take(3)
            .map(|(y, n)| format!("{y} ({n})"))
            .collect()
    };
    let alt = format!(
        "Dot chart of the {} events of the timeline by year, {first} to {last}; the busiest years are {}.",
        book.events.len(),
        busiest.join(", ")
    );
    (drawn, alt)
}

/// Close a chart: its source line at the foot, the end of the SVG.
fn finish_chart(mut out: String, font: &str, height: f64, source: &str) -> DrawnMap {
    text(
        &mut out,
        font,
        0.0,
        height - 1.2,
        2.3,
        palette::MUTED,
        "start",
        source,
    );
    out.push_str("</svg>");
    DrawnMap {
        svg: out,
        labels: vec![],
        stops: vec![],
        insets: 0,
        unlabelled: vec![],
        markers: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_and_slugs() {
        assert_eq!(first_year("1899–1904; demolished 1960"), Some(1899));
        assert_eq!(first_year("worked from 1901"), Some(1901));
        assert_eq!(first_year("Japanese era"), None);
        assert_eq!(slug("Lüshun"), "lushun");
        assert_eq!(slug("Xi'an"), "xian");
    }
}
