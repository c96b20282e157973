//! How figures are drawn: the font, the colours (from the edition's palette) and the map
//! projection (from `chapters/maps.toml`), shared by maps and charts.

use std::collections::BTreeMap;

use crate::figures::geo::Lambert;

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
    /// Font family of every text in a figure.
    pub font: String,
    /// `#rrggbb` of each role.
    colours: BTreeMap<Role, String>,
    /// The projection every map of the book uses.
    pub projection: Lambert,
    /// Draw nothing with opacity (print editions): label halos and the legend's box are
    /// opaque white.
    pub opaque: bool,
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
            colours,
            projection,
            opaque: false,
        }
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
}
