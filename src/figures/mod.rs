//! The book's generated figures: every map and chart drawn from the data, with ids, captions
//! and alt text, and where each one is printed.
//!
//! Placement: a chapter lists figure ids in its front matter (`figures = ["map-overview"]`),
//! printed after the chapter opener; each itinerary gets its city map automatically, printed
//! before the itinerary box; `chart-timeline` is printed before the timeline in the back matter.
//! What is particular to a book (frames, names of countries and provinces, the words of
//! captions and source lines) comes from its data (`chapters/maps.toml`); colours come from
//! the edition.

pub mod charts;
pub mod geo;
pub mod maps;
pub mod style;

use std::collections::{BTreeMap, HashMap};

use crate::content::model::{Book, Chapter, FigureKind, RailwayFile};
use crate::content::view::{FigureCatalogue, FigureRef};
use crate::diagnostics::{Diagnostic, Result, Sink};
use crate::sandbox::Sandbox;

use self::geo::{BaseMap, Lambert, LonLat, distance_km};
use self::maps::{AreaNames, DrawnMap, Frame, LegendSymbol, Place, Stop};
use self::style::{Role, Style};

/// Where the base geography lives in a project.
pub const BASE_MAP: &str = "chapters/geo/east-asia-50m.topo.json";
/// The detailed coastline (Natural Earth 1:10m) the city maps are drawn on.
pub const DETAIL_MAP: &str = "chapters/geo/china-10m.topo.json";
/// The figure printed before the timeline.
pub const TIMELINE_CHART: &str = "chart-timeline";
/// Font family used for the text in figures when an edition does not say otherwise.
pub const DEFAULT_FONT: &str = "Noto Sans";

/// Data files figures are drawn from, besides the book's landmarks, timeline and chapters.
const DATA_FILES: [&str; 5] = [
    "chapters/railways.toml",
    "chapters/projects-156.toml",
    "chapters/maps.toml",
    BASE_MAP,
    DETAIL_MAP,
];

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

    /// The figure as templates see it.
    pub fn reference(&self) -> FigureRef {
        FigureRef::new(&self.id, self.kind, &self.caption, &self.alt)
    }
}

/// Figures kept between rebuilds in watch mode: drawn again only when what they are drawn
/// from (landmarks, timeline, itineraries and figure lists, the data files, the style)
/// changes, so that editing a paragraph does not redraw every map.
#[derive(Debug, Default)]
pub struct FigureCache {
    key: Option<u64>,
    figures: Option<Figures>,
}

