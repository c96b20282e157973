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
pub mod compose;
pub mod frame;
pub mod geo;
pub mod layers;
pub mod maps;
pub mod names;
pub mod paths;
pub mod placer;
pub mod style;
pub mod text;

use std::collections::{BTreeMap, HashMap};

use crate::content::model::{Book, Chapter, FigureKind, RailwayFile};
use crate::content::view::{FigureCatalogue, FigureRef};
use crate::diagnostics::{Diagnostic, Result, Sink};
use crate::sandbox::Sandbox;

use self::compose::{AreaNames, CityMap, Line, Place, SmallScale, Stop};
use self::frame::Frame;
use self::geo::{Lambert, LonLat, distance_km};
use self::layers::{Catalogue, NamedPlace, PlaceKind};
use self::maps::{DrawnMap, LegendSymbol};
use self::style::{Role, Style};
use self::text::{FontFiles, Measure};

/// The figure printed before the timeline.
pub const TIMELINE_CHART: &str = "chart-timeline";
/// Font family used for the text in figures when an edition does not say otherwise.
pub const DEFAULT_FONT: &str = "Noto Sans";

/// Data files figures are drawn from, besides the book's landmarks, timeline and chapters,
/// the files `chapters/geo/sources.toml` lists and the layers `chapters/maps.toml` names.
const DATA_FILES: [&str; 5] = [
    "chapters/railways.toml",
    "chapters/projects-156.toml",
    layers::MAPS_FILE,
    layers::SOURCES,
    layers::PLACES,
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
        for data in data_files(sandbox, book) {
            sandbox
                .read(&data, crate::sandbox::MAX_BINARY_BYTES)
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
    /// Problems that do not stop the build: labels without room, layers too coarse.
    pub warnings: Vec<Diagnostic>,
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
            warnings: self.warnings.clone(),
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

/// A city of the guide, where the places file has it (a GeoNames town centre), else at the
/// mean position of its landmarks.
pub fn cities(book: &Book, places: &[NamedPlace]) -> Vec<Place> {
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
            at: town(places, name).unwrap_or(LonLat::new(lon / n as f64, lat / n as f64)),
            weight: n,
        })
        .collect()
}

/// The position of a city of the places file.
fn town(places: &[NamedPlace], name: &str) -> Option<LonLat> {
    places
        .iter()
        .find(|p| p.kind == PlaceKind::City && p.name == name)
        .map(NamedPlace::at)
}

/// Every file the figures are drawn from: the data files, the geography files the sources
/// list names, and the publisher's layers.
fn data_files(sandbox: &Sandbox, book: &Book) -> Vec<String> {
    let mut files: Vec<String> = DATA_FILES.iter().map(|f| f.to_string()).collect();
    if let Ok(names) = sandbox.list("chapters/geo") {
        files.extend(names.into_iter().map(|n| format!("chapters/geo/{n}")));
    }
    files.extend(book.maps.layers.iter().map(|l| l.file.get_ref().clone()));
    files
}

/// What every map of a book shares: the layers and places, cities, area names, the text
/// measure and the words under each map.
struct Atlas<'a> {
    book: &'a Book,
    style: &'a Style,
    measure: &'a Measure<'a>,
    catalogue: Catalogue,
    cities: Vec<Place>,
    areas: AreaNames,
    /// The projection, printed under every map (with the book's own credit, if any).
    projection: String,
}

impl<'a> Atlas<'a> {
    fn new(
        sandbox: &Sandbox,
        book: &'a Book,
        style: &'a Style,
        measure: &'a Measure<'a>,
    ) -> Result<Self> {
        let catalogue = Catalogue::load(sandbox, book)?;
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
        let mut projection = format!(
            "Lambert conformal conic, {} and {} N",
            degrees(lat1),
            degrees(lat2)
        );
        if let Some(credit) = &maps.credit {
            projection = format!("{projection} · {credit}");
        }
        Ok(Self {
            book,
            style,
            measure,
            cities: cities(book, &catalogue.places),
            catalogue,
            areas,
            projection,
        })
    }

    /// A frame of the figure's full width showing `points` (see [`Frame::fit`]).
    fn frame(&self, points: &[LonLat], pad: f64, min_span_km: f64, ratio: (f64, f64)) -> Frame {
        self.style
            .frame(points, pad, min_span_km, ratio, self.style.width)
    }

