//! The layers a map draws and where their data comes from: the base geography listed in
//! `chapters/geo/sources.toml` (each source with its stated accuracy, extent and credit), the
//! layers a publisher adds with `[[layer]]` in `chapters/maps.toml`, and the named places of
//! `chapters/geo/places.toml`. A map draws a source only where its error stays under a
//! millimetre at the map's printed scale, and of the sources fine enough, the coarsest.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use crate::content::load::{parse_toml, span_of};
use crate::content::model::{Book, MapLayerKind};
use crate::diagnostics::{Diagnostic, Result, SourceFile};
use crate::figures::frame::Frame;
use crate::figures::geo::{Feature, LonLat, Shape, geojson, topojson};
use crate::sandbox::{MAX_BINARY_BYTES, Sandbox, decode_text};

/// The list of base geography files, with what each holds and how accurate it is.
pub const SOURCES: &str = "chapters/geo/sources.toml";
/// Named places for the maps: cities, islands, seas, lakes, river labels.
pub const PLACES: &str = "chapters/geo/places.toml";
/// Where a publisher's layers are named.
pub const MAPS_FILE: &str = "chapters/maps.toml";

/// What a layer's features are; each kind is drawn in its own style, in an SVG group of its
/// class, in this order from the bottom up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Land,
    Built,
    Green,
    Water,
    Province,
    Border,
    Street,
    Rail,
}

impl Kind {
    /// The SVG class of the layer (a designer's CSS in the EPUB addresses it).
    pub fn class(self) -> &'static str {
        match self {
            Kind::Land => "land",
            Kind::Built => "built",
            Kind::Green => "green",
            Kind::Water => "water",
            Kind::Province | Kind::Border => "boundary",
            Kind::Street => "street",
            Kind::Rail => "rail",
        }
    }

    /// What the map's note calls features of this kind it cannot draw.
    pub fn missing(self) -> &'static str {
        match self {
            Kind::Land => "the coastline",
            Kind::Water => "river courses and banks",
            Kind::Border => "the border",
            Kind::Province => "provincial boundaries",
            Kind::Street => "streets",
            Kind::Rail => "railway lines",
            Kind::Green => "parks",
            Kind::Built => "built-up areas",
        }
    }
}

impl From<MapLayerKind> for Kind {
    fn from(kind: MapLayerKind) -> Self {
        match kind {
            MapLayerKind::Water => Kind::Water,
            MapLayerKind::Street => Kind::Street,
            MapLayerKind::Rail => Kind::Rail,
            MapLayerKind::Green => Kind::Green,
            MapLayerKind::Built => Kind::Built,
        }
    }
}

/// `chapters/geo/sources.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SourcesFile {
    #[serde(rename = "source", default)]
    sources: Vec<SourceEntry>,
}

/// One object of one geography file, as `sources.toml` describes it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceEntry {
    /// The TopoJSON file, relative to the project root.
    file: Spanned<String>,
    /// The object of the topology that holds the features.
    object: Spanned<String>,
    kind: Kind,
    /// How far, in metres, a drawn line of this data may lie from the truth.
    accuracy_m: f64,
    /// West-south and east-north corners of the area the data covers completely.
    #[serde(default)]
    extent: Option<[[f64; 2]; 2]>,
    /// Printed under every map that draws it.
    credit: String,
}

/// Features of one kind from one file, with their accuracy and credit.
#[derive(Debug, Clone)]
pub struct Source {
    /// The file (and object) it comes from, for messages.
    pub label: String,
    pub kind: Kind,
    pub features: Vec<Feature>,
    /// Each feature's bounding box, west-south and east-north.
    bounds: Vec<(LonLat, LonLat)>,
    pub accuracy_m: f64,
    /// The area the data covers completely; a publisher's layer covers what it covers.
    pub extent: Option<(LonLat, LonLat)>,
    pub credit: Option<String>,
    /// The map a publisher's layer belongs to; base sources serve every map.
    pub map: Option<String>,
    /// Where a publisher named the layer.
    pub entry: Option<(SourceFile, Range<usize>)>,
}

