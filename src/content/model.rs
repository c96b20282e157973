//! The book as data: serde types for everything an editor writes, unknown fields refused.

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::content::images::ImageStore;
use crate::diagnostics::{Diagnostic, SourceFile};

/// `chapters/book.toml`: the book's metadata and the order of its chapters.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookMeta {
    pub title: String,
    #[serde(default)]
    pub subtitle: Option<String>,
    pub authors: Vec<String>,
    /// BCP 47 language tag of the text, e.g. `en`.
    pub language: Spanned<String>,
    /// ISBN or `urn:uuid:…`, stable across editions and builds.
    pub identifier: Spanned<String>,
    pub publisher: String,
    pub rights: String,
    pub description: String,
    #[serde(default)]
    pub keywords: Vec<String>,
    /// File name stem of every output, e.g. `friendship-years`.
    pub slug: Spanned<String>,
    /// Edition built when `build` is run without `--edition` or `--all`.
    pub default_edition: Spanned<String>,
    /// Hayagriva YAML file inside `chapters/`.
    #[serde(default)]
    pub bibliography: Option<String>,
    /// Typst citation style name, e.g. `chicago-author-date`.
    #[serde(default = "default_citation_style")]
    pub citation_style: Spanned<String>,
    /// Unnumbered chapters before Part I (preface, how to use the guide …), by slug.
    #[serde(default)]
    pub front: Vec<Spanned<String>>,
    #[serde(rename = "part")]
    pub parts: Vec<PartMeta>,
    /// Lines for the copyright page crediting data and fonts.
    #[serde(default)]
    pub credits: Vec<String>,
    /// The ISBN-13 of the printed book (its check digit is checked); the covers print it as
    /// an EAN-13 barcode.
    #[serde(default)]
    pub isbn: Option<Spanned<String>>,
    /// The imprint the book appears under, when it is not the publisher's name.
    #[serde(default)]
    pub imprint: Option<String>,
    /// The edition statement of the copyright page, e.g. `First published 2026`.
    #[serde(default)]
    pub edition_statement: Option<String>,
    /// The printing line, e.g. `10 9 8 7 6 5 4 3 2 1`.
    #[serde(default)]
    pub printing: Option<String>,
    /// Who printed the book, for the copyright page.
    #[serde(default)]
    pub printer: Option<String>,
    /// The text on the back cover (plain text; a blank line starts a paragraph).
    #[serde(default)]
    pub blurb: Option<String>,
    /// The publication date (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`) the copyright page prints;
    /// without it, the build date (`SOURCE_DATE_EPOCH`).
    #[serde(default)]
    pub published: Option<Spanned<String>>,
    /// The print edition whose page numbers the EPUB carries (page breaks and a page list),
    /// or `"none"`; without it, `trade` when the project has that edition.
    #[serde(default)]
    pub epub_page_numbers: Option<Spanned<String>>,
}

fn default_citation_style() -> Spanned<String> {
    Spanned::new(0..0, "chicago-author-date".into())
}

/// A part of the book: a title and its chapters by slug.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartMeta {
    pub title: String,
    #[serde(default)]
    pub summary: Option<String>,
    pub chapters: Vec<Spanned<String>>,
}

/// The TOML front matter of a chapter file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub title: String,
    #[serde(default)]
    pub subtitle: Option<String>,
    #[serde(default)]
    pub period: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
    /// Landmark entries printed with this chapter, in order.
    #[serde(default)]
    pub landmarks: Vec<Spanned<String>>,
    /// Main works for the chapter (bibliography keys).
    #[serde(default)]
    pub sources: Vec<Spanned<String>>,
    #[serde(default, rename = "sidebar")]
    pub sidebars: Vec<Sidebar>,
    #[serde(default, rename = "quote")]
    pub quotes: Vec<Quote>,
    #[serde(default, rename = "itinerary")]
    pub itineraries: Vec<Itinerary>,
    /// Generated figures (maps, charts) printed at the start of the chapter, by id.
    #[serde(default)]
    pub figures: Vec<Spanned<String>>,
    /// Subjects the whole chapter treats: the index gives its first to last page.
    #[serde(default)]
    pub index: Vec<Spanned<String>>,
}

/// The kinds of boxed aside a chapter may carry.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum SidebarKind {
    People,
    Object,
    Film,
    Song,
    DidYouKnow,
    Place,
}

impl SidebarKind {
    /// The label printed above the sidebar.
    pub fn label(self) -> &'static str {
        match self {
            Self::People => "People",
            Self::Object => "Objects",
            Self::Film => "Film",
            Self::Song => "Song",
            Self::DidYouKnow => "Did you know?",
            Self::Place => "Place",
        }
    }
}