    /// The words under a map: what its markers come from, then (added when drawn) the
    /// credits of its data, then the projection.
    fn source(&self, positions: &str, marks_towns: bool) -> String {
        match (&self.catalogue.places_credit, marks_towns) {
            (Some(credit), true) => format!("{positions} ({credit}) · {}", self.projection),
            _ => format!("{positions} · {}", self.projection),
        }
    }

    /// Whether any of these places takes its position from the places file.
    fn uses_places(&self, places: &[Place]) -> bool {
        places
            .iter()
            .any(|p| town(&self.catalogue.places, &p.name) == Some(p.at))
    }

    /// Railway lines of the book: `main` colours the main network's lines and `other` the
    /// rest (dashed when the lines are wide enough to show it); `legend` gives each line its
    /// legend entry.
    fn railway_lines(
        &self,
        main: Role,
        other: Role,
        width: f64,
        legend: LegendOf<'_>,
    ) -> Vec<Line> {
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
                let is_main = is_main(railways, line.network.get_ref());
                let (role, dash) = if is_main {
                    (main, None)
                } else {
                    (other, (width > 0.5).then_some("2 1"))
                };
                Line {
                    points,
                    role,
                    width,
                    dash,
                    legend: legend(line.network.get_ref(), is_main),
                }
            })
            .collect()
    }

    /// The railways drawn on the overview and regional maps, in one colour, with the
    /// legend words of `chapters/maps.toml`.
    fn context_railways(&self) -> Vec<Line> {
        let words = self.book.maps.overview.railways_legend.clone();
        self.railway_lines(Role::Ochre, Role::Ochre, 0.35, &|_, _| {
            words
                .clone()
                .map(|w| (LegendSymbol::Line(Role::Ochre, 0.35, None), w))
        })
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

    /// Cities of the places file that are not cities of the guide, nor among `shown`.
    fn other_towns(&self, shown: &[Place]) -> Vec<Place> {
        self.catalogue
            .places
            .iter()
            .filter(|p| p.kind == PlaceKind::City)
            .filter(|p| !self.cities.iter().chain(shown).any(|c| c.name == p.name))
            .map(|p| Place {
                name: p.text().to_string(),
                at: p.at(),
                weight: 0,
            })
            .collect()
    }

    /// A town named with its country when that is not the country of `city` (a town across
    /// a border river): `Blagoveshchensk (Russia)`.
    fn across_a_border(&self, town: Place, city: &str) -> Place {
        let country = |name: &str| {
            self.catalogue
                .places
                .iter()
                .find(|p| p.kind == PlaceKind::City && (p.name == name || p.text() == name))
                .and_then(|p| p.country.clone())
        };
        match (country(&town.name), country(city)) {
            (Some(theirs), Some(ours)) if theirs != ours => Place {
                name: format!("{} ({})", town.name, country_name(&theirs)),
                ..town
            },
            _ => town,
        }
    }

    /// Islands of the places file that a chapter has a landmark on.
    fn islands_of(&self, chapter: &Chapter) -> Vec<Place> {
        self.catalogue
            .places
            .iter()
            .filter(|p| p.kind == PlaceKind::Island)
            .filter(|p| {
                chapter.meta.landmarks.iter().any(|id| {
                    self.book.landmark(id.get_ref()).is_some_and(|l| {
                        distance_km(p.at(), LonLat::new(*l.lon.get_ref(), *l.lat.get_ref())) < 2.0
                    })
                })
            })
            .map(|p| Place {
                name: p.text().to_string(),
                at: p.at(),
                weight: 0,
            })
            .collect()
    }
}

/// The legend entry of a railway line, from its network's id and whether it is the main one.
type LegendOf<'a> = &'a dyn Fn(&str, bool) -> Option<(LegendSymbol, String)>;

fn is_main(railways: &RailwayFile, network: &str) -> bool {
    railways
        .networks
        .iter()
        .any(|n| n.main && n.id.get_ref() == network)
}