impl Source {
    /// A source of `features`.
    fn new(label: String, kind: Kind, features: Vec<Feature>, accuracy_m: f64) -> Self {
        let bounds = features.iter().map(bounds_of).collect();
        Self {
            label,
            kind,
            features,
            bounds,
            accuracy_m,
            extent: None,
            credit: None,
            map: None,
            entry: None,
        }
    }

    /// The features whose bounding boxes reach into a frame's bounds.
    pub fn in_frame<'a>(
        &'a self,
        bounds: &(LonLat, LonLat),
    ) -> impl Iterator<Item = &'a Feature> + 'a {
        let (sw, ne) = *bounds;
        self.features
            .iter()
            .zip(&self.bounds)
            .filter(move |(_, (a, b))| {
                a.lon <= ne.lon && b.lon >= sw.lon && a.lat <= ne.lat && b.lat >= sw.lat
            })
            .map(|(f, _)| f)
    }

    /// Whether the source covers every part of a frame's bounds.
    fn covers(&self, bounds: &(LonLat, LonLat)) -> bool {
        self.extent.is_none_or(|(sw, ne)| {
            sw.lon <= bounds.0.lon
                && sw.lat <= bounds.0.lat
                && ne.lon >= bounds.1.lon
                && ne.lat >= bounds.1.lat
        })
    }
}

/// West-south and east-north corners of a feature.
fn bounds_of(feature: &Feature) -> (LonLat, LonLat) {
    let (mut sw, mut ne) = (
        LonLat::new(f64::MAX, f64::MAX),
        LonLat::new(f64::MIN, f64::MIN),
    );
    for p in feature.points() {
        sw = LonLat::new(sw.lon.min(p.lon), sw.lat.min(p.lat));
        ne = LonLat::new(ne.lon.max(p.lon), ne.lat.max(p.lat));
    }
    (sw, ne)
}

/// What a place of `places.toml` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlaceKind {
    City,
    Island,
    Sea,
    Lake,
    /// A point on a river where its name may be written.
    RiverLabel,
}

/// How well a position is known, with the meaning `landmarks.toml` gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    Building,
    Street,
    District,
}

impl Precision {
    /// The largest error, in metres, of a position of this precision.
    pub fn metres(self) -> f64 {
        match self {
            Precision::Building => 50.0,
            Precision::Street => 300.0,
            Precision::District => 3000.0,
        }
    }
}

/// A named place for the maps (`[[place]]` of `places.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedPlace {
    pub name: String,
    pub kind: PlaceKind,
    pub lat: f64,
    pub lon: f64,
    pub precision: Precision,
    /// The words written on the map when they differ from `name`.
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub name_zh: Option<String>,
    #[serde(default)]
    pub name_ru: Option<String>,
    /// ISO country code of a city.
    #[serde(default)]
    pub country: Option<String>,
    pub source: String,
}

impl NamedPlace {
    /// Where the place is.
    pub fn at(&self) -> LonLat {
        LonLat::new(self.lon, self.lat)
    }

    /// The words written on the map.
    pub fn text(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.name)
    }
}

/// `chapters/geo/places.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlacesFile {
    #[serde(rename = "place", default)]
    places: Vec<NamedPlace>,
    /// Who to credit for the places (printed under maps that mark one of its cities).
    #[serde(default)]
    credit: Option<String>,
}

/// Every source a book's maps may draw, and its named places.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    pub sources: Vec<Source>,
    pub places: Vec<NamedPlace>,
    /// The credit of the places' cities, when a map marks one.
    pub places_credit: Option<String>,
}

/// What a map draws of the catalogue.
#[derive(Debug, Default)]
pub struct Selection<'a> {
    /// Each source drawn, with its features that reach into the frame.
    pub drawn: Vec<(&'a Source, Vec<&'a Feature>)>,
    /// Kinds present in the frame in some source, none of them accurate enough to draw.
    pub too_coarse: Vec<Kind>,
}

