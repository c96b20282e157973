//! GeoJSON (RFC 7946): the layers a publisher adds to a map, such as an OpenStreetMap export
//! of streets and parks. Every value is read as a slice of the file, so that any problem,
//! from a missing bracket to a latitude out of range, is reported at its line and column.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use super::{Feature, LonLat, Shape, offset_of};
use crate::diagnostics::{Diagnostic, Result, SourceFile};

/// The members of a GeoJSON object the maps read; any other member is allowed and ignored.
#[derive(Deserialize)]
struct Object<'a> {
    #[serde(rename = "type", borrow, default)]
    kind: Option<&'a RawValue>,
    #[serde(borrow, default)]
    features: Option<&'a RawValue>,
    #[serde(borrow, default)]
    geometry: Option<&'a RawValue>,
    #[serde(borrow, default)]
    geometries: Option<&'a RawValue>,
    #[serde(borrow, default)]
    coordinates: Option<&'a RawValue>,
    #[serde(borrow, default)]
    properties: Option<&'a RawValue>,
}

/// Decode a GeoJSON file (a FeatureCollection, a Feature or a geometry) into its line and
/// area features, named by each feature's `name` property. Points are not drawn.
pub fn decode(file: &SourceFile) -> Result<Vec<Feature>> {
    let reader = Reader { file };
    let root: &RawValue =
        serde_json::from_str(&file.text).map_err(|e| reader.json_error(0, &file.text, &e))?;
    let mut features = Vec::new();
    reader.object(root, &mut features, Level::Top)?;
    Ok(features)
}

/// Where in a GeoJSON document an object is, which decides the types it may have.
#[derive(Clone, Copy, PartialEq)]
enum Level {
    Top,
    Feature,
    Geometry,
}

/// Reads slices of one file and locates what is wrong with them.
struct Reader<'f> {
    file: &'f SourceFile,
}

impl<'f> Reader<'f> {
    /// Byte offset of a slice of the file.
    fn offset(&self, raw: &RawValue) -> usize {
        (raw.get().as_ptr() as usize).saturating_sub(self.file.text.as_ptr() as usize)
    }

    /// An error at a value of the file.
    fn error(&self, raw: &RawValue, message: String) -> Diagnostic {
        let start = self.offset(raw);
        let end = start + raw.get().len().clamp(1, 80);
        Diagnostic::error(format!("GeoJSON: {message}")).at(self.file, start..end)
    }

    /// A serde_json error inside a slice that starts at `base`.
    fn json_error(&self, base: usize, text: &str, e: &serde_json::Error) -> Diagnostic {
        let offset = base + offset_of(text, e.line(), e.column());
        Diagnostic::error(format!("GeoJSON: {e}")).at(self.file, offset..offset + 1)
    }

    /// Parse a value of the file as `T`.
    fn parse<'a, T: Deserialize<'a>>(&self, raw: &'a RawValue) -> Result<T, Diagnostic> {
        serde_json::from_str(raw.get())
            .map_err(|e| self.json_error(self.offset(raw), raw.get(), &e))
    }

    /// Parse a value of the file as owned `T` (strings with escapes).
    fn parse_owned<T: DeserializeOwned>(&self, raw: &RawValue) -> Result<T, Diagnostic> {
        serde_json::from_str(raw.get())
            .map_err(|e| self.json_error(self.offset(raw), raw.get(), &e))
    }

    /// Read an object at `level`, adding the features it holds.
    fn object(
        &self,
        raw: &RawValue,
        out: &mut Vec<Feature>,
        level: Level,
    ) -> Result<(), Diagnostic> {
        let object: Object = self.parse(raw)?;
        let Some(kind_raw) = object.kind else {
            return Err(self.error(raw, "an object without a `type` member".into()));
        };
        let kind: String = self.parse_owned(kind_raw)?;
        let missing = |name: &str| self.error(raw, format!("a {kind} needs a `{name}` member"));
        match (kind.as_str(), level) {
            ("FeatureCollection", Level::Top) => {
                let features: Vec<&RawValue> =
                    self.parse(object.features.ok_or_else(|| missing("features"))?)?;
                for feature in features {
                    self.object(feature, out, Level::Feature)?;
                }
            }
            ("Feature", Level::Top | Level::Feature) => {
                let name = match object.properties {
                    Some(p) => self.name(p)?,
                    None => None,
                };
                let before = out.len();
                // A feature without geometry (`null`) is allowed and draws nothing.
                if let Some(geometry) = object.geometry {
                    self.object(geometry, out, Level::Geometry)?;
                }
                for feature in &mut out[before..] {
                    feature.name.clone_from(&name);
                }
            }
            ("GeometryCollection", Level::Top | Level::Geometry) => {
                let geometries: Vec<&RawValue> =
                    self.parse(object.geometries.ok_or_else(|| missing("geometries"))?)?;
                for geometry in geometries {
                    self.object(geometry, out, Level::Geometry)?;
                }
            }
            ("Point" | "MultiPoint", Level::Top | Level::Geometry) => {}
            (
                "LineString" | "MultiLineString" | "Polygon" | "MultiPolygon",
                Level::Top | Level::Geometry,
            ) => {
                let coordinates = object.coordinates.ok_or_else(|| missing("coordinates"))?;
                let shape = self.shape(&kind, coordinates)?;
                out.push(Feature { name: None, shape });
            }
            _ => {
                let expected = match level {
                    Level::Top => "FeatureCollection, Feature or a geometry",
                    Level::Feature => "Feature",
                    Level::Geometry => "a geometry (LineString, Polygon, …)",
                };
                return Err(self.error(
                    kind_raw,
                    format!("unexpected type `{kind}`: expected {expected}"),
                ));
            }
        }
        Ok(())
    }

