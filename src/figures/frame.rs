//! The frame of a map: which part of the projected plane it shows, at what scale, and how
//! far on the ground one millimetre of the printed map is (which decides what data it draws).

use crate::figures::geo::{Lambert, LonLat};

/// Width of every figure in SVG user units; Typst scales it to the text width.
pub const WIDTH: f64 = 160.0;

/// How wide a map prints, in millimetres: about the text width of the print editions
/// (B6 pocket 99 mm, A5 112 mm, 6 × 9 in 114 mm). Data is drawn only where its error stays
/// under a millimetre at this size.
pub const PRINT_WIDTH_MM: f64 = 110.0;

/// An axis-aligned box in SVG units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Rect {
    /// The box from (x0, y0) to (x1, y1).
    pub fn new(x0: f64, y0: f64, x1: f64, y1: f64) -> Self {
        Self { x0, y0, x1, y1 }
    }

    /// The square of half-side `r` around (x, y).
    pub fn around(x: f64, y: f64, r: f64) -> Self {
        Self::new(x - r, y - r, x + r, y + r)
    }

    /// Whether two boxes share any area.
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.x0 < other.x1 && other.x0 < self.x1 && self.y0 < other.y1 && other.y0 < self.y1
    }

    /// Whether this box lies wholly inside `other`.
    pub fn inside(&self, other: &Rect) -> bool {
        self.x0 >= other.x0 && self.x1 <= other.x1 && self.y0 >= other.y0 && self.y1 <= other.y1
    }

    /// The box grown by `m` on every side.
    pub fn grow(&self, m: f64) -> Rect {
        Rect::new(self.x0 - m, self.y0 - m, self.x1 + m, self.y1 + m)
    }

    /// The box moved by (dx, dy).
    pub fn shift(&self, dx: f64, dy: f64) -> Rect {
        Rect::new(self.x0 + dx, self.y0 + dy, self.x1 + dx, self.y1 + dy)
    }

    /// Centre of the box.
    pub fn centre(&self) -> (f64, f64) {
        ((self.x0 + self.x1) / 2.0, (self.y0 + self.y1) / 2.0)
    }

    /// Whether the segment from (x0, y0) to (x1, y1) passes through the box.
    pub fn meets_segment(&self, x0: f64, y0: f64, x1: f64, y1: f64) -> bool {
        self.clip_parameters((x0, y0), (x1, y1)).is_some()
    }

    /// The part of the segment from `a` to `b` inside the box, as the parameters `t0 <= t1`
    /// (0 at `a`, 1 at `b`) of its ends (Liang–Barsky); `None` when it misses the box.
    pub fn clip_parameters(&self, a: (f64, f64), b: (f64, f64)) -> Option<(f64, f64)> {
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let (mut t0, mut t1) = (0.0f64, 1.0f64);
        for (p, q) in [
            (-dx, a.0 - self.x0),
            (dx, self.x1 - a.0),
            (-dy, a.1 - self.y0),
            (dy, self.y1 - a.1),
        ] {
            if p == 0.0 {
                if q < 0.0 {
                    return None;
                }
            } else {
                let t = q / p;
                if p < 0.0 {
                    t0 = t0.max(t);
                } else {
                    t1 = t1.min(t);
                }
            }
        }
        (t0 <= t1).then_some((t0, t1))
    }
}

/// A map frame: which part of the projected plane is shown, and at what scale.
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    pub projection: Lambert,
    /// Projected kilometres of the frame's left and top edges.
    left_km: f64,
    top_km: f64,
    /// SVG units per projected kilometre.
    units_per_km: f64,
    pub width: f64,
    pub height: f64,
    /// Width of the whole figure the frame is drawn in, which prints [`PRINT_WIDTH_MM`] wide.
    figure_width: f64,
}

impl Frame {
    /// A frame of `WIDTH` units showing every point, with `pad` of the span around them,
    /// at least `min_span_km` wide, its height between `min_ratio` and `max_ratio` of the width.
    pub fn fit(
        projection: Lambert,
        points: &[LonLat],
        pad: f64,
        min_span_km: f64,
        ratio: (f64, f64),
    ) -> Self {
        Self::fit_width(projection, points, pad, min_span_km, ratio, WIDTH)
    }

