//! Geography: TopoJSON decoding, the book's conic projection and great-circle distances.

use serde::Deserialize;

use crate::diagnostics::{Diagnostic, Result, SourceFile};

/// Mean radius of the Earth in kilometres (IUGG).
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// A longitude/latitude pair in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LonLat {
    pub lon: f64,
    pub lat: f64,
}

impl LonLat {
    pub fn new(lon: f64, lat: f64) -> Self {
        Self { lon, lat }
    }
}

/// Great-circle distance between two points (haversine), in kilometres.
pub fn distance_km(a: LonLat, b: LonLat) -> f64 {
    let (phi1, phi2) = (a.lat.to_radians(), b.lat.to_radians());
    let dphi = phi2 - phi1;
    let dlambda = (b.lon - a.lon).to_radians();
    let h = (dphi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (dlambda / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// Lambert conformal conic projection on a sphere, in kilometres with north up.
///
/// Conformal, so shapes and angles hold at every scale, which keeps city maps and the
/// north arrow honest; with standard parallels at 25° and 47° N the scale error across
/// China and the Soviet Far East stays within a few percent.
#[derive(Debug, Clone, Copy)]
pub struct Lambert {
    n: f64,
    f: f64,
    rho0: f64,
    lon0: f64,
}

impl Lambert {
    /// A projection with standard parallels `lat1`, `lat2`, origin at (`lon0`, `lat0`).
    pub fn new(lat1: f64, lat2: f64, lat0: f64, lon0: f64) -> Self {
        let (p1, p2, p0) = (lat1.to_radians(), lat2.to_radians(), lat0.to_radians());
        let t = |p: f64| (std::f64::consts::FRAC_PI_4 + p / 2.0).tan();
        let n = if (lat1 - lat2).abs() < 1e-9 {
            p1.sin()
        } else {
            (p1.cos() / p2.cos()).ln() / (t(p2) / t(p1)).ln()
        };
        let f = p1.cos() * t(p1).powf(n) / n;
        let rho0 = EARTH_RADIUS_KM * f / t(p0).powf(n);
        Self { n, f, rho0, lon0 }
    }

    /// Project to (x east, y north) in kilometres.
    pub fn forward(&self, p: LonLat) -> (f64, f64) {
        let phi = p.lat.clamp(-89.9, 89.9).to_radians();
        let rho =
            EARTH_RADIUS_KM * self.f / (std::f64::consts::FRAC_PI_4 + phi / 2.0).tan().powf(self.n);
        let theta = self.n * (p.lon - self.lon0).to_radians();
        (rho * theta.sin(), self.rho0 - rho * theta.cos())
    }

    /// Back from projected kilometres to longitude and latitude.
    pub fn inverse(&self, x: f64, y: f64) -> LonLat {
        let dy = self.rho0 - y;
        let rho = self.n.signum() * (x * x + dy * dy).sqrt();
        let theta = (self.n.signum() * x).atan2(self.n.signum() * dy);
        let t = (EARTH_RADIUS_KM * self.f / rho).powf(1.0 / self.n);
        let phi = 2.0 * t.atan() - std::f64::consts::FRAC_PI_2;
        LonLat::new(self.lon0 + (theta / self.n).to_degrees(), phi.to_degrees())
    }

    /// Scale factor at a latitude: projected length over true length.
    pub fn scale_factor(&self, lat: f64) -> f64 {
        let phi = lat.to_radians();
        let rho =
            EARTH_RADIUS_KM * self.f / (std::f64::consts::FRAC_PI_4 + phi / 2.0).tan().powf(self.n);
        self.n * rho / (EARTH_RADIUS_KM * phi.cos())
    }
}

/// The base map: land polygons (rings of points), borders and rivers (polylines) and lakes
/// (polygons), in degrees.
#[derive(Debug, Clone, Default)]
pub struct BaseMap {
    pub land: Vec<Vec<Vec<LonLat>>>,
    pub borders: Vec<Vec<LonLat>>,
    pub rivers: Vec<Vec<LonLat>>,
    pub lakes: Vec<Vec<Vec<LonLat>>>,
    /// Boundaries between China's provinces (as they are today).
    pub provinces: Vec<Vec<LonLat>>,
}

#[derive(Deserialize)]
struct Topology {
    #[serde(rename = "type")]
    kind: String,
    transform: Option<Transform>,
    objects: std::collections::HashMap<String, Geometry>,
    arcs: Vec<Vec<[f64; 2]>>,
}

#[derive(Deserialize)]
struct Transform {
    scale: [f64; 2],
    translate: [f64; 2],
}

/// Variant names are TopoJSON's geometry types, as the `type` member spells them.
#[derive(Deserialize)]
#[serde(tag = "type")]
#[allow(clippy::enum_variant_names)]
enum Geometry {
    GeometryCollection { geometries: Vec<Geometry> },
    Polygon { arcs: Vec<Vec<i64>> },
    MultiPolygon { arcs: Vec<Vec<Vec<i64>>> },
    LineString { arcs: Vec<i64> },
    MultiLineString { arcs: Vec<Vec<i64>> },
    Point {},
    MultiPoint {},
}

impl BaseMap {
    /// Decode a TopoJSON topology with a `land` object (polygons) and optional `borders`,
    /// `provinces` and `rivers` (lines) and `lakes` (polygons); errors point at the file's
    /// line and column.
    pub fn from_topojson(file: &SourceFile) -> Result<Self> {
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
        let arc = |index: i64| -> std::result::Result<Vec<LonLat>, Diagnostic> {
            let i = if index < 0 { !index } else { index };
            let points = usize::try_from(i)
                .ok()
                .and_then(|i| arcs.get(i))
                .ok_or_else(|| fail(format!("arc {index} does not exist")))?;
            Ok(if index < 0 {
                points.iter().rev().copied().collect()
            } else {
                points.clone()
            })
        };
        let join = |indices: &[i64]| -> std::result::Result<Vec<LonLat>, Diagnostic> {
            let mut points: Vec<LonLat> = Vec::new();
            for &index in indices {
                let part = arc(index)?;
                let skip = usize::from(!points.is_empty());
                points.extend(part.into_iter().skip(skip));
            }
            Ok(points)
        };
        let mut map = BaseMap::default();
        let Some(land) = topology.objects.get("land") else {
            return Err(fail("the topology has no `land` object".into()).into());
        };
        let polygons = |object: &Geometry| -> std::result::Result<Vec<_>, Diagnostic> {
            let mut found = Vec::new();
            collect_polygons(object, &mut found);
            found
                .iter()
                .map(|polygon| polygon.iter().map(|ring| join(ring)).collect())
                .collect()
        };
        let lines = |name: &str| -> std::result::Result<Vec<_>, Diagnostic> {
            let mut found = Vec::new();
            if let Some(object) = topology.objects.get(name) {
                collect_lines(object, &mut found);
            }
            found.iter().map(|line| join(line)).collect()
        };
        map.land = polygons(land)?;
        map.borders = lines("borders")?;
        map.rivers = lines("rivers")?;
        map.provinces = lines("provinces")?;
        if let Some(lakes) = topology.objects.get("lakes") {
            map.lakes = polygons(lakes)?;
        }
        Ok(map)
    }
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

fn collect_polygons(geometry: &Geometry, out: &mut Vec<Vec<Vec<i64>>>) {
    leaves(geometry, &mut |g| match g {
        Geometry::Polygon { arcs } => out.push(arcs.clone()),
        Geometry::MultiPolygon { arcs } => out.extend(arcs.iter().cloned()),
        _ => {}
    });
}

fn collect_lines(geometry: &Geometry, out: &mut Vec<Vec<i64>>) {
    leaves(geometry, &mut |g| match g {
        Geometry::LineString { arcs } => out.push(arcs.clone()),
        Geometry::MultiLineString { arcs } => out.extend(arcs.iter().cloned()),
        _ => {}
    });
}

/// Byte offset of a 1-based line and column.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (start + column.saturating_sub(1)).min(text.len().saturating_sub(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambert_round_trips() {
        let p = Lambert::new(25.0, 47.0, 35.0, 115.0);
        for (lon, lat) in [(126.6, 45.75), (116.4, 39.9), (103.8, 36.1), (131.9, 43.1)] {
            let (x, y) = p.forward(LonLat::new(lon, lat));
            let back = p.inverse(x, y);
            assert!((back.lon - lon).abs() < 1e-9 && (back.lat - lat).abs() < 1e-9);
        }
        assert!((p.scale_factor(25.0) - 1.0).abs() < 1e-9);
        assert!((p.scale_factor(47.0) - 1.0).abs() < 1e-9);
    }
}