    /// The `name` property, if it is a string.
    fn name(&self, properties: &RawValue) -> Result<Option<String>, Diagnostic> {
        let map: Option<serde_json::Map<String, serde_json::Value>> =
            self.parse_owned(properties)?;
        Ok(map
            .and_then(|m| m.get("name").and_then(|n| n.as_str()).map(str::to_string))
            .filter(|n| !n.trim().is_empty()))
    }

    /// The coordinates of a line or area geometry.
    fn shape(&self, kind: &str, coordinates: &RawValue) -> Result<Shape, Diagnostic> {
        Ok(match kind {
            "LineString" => Shape::Lines(vec![self.line(coordinates)?]),
            "MultiLineString" => {
                let lines: Vec<&RawValue> = self.parse(coordinates)?;
                Shape::Lines(
                    lines
                        .into_iter()
                        .map(|l| self.line(l))
                        .collect::<Result<_, _>>()?,
                )
            }
            "Polygon" => Shape::Areas(vec![self.polygon(coordinates)?]),
            _ => {
                let polygons: Vec<&RawValue> = self.parse(coordinates)?;
                Shape::Areas(
                    polygons
                        .into_iter()
                        .map(|p| self.polygon(p))
                        .collect::<Result<_, _>>()?,
                )
            }
        })
    }

    /// A line: two positions or more.
    fn line(&self, raw: &RawValue) -> Result<Vec<LonLat>, Diagnostic> {
        let positions: Vec<&RawValue> = self.parse(raw)?;
        if positions.len() < 2 {
            return Err(self.error(
                raw,
                format!(
                    "a line needs two positions or more, found {}",
                    positions.len()
                ),
            ));
        }
        positions.into_iter().map(|p| self.position(p)).collect()
    }

    /// A polygon: closed rings of four positions or more, the outer ring first.
    fn polygon(&self, raw: &RawValue) -> Result<Vec<Vec<LonLat>>, Diagnostic> {
        let rings: Vec<&RawValue> = self.parse(raw)?;
        if rings.is_empty() {
            return Err(self.error(raw, "a polygon needs at least one ring".into()));
        }
        let mut out = Vec::new();
        for ring in rings {
            let positions: Vec<&RawValue> = self.parse(ring)?;
            let points: Vec<LonLat> = positions
                .iter()
                .map(|p| self.position(p))
                .collect::<Result<_, _>>()?;
            if points.len() < 4 || points.first() != points.last() {
                return Err(self.error(
                    ring,
                    "a polygon ring needs four positions or more, the last the same as the first"
                        .into(),
                ));
            }
            out.push(points);
        }
        Ok(out)
    }

    /// A position: longitude and latitude in WGS84 degrees (an altitude may follow).
    fn position(&self, raw: &RawValue) -> Result<LonLat, Diagnostic> {
        let numbers: Vec<f64> = self.parse(raw)?;
        let [lon, lat, ..] = numbers[..] else {
            return Err(self.error(raw, "a position is [longitude, latitude]".into()));
        };
        if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
            return Err(self.error(
                raw,
                format!("[{lon}, {lat}] is not a longitude and latitude in degrees (GeoJSON is WGS84, longitude first)"),
            ));
        }
        Ok(LonLat::new(lon, lat))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_text(text: &str) -> Result<Vec<Feature>> {
        decode(&SourceFile::new("layer.geojson", text))
    }

    fn position_of(text: &str) -> String {
        let err = decode_text(text).unwrap_err();
        err.diagnostics[0].position().unwrap()
    }

    #[test]
    fn features_keep_their_names_and_shapes() {
        let features = decode_text(
            r#"{"type": "FeatureCollection", "features": [
              {"type": "Feature", "properties": {"name": "Zhongyang Street", "highway": "pedestrian"},
               "geometry": {"type": "LineString", "coordinates": [[126.61, 45.77], [126.62, 45.78]]}},
              {"type": "Feature", "properties": null, "geometry": {"type": "Polygon",
               "coordinates": [[[126.6, 45.7], [126.7, 45.7], [126.7, 45.8], [126.6, 45.7]]]}},
              {"type": "Feature", "properties": {}, "geometry": null},
              {"type": "Feature", "properties": {"name": "A stop"}, "geometry": {"type": "Point", "coordinates": [126.6, 45.7]}}
            ]}"#,
        )
        .unwrap();
        assert_eq!(features.len(), 2);
        assert_eq!(features[0].name.as_deref(), Some("Zhongyang Street"));
        assert!(matches!(&features[1].shape, Shape::Areas(a) if a[0][0].len() == 4));
    }

    #[test]
    fn problems_are_located_where_they_are() {
        // A latitude out of range: the position itself.
        let text =
            "{\"type\": \"LineString\",\n \"coordinates\": [[126.6, 45.7],\n   [45.7, 126.6]]}";
        assert_eq!(position_of(text), "layer.geojson:3:4");
        // Broken JSON: where the parser stopped.
        assert_eq!(
            position_of("{\"type\": \"LineString\",\n \"coordinates\": [[1, 2] [3, 4]]}"),
            "layer.geojson:2:25"
        );
        // An unknown type: its value.
        assert_eq!(
            position_of("{\"type\": \"Polyline\", \"coordinates\": []}"),
            "layer.geojson:1:10"
        );
        // A ring that is not closed.
        let open =
            "{\"type\": \"Polygon\", \"coordinates\": [\n  [[0, 0], [1, 0], [1, 1], [0, 1]]]}";
        assert_eq!(position_of(open), "layer.geojson:2:3");
        // Coordinates nested one level too deep: the number that should be an array.
        let flat = "{\"type\": \"LineString\", \"coordinates\": [1, 2]}";
        assert!(position_of(flat).starts_with("layer.geojson:1:"));
    }
}
