//! TopoJSON: the quantized, delta-encoded topologies the shipped base data comes in
//! (`chapters/geo/*.topo.json`), decoded into named features per object.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Feature, LonLat, Shape, offset_of};
use crate::diagnostics::{Diagnostic, Result, SourceFile};

#[derive(Deserialize)]
struct Topology {
    #[serde(rename = "type")]
    kind: String,
    transform: Option<Transform>,
    objects: BTreeMap<String, Geometry>,
    arcs: Vec<Vec<[f64; 2]>>,
}

#[derive(Deserialize)]
struct Transform {
    scale: [f64; 2],
    translate: [f64; 2],
}

/// A feature's properties: only its names matter to the maps.
#[derive(Deserialize, Default)]
struct Properties {
    name: Option<String>,
}

/// Variant names are TopoJSON's geometry types, as the `type` member spells them.
#[derive(Deserialize)]
#[serde(tag = "type")]
#[allow(clippy::enum_variant_names)]
enum Geometry {
    GeometryCollection {
        geometries: Vec<Geometry>,
    },
    Polygon {
        arcs: Vec<Vec<i64>>,
        #[serde(default)]
        properties: Option<Properties>,
    },
    MultiPolygon {
        arcs: Vec<Vec<Vec<i64>>>,
        #[serde(default)]
        properties: Option<Properties>,
    },
    LineString {
        arcs: Vec<i64>,
        #[serde(default)]
        properties: Option<Properties>,
    },
    MultiLineString {
        arcs: Vec<Vec<i64>>,
        #[serde(default)]
        properties: Option<Properties>,
    },
    Point {},
    MultiPoint {},
}

/// Decode every object of a TopoJSON topology into features (one per geometry, named by its
/// `name` property); errors point at the file's line and column.
pub fn decode(file: &SourceFile) -> Result<BTreeMap<String, Vec<Feature>>> {
    let topology: Topology = serde_json::from_str(&file.text).map_err(|e| {
        let offset = offset_of(&file.text, e.line(), e.column());
        Diagnostic::error(format!("TopoJSON: {e}")).at(file, offset..offset + 1)
    })?;
    let fail = |message: String| Diagnostic::error(message).in_file(file);
    if topology.kind != "Topology" {
        return Err(fail(format!(
            "expected a TopoJSON Topology, found `{}`",
            topology.kind
        ))
        .into());
    }
    let arcs = decode_arcs(&topology);
    let join = |indices: &[i64]| -> Joined {
        let mut points: Vec<LonLat> = Vec::new();
        for &index in indices {
            let i = if index < 0 { !index } else { index };
            let part = usize::try_from(i)
                .ok()
                .and_then(|i| arcs.get(i))
                .ok_or_else(|| fail(format!("arc {index} does not exist")))?;
            let skip = usize::from(!points.is_empty());
            if index < 0 {
                points.extend(part.iter().rev().skip(skip));
            } else {
                points.extend(part.iter().skip(skip));
            }
        }
        Ok(points)
    };
    let mut objects = BTreeMap::new();
    for (name, object) in &topology.objects {
        let mut features = Vec::new();
        let mut failed = None;
        leaves(object, &mut |geometry| {
            if failed.is_some() {
                return;
            }
            match feature(geometry, &join) {
                Ok(Some(f)) => features.push(f),
                Ok(None) => {}
                Err(e) => failed = Some(e),
            }
        });
        if let Some(e) = failed {
            return Err(e.into());
        }
        objects.insert(name.clone(), features);
    }
    Ok(objects)
}

/// Points of a line or ring joined from arcs, or why they could not be.
type Joined = std::result::Result<Vec<LonLat>, Diagnostic>;

/// One leaf geometry as a feature (points are not drawn).
fn feature(
    geometry: &Geometry,
    join: &dyn Fn(&[i64]) -> Joined,
) -> std::result::Result<Option<Feature>, Diagnostic> {
    let polygon = |rings: &Vec<Vec<i64>>| -> std::result::Result<Vec<Vec<LonLat>>, Diagnostic> {
        rings.iter().map(|ring| join(ring)).collect()
    };
    let (shape, properties) = match geometry {
        Geometry::Polygon { arcs, properties } => (Shape::Areas(vec![polygon(arcs)?]), properties),
        Geometry::MultiPolygon { arcs, properties } => (
            Shape::Areas(
                arcs.iter()
                    .map(polygon)
                    .collect::<std::result::Result<_, _>>()?,
            ),
            properties,
        ),
        Geometry::LineString { arcs, properties } => (Shape::Lines(vec![join(arcs)?]), properties),
        Geometry::MultiLineString { arcs, properties } => {
            (Shape::Lines(polygon(arcs)?), properties)
        }
        _ => return Ok(None),
    };
    let name = properties.as_ref().and_then(|p| p.name.clone());
    Ok(Some(Feature { name, shape }))
}

fn decode_arcs(topology: &Topology) -> Vec<Vec<LonLat>> {
    topology
        .arcs
        .iter()
        .map(|arc| match &topology.transform {
            Some(t) => {
                let (mut x, mut y) = (0.0, 0.0);
                arc.iter()
                    .map(|[dx, dy]| {
                        x += dx;
                        y += dy;
                        LonLat::new(
                            x * t.scale[0] + t.translate[0],
                            y * t.scale[1] + t.translate[1],
                        )
                    })
                    .collect()
            }
            None => arc.iter().map(|[x, y]| LonLat::new(*x, *y)).collect(),
        })
        .collect()
}

/// Visit every geometry that is not a collection, depth first.
fn leaves(geometry: &Geometry, visit: &mut impl FnMut(&Geometry)) {
    match geometry {
        Geometry::GeometryCollection { geometries } => {
            for g in geometries {
                leaves(g, visit);
            }
        }
        leaf => visit(leaf),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_lines_and_polygons_decode() {
        let text = r#"{"type":"Topology","transform":{"scale":[0.5,0.5],"translate":[100,30]},
            "arcs":[[[0,0],[2,0],[0,2],[-2,0],[0,-2]],[[0,0],[4,4]]],
            "objects":{"lakes":{"type":"GeometryCollection","geometries":[
                {"type":"Polygon","arcs":[[0]],"properties":{"name":"Lake"}}]},
              "rivers":{"type":"MultiLineString","arcs":[[-2]]}}}"#;
        let objects = decode(&SourceFile::new("t.topo.json", text)).unwrap();
        let lake = &objects["lakes"][0];
        assert_eq!(lake.name.as_deref(), Some("Lake"));
        assert!(matches!(&lake.shape, Shape::Areas(a) if a[0][0].len() == 5));
        let Shape::Lines(river) = &objects["rivers"][0].shape else {
            panic!("a line")
        };
        // Reversed arc: from (102, 32) back to (100, 30).
        assert_eq!(river[0][0], LonLat::new(102.0, 32.0));
        assert_eq!(objects["rivers"][0].name, None);
    }

    #[test]
    fn a_missing_arc_is_an_error() {
        let text =
            r#"{"type":"Topology","arcs":[],"objects":{"land":{"type":"Polygon","arcs":[[3]]}}}"#;
        let err = decode(&SourceFile::new("t.topo.json", text)).unwrap_err();
        assert!(format!("{err}").contains("arc 3 does not exist"), "{err}");
    }
}