    /// As [`Frame::fit`], for a frame `width` units wide (an inset).
    pub fn fit_width(
        projection: Lambert,
        points: &[LonLat],
        pad: f64,
        min_span_km: f64,
        ratio: (f64, f64),
        width: f64,
    ) -> Self {
        let projected: Vec<(f64, f64)> = points.iter().map(|p| projection.forward(*p)).collect();
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for (x, y) in &projected {
            x0 = x0.min(*x);
            x1 = x1.max(*x);
            y0 = y0.min(*y);
            y1 = y1.max(*y);
        }
        if projected.is_empty() {
            (x0, x1, y0, y1) = (-500.0, 500.0, -500.0, 500.0);
        }
        let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
        let mut w = ((x1 - x0) * (1.0 + 2.0 * pad)).max(min_span_km);
        let mut h = ((y1 - y0) * (1.0 + 2.0 * pad)).max(min_span_km * ratio.0);
        if h / w > ratio.1 {
            w = h / ratio.1;
        }
        if h / w < ratio.0 {
            h = w * ratio.0;
        }
        let units_per_km = width / w;
        Self {
            projection,
            left_km: cx - w / 2.0,
            top_km: cy + h / 2.0,
            units_per_km,
            width,
            height: h * units_per_km,
            figure_width: WIDTH,
        }
    }

    /// The same frame in a figure `figure_width` units wide (a figure drawn for screens):
    /// the data it draws, chosen by the printed scale, stays the same.
    pub fn in_figure(mut self, figure_width: f64) -> Self {
        self.figure_width = figure_width;
        self
    }

    /// SVG position of a point.
    pub fn point(&self, p: LonLat) -> (f64, f64) {
        let (x, y) = self.projection.forward(p);
        (
            (x - self.left_km) * self.units_per_km,
            (self.top_km - y) * self.units_per_km,
        )
    }

    /// The point shown at an SVG position.
    pub fn lonlat(&self, x: f64, y: f64) -> LonLat {
        self.projection.inverse(
            x / self.units_per_km + self.left_km,
            self.top_km - y / self.units_per_km,
        )
    }

    /// SVG units per true kilometre at the frame's centre (projected scale corrected).
    pub fn units_per_true_km(&self) -> f64 {
        let centre = self.lonlat(self.width / 2.0, self.height / 2.0);
        self.units_per_km * self.projection.scale_factor(centre.lat)
    }

    /// Projected kilometres across the frame.
    pub fn span_km(&self) -> f64 {
        self.width / self.units_per_km
    }

    /// Metres on the ground per millimetre of the map printed [`PRINT_WIDTH_MM`] wide: the
    /// largest error a layer may have to be drawn.
    pub fn metres_per_print_mm(&self) -> f64 {
        self.width / self.units_per_true_km() * 1000.0 / PRINT_WIDTH_MM
            * (self.figure_width / self.width)
    }

    /// SVG units per millimetre of the printed map.
    pub fn units_per_print_mm(&self) -> f64 {
        self.figure_width / PRINT_WIDTH_MM
    }

    /// Whether an SVG position lies inside the frame, at least `margin` units from its edges.
    pub fn contains(&self, (x, y): (f64, f64), margin: f64) -> bool {
        (margin..=self.width - margin).contains(&x) && (margin..=self.height - margin).contains(&y)
    }

    /// The frame as a box in its own SVG units.
    pub fn rect(&self) -> Rect {
        Rect::new(0.0, 0.0, self.width, self.height)
    }

    /// Longitude and latitude bounds of the frame (west, south, east, north), from its edges.
    pub fn bounds(&self) -> (LonLat, LonLat) {
        let (mut w, mut s, mut e, mut n) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        let steps = 8;
        for i in 0..=steps {
            let t = i as f64 / steps as f64;
            for (x, y) in [
                (t * self.width, 0.0),
                (t * self.width, self.height),
                (0.0, t * self.height),
                (self.width, t * self.height),
            ] {
                let p = self.lonlat(x, y);
                w = w.min(p.lon);
                e = e.max(p.lon);
                s = s.min(p.lat);
                n = n.max(p.lat);
            }
        }
        (LonLat::new(w, s), LonLat::new(e, n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_meet_boxes_they_pass_through() {
        let b = Rect::new(0.0, 0.0, 10.0, 5.0);
        assert!(b.meets_segment(-5.0, 2.0, 15.0, 2.0), "straight through");
        assert!(b.meets_segment(2.0, 1.0, 3.0, 2.0), "wholly inside");
        assert!(b.meets_segment(-1.0, -1.0, 1.0, 1.0), "across a corner");
        assert!(!b.meets_segment(-5.0, 6.0, 15.0, 6.0), "below");
        assert!(!b.meets_segment(11.0, -5.0, 20.0, 10.0), "beside");
        assert!(!b.meets_segment(-3.0, 2.0, -1.0, 9.0), "short of it");
    }

    #[test]
    fn a_millimetre_of_a_city_map_is_tens_of_metres() {
        let projection = Lambert::new(25.0, 47.0, 35.0, 115.0);
        // A frame 3 km across printed 110 mm wide: about 27 m to the millimetre.
        let frame = Frame::fit(
            projection,
            &[LonLat::new(126.60, 45.76), LonLat::new(126.6386, 45.76)],
            0.0,
            0.0,
            (0.5, 1.0),
        );
        let m = frame.metres_per_print_mm();
        assert!((25.0..30.0).contains(&m), "{m} m per mm");
    }
}