/// The English name of a country of the maps, from its ISO code.
fn country_name(code: &str) -> &str {
    match code {
        "RU" => "Russia",
        "CN" => "China",
        "MN" => "Mongolia",
        "KP" => "North Korea",
        "KR" => "South Korea",
        "KZ" => "Kazakhstan",
        other => other,
    }
}

/// `25°`, `47.5°`.
fn degrees(value: f64) -> String {
    format!("{value}°")
}

/// Draw every figure of the book in `style`, with label boxes measured in its font.
pub fn build(sandbox: &Sandbox, book: &Book, style: &Style) -> Result<Figures> {
    let (fonts, font_warning) = FontFiles::load(sandbox, &style.font);
    let measure = fonts.measure();
    let atlas = Atlas::new(sandbox, book, style, &measure)?;
    let mut figures = Figures::default();
    overview_map(&atlas, &mut figures);
    railway_map(&atlas, &mut figures);
    for part in &book.parts {
        for chapter in &part.chapters {
            regional_map(&atlas, chapter, &mut figures);
        }
    }
    itinerary_maps(&atlas, &mut figures);
    charts::add_all(book, style, &measure, &mut figures);
    check_layers(&atlas.catalogue, &mut figures)?;
    figures.warnings.extend(font_warning);
    for figure in &figures.list {
        for label in &figure.drawn.unplaced {
            figures.warnings.push(Diagnostic::warning(format!(
                "map `{}`: no room for the label `{label}`, which is left out",
                figure.id
            )));
        }
    }
    Ok(figures)
}