impl Catalogue {
    /// Read the base sources, the publisher's layers and the places of a book.
    pub fn load(sandbox: &Sandbox, book: &Book) -> Result<Self> {
        let mut catalogue = Catalogue::default();
        if sandbox.exists(SOURCES) {
            let file = sandbox.read_text(SOURCES)?;
            let listed: SourcesFile = parse_toml(&file, &file.text, 0)?;
            let mut decoded: HashMap<String, BTreeMap<String, Vec<Feature>>> = HashMap::new();
            for entry in listed.sources {
                catalogue
                    .sources
                    .push(base_source(sandbox, &file, entry, &mut decoded)?);
            }
        }
        if !book.maps.layers.is_empty() {
            let file = sandbox.read_text(MAPS_FILE)?;
            for layer in &book.maps.layers {
                let path = layer.file.get_ref();
                let features = read_geojson(sandbox, path)
                    .map_err(|e| e.with_entry(&file, span_of(&layer.file, 0)))?;
                let mut source = Source::new(
                    path.clone(),
                    layer.kind.into(),
                    features,
                    *layer.accuracy_m.get_ref(),
                );
                source.credit.clone_from(&layer.credit);
                source.map = Some(layer.map.get_ref().clone());
                source.entry = Some((file.clone(), span_of(&layer.map, 0)));
                catalogue.sources.push(source);
            }
        }
        if sandbox.exists(PLACES) {
            let file = sandbox.read_text(PLACES)?;
            let places: PlacesFile = parse_toml(&file, &file.text, 0)?;
            catalogue.places = places.places;
            catalogue.places_credit = places.credit;
        }
        Ok(catalogue)
    }

    /// The sources a map draws: of each kind, those that cover the frame and whose accuracy
    /// is within a printed millimetre, the coarsest of them (land, borders and provinces
    /// from one source; named water from the coarsest source that has it); and a
    /// publisher's layers for this map.
    pub fn select(&self, frame: &Frame, map: Option<&str>) -> Selection<'_> {
        let bounds = frame.bounds();
        let tolerance = frame.metres_per_print_mm();
        let mut selection = Selection::default();
        let mine = |s: &&Source| s.map.is_none() || s.map.as_deref() == map;
        let mut kinds: Vec<Kind> = self.sources.iter().filter(mine).map(|s| s.kind).collect();
        kinds.sort();
        kinds.dedup();
        for kind in kinds {
            let mut present: Vec<&Source> = self
                .sources
                .iter()
                .filter(mine)
                .filter(|s| s.kind == kind && s.in_frame(&bounds).next().is_some())
                .collect();
            // Coarsest first.
            present.sort_by(|a, b| b.accuracy_m.total_cmp(&a.accuracy_m));
            let fine: Vec<&Source> = present
                .iter()
                .copied()
                .filter(|s| s.accuracy_m <= tolerance && s.covers(&bounds))
                .collect();
            if fine.is_empty() {
                if present
                    .iter()
                    .any(|s| s.map.is_none() && kind_shows(s, frame))
                {
                    selection.too_coarse.push(kind);
                }
                continue;
            }
            let single = matches!(kind, Kind::Land | Kind::Border | Kind::Province);
            let mut named: Vec<&str> = Vec::new();
            for (i, source) in fine.iter().enumerate() {
                if single && i > 0 && source.map.is_none() {
                    continue;
                }
                let features: Vec<&Feature> = source
                    .in_frame(&bounds)
                    .filter(|f| match (&f.name, source.map.is_none()) {
                        // A named river comes from the coarsest source fine enough that has it.
                        (Some(name), true) => !named.contains(&name.as_str()),
                        _ => true,
                    })
                    .collect();
                named.extend(features.iter().filter_map(|f| f.name.as_deref()));
                if !features.is_empty() {
                    selection.drawn.push((source, features));
                }
            }
        }
        selection
    }

    /// A publisher's layers that name a map that does not exist.
    pub fn layers_for_unknown_maps<'a>(
        &'a self,
        maps: &'a [String],
    ) -> impl Iterator<Item = &'a Source> + 'a {
        self.sources
            .iter()
            .filter(move |s| s.map.as_ref().is_some_and(|m| !maps.contains(m)))
    }
}