/// A boxed aside: a person, an object, a film or a song.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sidebar {
    pub kind: SidebarKind,
    /// One line of Markdown (a film's title in italics).
    pub title: Spanned<String>,
    /// Markdown.
    pub text: Spanned<String>,
}

/// A short, sourced quotation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quote {
    pub text: String,
    pub attribution: String,
    #[serde(default)]
    pub source: Option<Spanned<String>>,
}

/// How an itinerary is travelled.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum TravelMode {
    Walk,
    Day,
}

/// A route through a city's landmarks.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Itinerary {
    pub title: String,
    pub city: String,
    pub mode: TravelMode,
    /// Markdown.
    pub intro: Spanned<String>,
    #[serde(rename = "stop")]
    pub stops: Vec<Stop>,
}

/// One stop of an itinerary.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stop {
    pub landmark: Spanned<String>,
    /// Markdown.
    pub note: Spanned<String>,
    /// Distance from the previous stop along the route, in kilometres.
    #[serde(default)]
    pub distance_km: Option<f64>,
}

/// `chapters/landmarks.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LandmarkFile {
    #[serde(rename = "landmark")]
    pub landmarks: Vec<Landmark>,
}

/// What survives of a landmark today.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Extant,
    Altered,
    Demolished,
    Rebuilt,
}

impl Status {
    /// Lower-case name as written in the data.
    pub fn name(self) -> &'static str {
        match self {
            Self::Extant => "extant",
            Self::Altered => "altered",
            Self::Demolished => "demolished",
            Self::Rebuilt => "rebuilt",
        }
    }
}

/// How precisely the coordinates locate the landmark.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Precision {
    Building,
    Street,
    District,
    City,
}

/// A surviving (or vanished) place of the era.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Landmark {
    pub id: Spanned<String>,
    pub name: String,
    pub name_zh: String,
    pub pinyin: String,
    #[serde(default)]
    pub name_ru: Option<String>,
    pub city: String,
    pub province: String,
    pub lat: Spanned<f64>,
    pub lon: Spanned<f64>,
    pub precision: Precision,
    pub built: String,
    #[serde(default)]
    pub designer: Option<String>,
    pub style: String,
    pub status: Status,
    pub address: String,
    /// Markdown.
    pub visiting: Spanned<String>,
    /// Markdown.
    pub description: Spanned<String>,
    pub sources: Vec<Spanned<String>>,
}

/// `chapters/timeline.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimelineFile {
    #[serde(rename = "event")]
    pub events: Vec<Event>,
}

/// A dated event of the era.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub date: Spanned<String>,
    pub title: String,
    /// Markdown.
    pub text: Spanned<String>,
    pub sources: Vec<Spanned<String>>,
}

/// `chapters/glossary.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlossaryFile {
    #[serde(rename = "term")]
    pub terms: Vec<Term>,
}

/// A glossary entry in English, Chinese and Russian.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub en: String,
    pub zh: String,
    pub pinyin: String,
    #[serde(default)]
    pub ru: Option<String>,
    pub note: String,
}

/// `chapters/people.toml`: the people the index lists.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeopleFile {
    #[serde(rename = "person")]
    pub people: Vec<Person>,
}

/// A person of the era, indexed wherever the text names them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub name: String,
    #[serde(default)]
    pub zh: Option<String>,
    #[serde(default)]
    pub ru: Option<String>,
    /// Other forms of the name in the text, e.g. the surname alone.
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// `chapters/index.toml`: the subjects of the index, and other names under which places and
/// landmarks are indexed. People's other names are in `chapters/people.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexFile {
    #[serde(default, rename = "term")]
    pub terms: Vec<IndexTerm>,
    #[serde(default, rename = "place")]
    pub places: Vec<IndexPlace>,
    #[serde(default, rename = "landmark")]
    pub landmarks: Vec<IndexLandmark>,
}

/// A subject: indexed wherever the text uses its name or an alias, marks it with an
/// `index:` link, or a chapter names it in its front matter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexTerm {
    pub name: Spanned<String>,
    /// Other forms in the text, indexed under `name`.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// A cross-entry only: "Manchuria, see Northeast".
    #[serde(default)]
    pub see: Option<Spanned<String>>,
    /// Related entries: "see also …".
    #[serde(default)]
    pub see_also: Vec<Spanned<String>>,
}

/// A place beyond the cities and provinces of the landmarks, or other names of one of them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexPlace {
    pub name: Spanned<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub see_also: Vec<Spanned<String>>,
}