impl FigureCache {
    /// The figures for this book, drawn again only if their inputs changed.
    pub fn get(&mut self, sandbox: &Sandbox, book: &Book, style: &Style) -> Result<&Figures> {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        format!("{style:?}").hash(&mut hasher);
        book.landmarks_file.text.hash(&mut hasher);
        book.timeline_file.text.hash(&mut hasher);
        for chapter in book.chapters() {
            chapter.file.text[..chapter.body_offset].hash(&mut hasher);
        }
        for data in DATA_FILES {
            sandbox
                .read(data, crate::sandbox::MAX_BINARY_BYTES)
                .unwrap_or_default()
                .hash(&mut hasher);
        }
        let key = hasher.finish();
        if self.key != Some(key) || self.figures.is_none() {
            self.figures = Some(build(sandbox, book, style)?);
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

    fn add(&mut self, id: String, kind: FigureKind, drawn: DrawnMap, caption: String, alt: String) {
        self.list.push(Figure {
            id,
            kind,
            caption,
            alt,
            drawn,
        });
    }
}

impl FigureCatalogue for Figures {
    fn figure(&self, id: &str) -> Option<FigureRef> {
        self.get(id).map(Figure::reference)
    }

    fn itinerary_map(&self, chapter: &str, index: usize) -> Option<FigureRef> {
        self.itinerary_maps
            .get(&(chapter.to_string(), index))
            .and_then(|id| self.figure(id))
    }
}

/// The projection a book's maps use (`[projection]` of `chapters/maps.toml`).
pub fn projection(book: &Book) -> Lambert {
    let p = &book.maps.projection;
    Lambert::new(p.parallels[0], p.parallels[1], p.origin[1], p.origin[0])
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
pub fn base_map(sandbox: &Sandbox, path: &str) -> Result<BaseMap> {
    if !sandbox.exists(path) {
        return Ok(BaseMap::default());
    }
    let file = sandbox.read_text(path)?;
    BaseMap::from_topojson(&file)
}

/// What every map of a book shares: its base geography, cities, area names and the words
/// under each map.
struct Atlas<'a> {
    book: &'a Book,
    style: &'a Style,
    base: BaseMap,
    detail: BaseMap,
    cities: Vec<Place>,
    areas: AreaNames,
    /// `credit · projection`, printed under every map.
    source: String,
}

impl<'a> Atlas<'a> {
    fn new(sandbox: &Sandbox, book: &'a Book, style: &'a Style) -> Result<Self> {
        let base = base_map(sandbox, BASE_MAP)?;
        // City maps use the detailed coastline where the project has one.
        let detail = match base_map(sandbox, DETAIL_MAP)? {
            d if d.land.is_empty() => base.clone(),
            d => d,
        };
        let maps = &book.maps;
        let lonlat = |p: &[f64; 2]| LonLat::new(p[0], p[1]);
        let areas = AreaNames {
            areas: maps
                .areas
                .iter()
                .map(|a| (a.name.clone(), lonlat(&a.at)))
                .collect(),
            provinces: maps
                .provinces
                .iter()
                .map(|p| (p.name.clone(), p.at.iter().map(lonlat).collect()))
                .collect(),
        };
        let [lat1, lat2] = maps.projection.parallels;
        let projection = format!(
            "Lambert conformal conic, {} and {} N",
            degrees(lat1),
            degrees(lat2)
        );
        let source = match &maps.credit {
            Some(credit) => format!("{credit} · {projection}"),
            None => projection,
        };
        Ok(Self {
            book,
            style,
            base,
            detail,
            cities: cities(book),
            areas,
            source,
        })
    }

    /// Railway lines of the book: `(points, colour, width, dash)`; `main` colours the main
    /// network's lines and `other` the rest (dashed when the lines are wide enough to show it).
    fn railway_lines(
        &self,
        main: Role,
        other: Role,
        width: f64,
    ) -> Vec<(Vec<LonLat>, Role, f64, Option<&'static str>)> {
        let Some((railways, _)) = &self.book.railways else {
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
                if is_main(railways, line.network.get_ref()) {
                    (points, main, width, None)
                } else {
                    (points, other, width, (width > 0.5).then_some("2 1"))
                }
            })
            .collect()
    }

    /// Labelled stations of the other networks, as context on the overview map.
    fn railway_context(&self) -> Vec<Place> {
        let Some((railways, _)) = &self.book.railways else {
            return vec![];
        };
        let mut out: Vec<Place> = Vec::new();
        for line in railways
            .lines
            .iter()
            .filter(|l| !is_main(railways, l.network.get_ref()))
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

    /// The legend line for railways on the overview and regional maps.
    fn railways_legend(&self) -> Option<(LegendSymbol, &str)> {
        let words = self.book.maps.overview.railways_legend.as_deref()?;
        self.book.railways.as_ref()?;
        Some((LegendSymbol::Line(Role::Ochre, 0.35, None), words))
    }
}

fn is_main(railways: &RailwayFile, network: &str) -> bool {
    railways
        .networks
        .iter()
        .any(|n| n.main && n.id.get_ref() == network)
}

/// `25°`, `47.5°`.
fn degrees(value: f64) -> String {
    format!("{value}°")
}

/// Draw every figure of the book in `style`.
pub fn build(sandbox: &Sandbox, book: &Book, style: &Style) -> Result<Figures> {
    let atlas = Atlas::new(sandbox, book, style)?;
    let mut figures = Figures::default();
    overview_map(&atlas, &mut figures);
    railway_map(&atlas, &mut figures);
    for part in &book.parts {
        for chapter in &part.chapters {
            regional_map(&atlas, chapter, &mut figures);
        }
    }
    itinerary_maps(&atlas, &mut figures);
    charts::add_all(book, style, &mut figures);
    Ok(figures)
}

fn overview_map(atlas: &Atlas<'_>, figures: &mut Figures) {
    let (book, cities) = (atlas.book, &atlas.cities);
    if cities.is_empty() {
        return;
    }
    let mut extent: Vec<LonLat> = cities.iter().map(|c| c.at).collect();
    extent.extend(
        book.maps
            .overview
            .extent
            .iter()
            .map(|p| LonLat::new(p[0], p[1])),
    );
    let frame = Frame::fit(atlas.style.projection, &extent, 0.03, 0.0, (0.7, 0.95));
    let railways = atlas.railway_lines(Role::Ochre, Role::Ochre, 0.35);
    let mut places = cities.clone();
    places.extend(atlas.railway_context());
    let mut legend = vec![
        (
            LegendSymbol::Dot(Role::Accent),
            "City with landmarks in this guide",
        ),
        (LegendSymbol::Dot(Role::Muted), "Other city"),
    ];
    legend.extend(atlas.railways_legend());
    let drawn = maps::small_scale_map(
        &atlas.base,
        frame,
        atlas.style,
        &format!(
            "Cities: mean position of their landmarks in this guide · {}",
            atlas.source
        ),
        &places,
        &|p| cities.iter().any(|c| c.name == p.name),
        &railways,
        &legend,
        &atlas.areas,
    );
    let names: Vec<&str> = cities.iter().map(|c| c.name.as_str()).collect();
    let spec = &book.maps.overview;
    let alt = spec.alt.as_deref().unwrap_or(
        "Map of the region marking the {count} cities with landmarks in this guide: {cities}.",
    );
    figures.add(
        "map-overview".into(),
        FigureKind::Map,
        drawn,
        spec.caption
            .clone()
            .unwrap_or_else(|| "The cities of this guide".into()),
        alt.replace("{count}", &names.len().to_string())
            .replace("{cities}", &names.join(", ")),
    );
}

fn railway_map(atlas: &Atlas<'_>, figures: &mut Figures) {
    let book = atlas.book;
    let Some((railways, _)) = &book.railways else {
        return;
    };
    let lines = atlas.railway_lines(Role::Accent, Role::Ink, 0.9);
    let mut places: Vec<Place> = Vec::new();
    let mut extent = Vec::new();
    for line in &railways.lines {
        for s in &line.stations {
            let at = LonLat::new(*s.lon.get_ref(), *s.lat.get_ref());
            extent.push(at);
            if s.label && !places.iter().any(|p| p.name == s.name) {
                let weight = usize::from(atlas.cities.iter().any(|c| c.name == s.name));
                places.push(Place {
                    name: s.name.clone(),
                    at,
                    weight,
                });
            }
        }
    }
    let main_km: f64 = railways
        .lines
        .iter()
        .filter(|l| is_main(railways, l.network.get_ref()))
        .map(|l| {
            let pts: Vec<LonLat> = l
                .stations
                .iter()
                .map(|s| LonLat::new(*s.lon.get_ref(), *s.lat.get_ref()))
                .collect();
            maps::length_km(&pts)
        })
        .sum();
    let mut legend: Vec<(LegendSymbol, &str)> = railways
        .networks
        .iter()
        .map(|n| {
            let symbol = if n.main {
                LegendSymbol::Line(Role::Accent, 0.9, None)
            } else {
                LegendSymbol::Line(Role::Ink, 0.9, Some("2 1"))
            };
            (symbol, n.name.as_str())
        })
        .collect();
    legend.push((
        LegendSymbol::Dot(Role::Accent),
        "City with landmarks in this guide",
    ));
    let frame = Frame::fit(atlas.style.projection, &extent, 0.05, 0.0, (0.7, 1.1));
    let drawn = maps::small_scale_map(
        &atlas.base,
        frame,
        atlas.style,
        &format!("Stations: chapters/railways.toml · {}", atlas.source),
        &places,
        &|p| p.weight > 0,
        &lines,
        &legend,
        &atlas.areas,
    );
    let spec = &book.maps.railways;
    let km = format!("{:.0}", (main_km / 10.0).round() * 10.0);
    figures.add(
        "map-railways".into(),
        FigureKind::Map,
        drawn,
        spec.caption.clone().unwrap_or_else(|| "Railways".into()),
        spec.alt.as_deref().map_or_else(
            || {
                format!(
                    "Map of the railway lines, {km} km of main line measured station to station."
                )
            },
            |alt| alt.replace("{km}", &km),
        ),
    );
}

/// The regional map of a Places chapter whose landmarks lie in two or more cities far apart.
fn regional_map(atlas: &Atlas<'_>, chapter: &Chapter, figures: &mut Figures) {
    let book = atlas.book;
    let mine: Vec<&Place> = atlas
        .cities
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
        return;
    }
    let extent: Vec<LonLat> = mine.iter().map(|c| c.at).collect();
    let frame = Frame::fit(atlas.style.projection, &extent, 0.18, 350.0, (0.62, 1.0));
    let mut legend = vec![
        (LegendSymbol::Dot(Role::Accent), "City in this chapter"),
        (LegendSymbol::Dot(Role::Muted), "Other city in this guide"),
    ];
    legend.extend(atlas.railways_legend());
    let drawn = maps::small_scale_map(
        &atlas.base,
        frame,
        atlas.style,
        &format!(
            "Cities: mean position of their landmarks · {}",
            atlas.source
        ),
        &atlas.cities,
        &|p| mine.iter().any(|m| m.name == p.name),
        &atlas.railway_lines(Role::Ochre, Role::Ochre, 0.35),
        &legend,
        &atlas.areas,
    );
    let names: Vec<&str> = mine.iter().map(|c| c.name.as_str()).collect();
    let short = chapter
        .meta
        .title
        .split(':')
        .next()
        .unwrap_or(&chapter.meta.title)
        .trim();
    figures.add(
        format!("map-region-{}", chapter.slug),
        FigureKind::Map,
        drawn,
        format!("{short}: the cities of this chapter"),
        format!(
            "Regional map marking the cities of this chapter: {}.",
            names.join(", ")
        ),
    );
}

/// The city map of every itinerary, with an id from its city (`map-itinerary-harbin`, then
/// `map-itinerary-harbin-2` for a second walk in the same city).
fn itinerary_maps(atlas: &Atlas<'_>, figures: &mut Figures) {
    let book = atlas.book;
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
            let others = nearby_landmarks(book, itinerary, &stops);
            let drawn = maps::city_map(
                &atlas.detail,
                atlas.style,
                &format!("Positions: chapters/landmarks.toml · {}", atlas.source),
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
            figures.add(
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
}

/// Landmarks of the guide within 30 km of an itinerary's stops that are not stops of it.
fn nearby_landmarks(
    book: &Book,
    itinerary: &crate::content::model::Itinerary,
    stops: &[Stop],
) -> Vec<Place> {
    book.landmarks
        .iter()
        .filter(|l| {
            !itinerary
                .stops
                .iter()
                .any(|s| s.landmark.get_ref() == l.id.get_ref())
        })
        .filter(|l| {
            stops
                .iter()
                .any(|s| distance_km(s.at, LonLat::new(*l.lon.get_ref(), *l.lat.get_ref())) < 30.0)
        })
        .map(|l| Place {
            name: l.name.clone(),
            at: LonLat::new(*l.lon.get_ref(), *l.lat.get_ref()),
            weight: 0,
        })
        .collect()
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
                let known: Vec<&str> = figures.list.iter().map(|f| f.id.as_str()).collect();
                sink.push(
                    Diagnostic::error(format!("unknown figure `{}`", id.get_ref()))
                        .at(&chapter.file, at)
                        .with_note(format!("figures are: {}", known.join(", "))),
                );
            }
        }
    }
}

/// Lowercase ASCII id from a name: `Lüshun` → `lushun`, `Xi'an` → `xian`, `Hōhhot` →
/// `hohhot`; letters of other scripts are transliterated.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in deunicode::deunicode(name).chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if (c == ' ' || c == '-') && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_transliterate() {
        assert_eq!(slug("Lüshun"), "lushun");
        assert_eq!(slug("Xi'an"), "xian");
        assert_eq!(slug("Hōhhot"), "hohhot");
        assert_eq!(slug("Dalian–Lüshun"), "dalian-lushun");
    }
}