/// Whether a source that is too coarse to draw would show something of its kind in the frame:
/// a line, or for areas an edge (an inland frame is all land, whatever the accuracy).
fn kind_shows(source: &Source, frame: &Frame) -> bool {
    let bounds = frame.bounds();
    let rect = frame.rect();
    let (sw, ne) = bounds;
    let meets = |line: &[LonLat]| {
        line.windows(2).any(|w| {
            // Only a segment near the frame's bounds is projected and tested.
            let near = w[0].lon.min(w[1].lon) <= ne.lon
                && w[0].lon.max(w[1].lon) >= sw.lon
                && w[0].lat.min(w[1].lat) <= ne.lat
                && w[0].lat.max(w[1].lat) >= sw.lat;
            near && {
                let (a, b) = (frame.point(w[0]), frame.point(w[1]));
                rect.meets_segment(a.0, a.1, b.0, b.1)
            }
        })
    };
    source.in_frame(&bounds).any(|f| match &f.shape {
        Shape::Lines(lines) => lines.iter().any(|l| meets(l)),
        Shape::Areas(areas) => areas.iter().flatten().any(|ring| meets(ring)),
    })
}

/// One `[[source]]` of `sources.toml`, its file decoded once however many entries name it.
fn base_source(
    sandbox: &Sandbox,
    list: &SourceFile,
    entry: SourceEntry,
    decoded: &mut HashMap<String, BTreeMap<String, Vec<Feature>>>,
) -> Result<Source> {
    let path = entry.file.get_ref().clone();
    if !decoded.contains_key(&path) {
        let bytes = sandbox.read(&path, MAX_BINARY_BYTES).map_err(|denied| {
            Diagnostic::error(format!("cannot read {path}: {denied}"))
                .at(list, span_of(&entry.file, 0))
        })?;
        let file = decode_text(&path, bytes)?;
        decoded.insert(path.clone(), topojson::decode(&file)?);
    }
    let objects = &decoded[&path];
    let object = entry.object.get_ref();
    let Some(features) = objects.get(object) else {
        let known: Vec<&str> = objects.keys().map(String::as_str).collect();
        return Err(
            Diagnostic::error(format!("{path} has no object `{object}`"))
                .at(list, span_of(&entry.object, 0))
                .with_note(format!("its objects are: {}", known.join(", ")))
                .into(),
        );
    };
    let mut source = Source::new(
        format!("{path} ({object})"),
        entry.kind,
        features.clone(),
        entry.accuracy_m,
    );
    source.extent = entry
        .extent
        .map(|[[w, s], [e, n]]| (LonLat::new(w, s), LonLat::new(e, n)));
    source.credit = Some(entry.credit);
    Ok(source)
}

/// A GeoJSON layer file, read through the sandbox.
fn read_geojson(sandbox: &Sandbox, path: &str) -> std::result::Result<Vec<Feature>, LayerError> {
    let bytes = sandbox
        .read(path, MAX_BINARY_BYTES)
        .map_err(|denied| LayerError::Unreadable(format!("cannot read {path}: {denied}")))?;
    let file = decode_text(path, bytes).map_err(LayerError::Located)?;
    geojson::decode(&file).map_err(LayerError::Located)
}

/// Why a publisher's layer could not be read: a problem inside the file is located there,
/// a file that cannot be read at the entry that names it.
enum LayerError {
    Unreadable(String),
    Located(crate::diagnostics::Error),
}

impl LayerError {
    /// The error, located at the layer's entry when the file itself has no position.
    fn with_entry(self, file: &SourceFile, range: Range<usize>) -> crate::diagnostics::Error {
        match self {
            LayerError::Unreadable(message) => Diagnostic::error(message).at(file, range).into(),
            LayerError::Located(error) => error,
        }
    }
}