/// Other names of a landmark in the text, indexed under the landmark's name.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexLandmark {
    pub id: Spanned<String>,
    pub aliases: Vec<String>,
}

/// A chapter: its file, slug, front matter and Markdown body.
#[derive(Debug, Clone)]
pub struct Chapter {
    /// The file name without `NN-` and `.md`, used in `chapter:` links.
    pub slug: String,
    pub file: SourceFile,
    pub meta: FrontMatter,
    /// Byte offset of the front matter's TOML inside the file (spans in `meta` are relative to it).
    pub meta_offset: usize,
    /// Byte offset of the body inside the file, so body diagnostics point at the right line.
    pub body_offset: usize,
    pub body: String,
}

/// A part of the book with its loaded chapters.
#[derive(Debug, Clone)]
pub struct Part {
    pub title: String,
    pub summary: Option<String>,
    pub chapters: Vec<Chapter>,
}

/// Everything under `chapters/`, loaded and cross-checked.
#[derive(Debug, Clone)]
pub struct Book {
    pub meta: BookMeta,
    pub meta_file: SourceFile,
    pub front: Vec<Chapter>,
    pub parts: Vec<Part>,
    pub landmarks: Vec<Landmark>,
    pub landmarks_file: SourceFile,
    pub events: Vec<Event>,
    pub timeline_file: SourceFile,
    pub glossary: Vec<Term>,
    pub glossary_file: Option<SourceFile>,
    pub people: Vec<Person>,
    pub people_file: Option<SourceFile>,
    /// `chapters/index.toml`, when present: subjects and other names of places and landmarks.
    pub index: IndexFile,
    pub index_file: Option<SourceFile>,
    /// Bibliography keys with the file they come from.
    pub bibliography: Option<Bibliography>,
    /// `chapters/railways.toml`, when present: lines drawn on the railway map.
    pub railways: Option<(RailwayFile, SourceFile)>,
    /// `chapters/projects-156.toml`, when present: the data of the 156-projects charts.
    pub projects: Option<(ProjectsFile, SourceFile)>,
    /// `chapters/maps.toml`, when present: names, frames and words of the figures.
    pub maps: MapsFile,
    /// Problems that do not stop the build (e.g. a chapter file not listed in book.toml).
    pub warnings: Vec<Diagnostic>,
    /// The pictures the chapters use, validated on first use.
    pub images: ImageStore,
}

/// The bibliography file and the keys it defines.
#[derive(Debug, Clone)]
pub struct Bibliography {
    /// Path relative to the project root, e.g. `chapters/references.yml`.
    pub path: String,
    pub keys: Vec<String>,
}

impl Book {
    /// Every chapter in reading order, front matter first.
    pub fn chapters(&self) -> impl Iterator<Item = &Chapter> {
        self.front
            .iter()
            .chain(self.parts.iter().flat_map(|p| p.chapters.iter()))
    }

    /// The landmark with this id.
    pub fn landmark(&self, id: &str) -> Option<&Landmark> {
        self.landmarks.iter().find(|l| l.id.get_ref() == id)
    }

    /// The file name stem of every output, e.g. `friendship-years`.
    pub fn slug(&self) -> &str {
        self.meta.slug.get_ref()
    }
}

/// `chapters/railways.toml`: railway lines as ordered stations with real coordinates.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RailwayFile {
    /// The railway systems the lines belong to, for the map's legend.
    #[serde(rename = "network")]
    pub networks: Vec<RailwayNetwork>,
    #[serde(rename = "line")]
    pub lines: Vec<RailwayLine>,
}

/// One railway line, drawn through its stations in order.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RailwayLine {
    pub id: Spanned<String>,
    pub name: String,
    /// Id of the `[[network]]` the line belongs to.
    pub network: Spanned<String>,
    /// Opening of the line, as text.
    pub opened: String,
    pub sources: Vec<Spanned<String>>,
    #[serde(rename = "station")]
    pub stations: Vec<Station>,
}

/// A railway system, named in the map's legend.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RailwayNetwork {
    pub id: Spanned<String>,
    /// The legend's words for its lines.
    pub name: String,
    /// The network the map is about: drawn solid in the accent colour, and its length given
    /// in the map's text alternative; the others are drawn dashed.
    #[serde(default)]
    pub main: bool,
}

/// A station on a railway line.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Station {
    pub name: String,
    pub lat: Spanned<f64>,
    pub lon: Spanned<f64>,
    /// Whether the map labels this station.
    #[serde(default)]
    pub label: bool,
}