/// A publisher's layer must name a map that exists; one too coarse for its map is not
/// drawn, and the build says so.
fn check_layers(catalogue: &Catalogue, figures: &mut Figures) -> Result<()> {
    let ids: Vec<String> = figures.list.iter().map(|f| f.id.clone()).collect();
    if let Some(layer) = catalogue.layers_for_unknown_maps(&ids).next() {
        let (file, range) = layer
            .entry
            .clone()
            .expect("a publisher's layer has an entry");
        let maps: Vec<&str> = ids
            .iter()
            .filter(|i| i.starts_with("map-"))
            .map(String::as_str)
            .collect();
        return Err(Diagnostic::error(format!(
            "no map `{}` to draw the layer {} on",
            layer.map.as_deref().unwrap_or_default(),
            layer.label
        ))
        .at(&file, range)
        .with_note(format!("maps are: {}", maps.join(", ")))
        .into());
    }
    for layer in catalogue.sources.iter().filter(|s| s.map.is_some()) {
        let Some(frame) = figures
            .get(layer.map.as_deref().unwrap_or_default())
            .and_then(|f| f.drawn.frame)
        else {
            continue;
        };
        let tolerance = frame.metres_per_print_mm();
        if layer.accuracy_m > tolerance {
            let (file, range) = layer
                .entry
                .clone()
                .expect("a publisher's layer has an entry");
            figures.warnings.push(
                Diagnostic::warning(format!(
                    "the layer {} is not drawn: its positions are good to {} m, and a millimetre of this map is {:.0} m",
                    layer.label, layer.accuracy_m, tolerance
                ))
                .at(&file, range),
            );
        }
    }
    Ok(())
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
    let frame = atlas.frame(&extent, 0.03, 0.0, (0.7, 0.95));
    let railways = atlas.context_railways();
    let mut places = cities.clone();
    places.extend(atlas.railway_context());
    let legend = [
        (
            LegendSymbol::Dot(Role::Accent),
            "City with landmarks in this guide",
        ),
        (LegendSymbol::Dot(Role::Muted), "Other city"),
    ];
    let source = atlas.source(
        "Cities: town centres, else the mean position of their landmarks",
        atlas.uses_places(cities),
    );
    let drawn = compose::small_scale_map(
        &atlas.catalogue,
        frame,
        atlas.style,
        atlas.measure,
        &SmallScale {
            id: "map-overview",
            source: &source,
            places: &places,
            highlight: &|p| cities.iter().any(|c| c.name == p.name),
            islands: &[],
            context: &[],
            lines: &railways,
            legend: &legend,
            areas: &atlas.areas,
            insets: false,
        },
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
    let network_names: HashMap<&str, &str> = railways
        .networks
        .iter()
        .map(|n| (n.id.get_ref().as_str(), n.name.as_str()))
        .collect();
    let lines = atlas.railway_lines(Role::Accent, Role::Ink, 0.9, &|network, main| {
        let symbol = if main {
            LegendSymbol::Line(Role::Accent, 0.9, None)
        } else {
            LegendSymbol::Line(Role::Ink, 0.9, Some("2 1"))
        };
        network_names.get(network).map(|n| (symbol, n.to_string()))
    });
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
            length_km(&pts)
        })
        .sum();
    let legend = [(
        LegendSymbol::Dot(Role::Accent),
        "City with landmarks in this guide",
    )];
    let frame = atlas.frame(&extent, 0.05, 0.0, (0.7, 1.1));
    let source = atlas.source("Stations and lines as this guide gives them", false);
    let drawn = compose::small_scale_map(
        &atlas.catalogue,
        frame,
        atlas.style,
        atlas.measure,
        &SmallScale {
            id: "map-railways",
            source: &source,
            places: &places,
            highlight: &|p| p.weight > 0,
            islands: &[],
            context: &[],
            lines: &lines,
            legend: &legend,
            areas: &atlas.areas,
            insets: false,
        },
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

/// The length of a polyline along great circles, in kilometres.
pub fn length_km(points: &[LonLat]) -> f64 {
    points.windows(2).map(|w| distance_km(w[0], w[1])).sum()
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
    let frame = atlas.frame(&extent, 0.18, 350.0, (0.62, 1.0));
    let legend = [
        (LegendSymbol::Dot(Role::Accent), "City in this chapter"),
        (LegendSymbol::Dot(Role::Muted), "Other city in this guide"),
    ];
    let id = format!("map-region-{}", chapter.slug);
    let source = atlas.source(
        "Cities: town centres, else the mean position of their landmarks",
        atlas.uses_places(&atlas.cities),
    );
    let drawn = compose::small_scale_map(
        &atlas.catalogue,
        frame,
        atlas.style,
        atlas.measure,
        &SmallScale {
            id: &id,
            source: &source,
            places: &atlas.cities,
            highlight: &|p| mine.iter().any(|m| m.name == p.name),
            islands: &atlas.islands_of(chapter),
            context: &atlas.other_towns(&[]),
            lines: &atlas.context_railways(),
            legend: &legend,
            areas: &atlas.areas,
            insets: true,
        },
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
        id,
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
            let base_id = format!("map-itinerary-{}", slug(&itinerary.city));
            let n = used.entry(base_id.clone()).or_default();
            *n += 1;
            let id = if *n == 1 {
                base_id
            } else {
                format!("{base_id}-{n}")
            };
            let others = nearby_landmarks(book, itinerary, &stops);
            let towns: Vec<Place> = atlas
                .other_towns(&[])
                .into_iter()
                .chain(atlas.cities.iter().cloned())
                .filter(|t| t.name != itinerary.city)
                .map(|t| atlas.across_a_border(t, &itinerary.city))
                .collect();
            let source = atlas.source("Positions as the landmark entries give them", false);
            let drawn = compose::city_map(
                &atlas.catalogue,
                atlas.style,
                atlas.measure,
                &CityMap {
                    id: &id,
                    source: &source,
                    stops: &stops,
                    others: &others,
                    context: &towns,
                },
            );
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
            let water = water_words(&drawn);
            figures.add(
                id.clone(),
                FigureKind::Map,
                drawn,
                format!("{} — the stops in route order", itinerary.title),
                format!(
                    "Map of {} with the itinerary's stops numbered in route order: {}.{insets}{water}",
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

/// What the alt text says of the water a city map names.
fn water_words(drawn: &DrawnMap) -> String {
    let mut names: Vec<&str> = drawn.water_names.iter().map(|(n, _)| n.as_str()).collect();
    names.dedup();
    match names.len() {
        0 => String::new(),
        1 => format!(" The map names the {}.", names[0]),
        n => format!(
            " The map names the {} and the {}.",
            names[..n - 1].join(", the "),
            names[n - 1]
        ),
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

/// Report the figures' own warnings, and check the `figures` lists of chapter front matter
/// against the figures that exist.
pub fn check_placements(book: &Book, figures: &Figures, sink: &mut Sink) {
    for warning in &figures.warnings {
        sink.push(warning.clone());
    }
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
