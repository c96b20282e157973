//! Geography: the book's conic projection, great-circle distances, and the features of map
//! layers decoded from TopoJSON (the shipped base data) and GeoJSON (layers a publisher adds).

pub mod geojson;
pub mod topojson;

/// Mean radius of the Earth in kilometres (IUGG).
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// A longitude/latitude pair in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LonLat {
    pub lon: f64,
    pub lat: f64,
}

impl LonLat {
    /// A point at longitude `lon` and latitude `lat`, in degrees.
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

/// A line or area of a map layer, with its name when the data gives one.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    pub name: Option<String>,
    pub shape: Shape,
}

/// The geometry of a feature, in degrees.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// Polylines (a river's reaches, a street).
    Lines(Vec<Vec<LonLat>>),
    /// Polygons, each as rings with the outer ring first (land, a lake, a park).
    Areas(Vec<Vec<Vec<LonLat>>>),
}

impl Feature {
    /// Every point of the feature.
    pub fn points(&self) -> Box<dyn Iterator<Item = &LonLat> + '_> {
        match &self.shape {
            Shape::Lines(lines) => Box::new(lines.iter().flatten()),
            Shape::Areas(areas) => Box::new(areas.iter().flatten().flatten()),
        }
    }
}

/// Byte offset of a 1-based line and column.
pub(crate) fn offset_of(text: &str, line: usize, column: usize) -> usize {
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