/// `chapters/projects-156.toml`: counts behind the 156-projects charts, with sources.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectsFile {
    pub note: String,
    pub sources: Vec<Spanned<String>>,
    #[serde(rename = "batch")]
    pub batches: Vec<Count>,
    #[serde(rename = "sector")]
    pub sectors: Vec<Count>,
}

/// One bar of a chart: a label and a count, with an optional breakdown.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Count {
    pub label: String,
    pub count: Spanned<u32>,
    #[serde(default)]
    pub detail: Option<String>,
}

/// What a figure is: a map (listed under Maps) or a chart (listed under Figures).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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

/// `chapters/maps.toml`: what the book's maps and charts show beyond the data they are drawn
/// from: the projection, the overview's frame, names of countries, seas and provinces, and
/// the words printed with figures. Coordinates are WGS84 longitude and latitude in degrees.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapsFile {
    #[serde(default)]
    pub projection: Projection,
    /// Where the base geography comes from, printed under every map.
    #[serde(default)]
    pub credit: Option<String>,
    #[serde(default)]
    pub overview: OverviewMap,
    #[serde(default)]
    pub railways: RailwayMap,
    #[serde(default)]
    pub charts: Charts,
    /// Countries and seas written across the small-scale maps.
    #[serde(default, rename = "area")]
    pub areas: Vec<AreaName>,
    /// Provinces named on the regional maps.
    #[serde(default, rename = "province")]
    pub provinces: Vec<ProvinceName>,
    /// GeoJSON layers a map draws besides the base geography (streets, parks, water).
    #[serde(default, rename = "layer")]
    pub layers: Vec<MapLayer>,
}

/// A GeoJSON file of streets, railways, parks, buildings or water drawn on one map.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapLayer {
    /// Id of the map that draws it, e.g. `map-itinerary-harbin`.
    pub map: Spanned<String>,
    /// The GeoJSON file, relative to the project root.
    pub file: Spanned<String>,
    /// What its features are; each kind is drawn in its own style and SVG class.
    pub kind: MapLayerKind,
    /// How far, in metres, a position in the file may lie from the truth.
    #[serde(default = "default_layer_accuracy")]
    pub accuracy_m: Spanned<f64>,
    /// The credit printed under the map, e.g. `© OpenStreetMap contributors`.
    #[serde(default)]
    pub credit: Option<String>,
}

/// An OpenStreetMap export is good to a few metres.
fn default_layer_accuracy() -> Spanned<f64> {
    Spanned::new(0..0, 10.0)
}

/// The kinds of features a publisher's map layer holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MapLayerKind {
    /// Rivers, canals (lines) and lakes, river areas, the sea (areas).
    Water,
    Street,
    Rail,
    /// Parks and other green spaces.
    Green,
    /// Built-up areas and buildings.
    Built,
}

/// A Lambert conformal conic projection: two standard parallels and an origin.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Projection {
    /// Standard parallels, degrees north.
    pub parallels: [f64; 2],
    /// Longitude and latitude of the origin.
    pub origin: [f64; 2],
}

impl Default for Projection {
    fn default() -> Self {
        Self {
            parallels: [25.0, 47.0],
            origin: [115.0, 35.0],
        }
    }
}

/// The map of every city of the book.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverviewMap {
    /// Points (longitude, latitude) the frame always shows, besides the cities.
    #[serde(default)]
    pub extent: Vec<[f64; 2]>,
    #[serde(default)]
    pub caption: Option<String>,
    /// Text alternative; `{count}` and `{cities}` stand for the number and the names of the
    /// cities marked.
    #[serde(default)]
    pub alt: Option<String>,
    /// Legend words for the railways drawn on the overview and regional maps.
    #[serde(default)]
    pub railways_legend: Option<String>,
}

/// The railway map.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RailwayMap {
    #[serde(default)]
    pub caption: Option<String>,
    /// Text alternative; `{km}` stands for the length of the main network's lines.
    #[serde(default)]
    pub alt: Option<String>,
}

/// Words and emphasis of the charts.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Charts {
    /// Years (first, last) the charts colour as the book's focus.
    #[serde(default)]
    pub highlight: Option<[i32; 2]>,
    /// A period shaded behind the timeline chart, with its label.
    #[serde(default)]
    pub shade: Option<Shade>,
    /// Source line of the charts of the projects.
    #[serde(default)]
    pub projects_source: Option<String>,
}

/// A shaded span of years with a label.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shade {
    pub from: i32,
    pub to: i32,
    pub label: String,
}

/// A country or sea name and where it is written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreaName {
    pub name: String,
    pub at: [f64; 2],
}

/// A province name and the places it may be written, best first.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvinceName {
    pub name: String,
    pub at: Vec<[f64; 2]>,
}
