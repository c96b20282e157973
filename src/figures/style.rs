//! How figures are drawn: the font, the colours (from the edition's palette), the map
//! projection (from `chapters/maps.toml`) and the width the figure is drawn at, shared by
//! maps and charts.

use std::collections::BTreeMap;

use crate::figures::frame::{Frame, WIDTH};
use crate::figures::geo::{Lambert, LonLat};

/// Width, in SVG units, of a figure drawn for screens. Every size in a figure (words,
/// markers, lines, legend, scale bar) is given in units, so a figure drawn 110 units wide
/// rather than print's 160 shows them about 1.45 times as large against its geography and
/// its width: what a phone needs, where the figure is a column of a few hundred pixels, not
/// 110 mm of paper. Narrower still, the maps would have room for fewer names.
pub const SCREEN_WIDTH: f64 = 110.0;
/// The narrowest column a figure is shown in on a phone, in CSS pixels: a screen 400 pixels
/// wide, less the page's margins and the padding of an itinerary's box.
pub const SCREEN_COLUMN_PX: f64 = 340.0;
/// Smallest size of a place name on a screen, in CSS pixels.
pub const SCREEN_NAME_PX: f64 = 10.0;
/// Smallest size of any other word of a figure on a screen, in CSS pixels.
pub const SCREEN_TEXT_PX: f64 = 8.0;
/// Families a reading system may have when it lacks the figures' own font: an SVG shown as
/// an image cannot use the fonts the book's pages load.
pub const SCREEN_FALLBACK_FONTS: &str = "Arial, Helvetica, sans-serif";

/// A colour's role in a figure; each role takes a colour of the edition's palette.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Text, outlines, scale bars.
    Ink,
    /// What the figure is about: the cities of a chapter, numbered stops, routes.
    Accent,
    /// A second series: railways, other bars.
    Ochre,
    /// Land and light fills.
    Tint,
    /// Secondary text and markers.
    Muted,
    /// Hairlines: coasts, boundaries.
    Rule,
    /// The sea.
    Sea,
    /// Rivers and lake shores.
    Water,
    /// Names of water, darker than the water so that they read on land and sea.
    WaterName,
    /// A third series (what survives).
    Green,
    /// Streets, drawn light on the land with a `rule` casing.
    Street,
    /// Parks and other green spaces.
    Park,
    /// Built-up areas and buildings.
    Built,
}

impl Role {
    /// Every role with the name of the palette entry it takes, and the colour it has when the
    /// palette has no such entry.
    pub const ALL: [(Role, &'static str, &'static str); 13] = [
        (Role::Ink, "ink", "#1d1b19"),
        (Role::Accent, "accent", "#a3261c"),
        (Role::Ochre, "ochre", "#c98a2b"),
        (Role::Tint, "tint", "#f4ede1"),
        (Role::Muted, "muted", "#5d574f"),
        (Role::Rule, "rule", "#8c8377"),
        (Role::Sea, "sea", "#e3e8e6"),
        (Role::Water, "water", "#8fa9b5"),
        (Role::WaterName, "water_name", "#3e6478"),
        (Role::Green, "green", "#3f6b3a"),
        (Role::Street, "street", "#ffffff"),
        (Role::Park, "park", "#dbe5c8"),
        (Role::Built, "built", "#e4d9c6"),
    ];
}

/// How the figures of one output are drawn.
#[derive(Debug, Clone)]
pub struct Style {
    /// Font family of every text in a figure (its faces measure the labels).
    pub font: String,
    /// The `font-family` the SVG names: the font, and on screens the families to fall back on.
    families: String,
    /// `#rrggbb` of each role.
    colours: BTreeMap<Role, String>,
    /// The projection every map of the book uses.
    pub projection: Lambert,
    /// Draw nothing with opacity (print editions): label halos and the legend's box are
    /// opaque white.
    pub opaque: bool,
    /// Width of a figure in SVG units: [`WIDTH`] in print, [`SCREEN_WIDTH`] on screens.
    pub width: f64,
    /// Smallest size of a place name and of any other word, in SVG units: none in print,
    /// whose sizes are set for the page; on screens, what stays legible on a phone.
    min_name: f64,
    min_text: f64,
    /// Whether a map's legend may stand in a free corner of the map (print), or always goes
    /// under it (screens, where the map is too small to give up a corner).
    pub legend_in_corner: bool,
}

impl Style {
    /// A style with `font`, the `#rrggbb` colours named in `palette` (by palette entry name;
    /// roles the palette does not name keep their defaults) and the book's `projection`.
    pub fn new(font: &str, palette: &BTreeMap<String, String>, projection: Lambert) -> Self {
        let colours = Role::ALL
            .iter()
            .map(|(role, name, default)| {
                let colour = palette.get(*name).map_or(*default, String::as_str);
                (*role, colour.to_string())
            })
            .collect();
        Self {
            font: font.to_string(),
            families: font.to_string(),
            colours,
            projection,
            opaque: false,
            width: WIDTH,
            min_name: 0.0,
            min_text: 0.0,
            legend_in_corner: true,
        }
    }

    /// The same style drawn for screens (the EPUB): [`SCREEN_WIDTH`] units wide, with place
    /// names of at least [`SCREEN_NAME_PX`] and other words of at least [`SCREEN_TEXT_PX`]
    /// in a column of [`SCREEN_COLUMN_PX`], and fonts to fall back on.
    pub fn for_screens(mut self) -> Self {
        let units_per_px = SCREEN_WIDTH / SCREEN_COLUMN_PX;
        self.width = SCREEN_WIDTH;
        self.min_name = SCREEN_NAME_PX * units_per_px;
        self.min_text = SCREEN_TEXT_PX * units_per_px;
        self.legend_in_corner = false;
        self.families = format!("{}, {SCREEN_FALLBACK_FONTS}", css_family(&self.font));
        self
    }

    /// The same style, drawing nothing with opacity when `opaque` (print editions).
    pub fn with_opaque(mut self, opaque: bool) -> Self {
        self.opaque = opaque;
        self
    }

    /// An opacity attribute (`name="value"`, with a leading space), or nothing when the
    /// style is opaque.
    pub fn opacity(&self, name: &str, value: f64) -> String {
        if self.opaque {
            String::new()
        } else {
            format!(r#" {name}="{value}""#)
        }
    }

    /// The `#rrggbb` colour of a role.
    pub fn colour(&self, role: Role) -> &str {
        self.colours.get(&role).map_or("#000000", String::as_str)
    }

    /// The value of the SVG's `font-family` attributes (not yet escaped).
    pub fn font_family(&self) -> &str {
        &self.families
    }

    /// The size a place name of `size` is set at.
    pub fn name_size(&self, size: f64) -> f64 {
        size.max(self.min_name)
    }

    /// The size any other word of `size` is set at.
    pub fn text_size(&self, size: f64) -> f64 {
        size.max(self.min_text)
    }

    /// Millimetres for a length in SVG units, for the SVG's own width and height: a figure
    /// drawn for screens keeps the size print gives it where a reading system shows it as
    /// large as it is.
    pub fn mm(&self, units: f64) -> f64 {
        units * (WIDTH / self.width)
    }

    /// A map frame `width` units wide in a figure drawn in this style, showing `points` (see
    /// [`Frame::fit_width`]); it shows the same ground whatever the figure's width.
    pub fn frame(
        &self,
        points: &[LonLat],
        pad: f64,
        min_span_km: f64,
        ratio: (f64, f64),
        width: f64,
    ) -> Frame {
        Frame::fit_width(self.projection, points, pad, min_span_km, ratio, width)
            .in_figure(self.width)
    }
}

/// A family name as CSS writes it: plain words as they are, anything else quoted (a name
/// such as `Source Sans 3` is not a CSS identifier).
fn css_family(name: &str) -> String {
    let plain = name.split(' ').all(|word| {
        word.starts_with(|c: char| c.is_ascii_alphabetic())
            && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    });
    if plain {
        name.to_string()
    } else {
        format!("'{}'", name.replace(['\\', '\''], ""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style() -> Style {
        let projection = Lambert::new(25.0, 47.0, 35.0, 115.0);
        Style::new("Noto Sans", &BTreeMap::new(), projection)
    }

    #[test]
    fn print_keeps_its_sizes_and_screens_keep_words_legible_in_a_phone_column() {
        let print = style();
        assert_eq!((print.name_size(2.3), print.text_size(2.3)), (2.3, 2.3));
        assert_eq!((print.mm(160.0), print.font_family()), (160.0, "Noto Sans"));
        let screen = style().for_screens();
        let px = |units: f64| units * SCREEN_COLUMN_PX / screen.width;
        assert!(px(screen.name_size(2.3)) >= SCREEN_NAME_PX - 1e-9);
        assert!(px(screen.text_size(2.3)) >= SCREEN_TEXT_PX - 1e-9);
        // Sizes already large enough stay as they are.
        assert_eq!(screen.name_size(5.0), 5.0);
        // The figure keeps the size print gives it where it is shown at its own size.
        assert_eq!(screen.mm(screen.width), 160.0);
        assert_eq!(
            screen.font_family(),
            "Noto Sans, Arial, Helvetica, sans-serif"
        );
    }

    #[test]
    fn family_names_that_are_not_css_identifiers_are_quoted() {
        assert_eq!(css_family("Noto Sans"), "Noto Sans");
        assert_eq!(css_family("Source Sans 3"), "'Source Sans 3'");
        assert_eq!(css_family("Bob's Sans"), "'Bobs Sans'");
    }
}
