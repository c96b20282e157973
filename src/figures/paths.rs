//! Lines and areas made ready to draw at a map's scale: projected, cut to the frame and
//! simplified to what a tenth of a printed millimetre can show, then written as SVG path data.

use std::fmt::Write;

use crate::figures::frame::Rect;

/// A point in SVG units.
pub type Point = (f64, f64);

/// How many units outside the frame cut lines and areas reach, so that their cut ends and
/// edges never show.
pub const CUT_MARGIN: f64 = 4.0;

/// A polyline cut to a box: the runs of it that lie inside, each a polyline of its own.
pub fn clip_line(points: &[Point], r: Rect) -> Vec<Vec<Point>> {
    let mut runs: Vec<Vec<Point>> = Vec::new();
    let mut current: Vec<Point> = Vec::new();
    for w in points.windows(2) {
        let Some((a, b)) = clip_segment(w[0], w[1], r) else {
            if current.len() > 1 {
                runs.push(std::mem::take(&mut current));
            }
            current.clear();
            continue;
        };
        if current.last() != Some(&a) {
            if current.len() > 1 {
                runs.push(std::mem::take(&mut current));
            }
            current = vec![a];
        }
        current.push(b);
        // Where the segment leaves the box, the run ends.
        if b != w[1] {
            runs.push(std::mem::take(&mut current));
        }
    }
    if current.len() > 1 {
        runs.push(current);
    }
    runs
}

/// The part of a segment inside a box, if any.
fn clip_segment(a: Point, b: Point, r: Rect) -> Option<(Point, Point)> {
    let (t0, t1) = r.clip_parameters(a, b)?;
    let at = |t: f64| {
        if t == 0.0 {
            a
        } else if t == 1.0 {
            b
        } else {
            (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1))
        }
    };
    Some((at(t0), at(t1)))
}

/// A closed ring cut to a box (Sutherland–Hodgman, one box edge at a time). Parts outside
/// the box become runs along its edges, which is all a filled area needs.
pub fn clip_ring(mut ring: Vec<Point>, r: Rect) -> Vec<Point> {
    type Edge = (
        fn(&Point, &Rect) -> bool,
        fn(f64, f64, f64, f64, &Rect) -> Point,
    );
    let edges: [Edge; 4] = [
        (
            |p, r| p.0 >= r.x0,
            |x1, y1, x2, y2, r| (r.x0, y1 + (y2 - y1) * (r.x0 - x1) / (x2 - x1)),
        ),
        (
            |p, r| p.0 <= r.x1,
            |x1, y1, x2, y2, r| (r.x1, y1 + (y2 - y1) * (r.x1 - x1) / (x2 - x1)),
        ),
        (
            |p, r| p.1 >= r.y0,
            |x1, y1, x2, y2, r| (x1 + (x2 - x1) * (r.y0 - y1) / (y2 - y1), r.y0),
        ),
        (
            |p, r| p.1 <= r.y1,
            |x1, y1, x2, y2, r| (x1 + (x2 - x1) * (r.y1 - y1) / (y2 - y1), r.y1),
        ),
    ];
    for (inside, cut) in edges {
        let mut out = Vec::with_capacity(ring.len());
        for i in 0..ring.len() {
            let (prev, cur) = (ring[(i + ring.len() - 1) % ring.len()], ring[i]);
            match (inside(&prev, &r), inside(&cur, &r)) {
                (true, true) => out.push(cur),
                (true, false) => out.push(cut(prev.0, prev.1, cur.0, cur.1, &r)),
                (false, true) => {
                    out.push(cut(prev.0, prev.1, cur.0, cur.1, &r));
                    out.push(cur);
                }
                (false, false) => {}
            }
        }
        ring = out;
        if ring.is_empty() {
            break;
        }
    }
    ring
}

/// A polyline simplified (Douglas–Peucker) so that no point moves more than `tolerance`.
pub fn simplify(points: &[Point], tolerance: f64) -> Vec<Point> {
    if points.len() < 3 {
        return points.to_vec();
    }
    let mut keep = vec![false; points.len()];
    keep[0] = true;
    keep[points.len() - 1] = true;
    let mut stack = vec![(0, points.len() - 1)];
    while let Some((first, last)) = stack.pop() {
        let (a, b) = (points[first], points[last]);
        let mut worst = (0.0, first);
        for (i, p) in points.iter().enumerate().take(last).skip(first + 1) {
            let d = distance_to_segment(*p, a, b);
            if d > worst.0 {
                worst = (d, i);
            }
        }
        if worst.0 > tolerance {
            keep[worst.1] = true;
            stack.push((first, worst.1));
            stack.push((worst.1, last));
        }
    }
    points
        .iter()
        .zip(keep)
        .filter_map(|(p, k)| k.then_some(*p))
        .collect()
}

/// Distance from a point to a segment.
pub fn distance_to_segment(p: Point, a: Point, b: Point) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
    };
    ((p.0 - a.0 - t * dx).powi(2) + (p.1 - a.1 - t * dy).powi(2)).sqrt()
}

/// SVG path data of polylines (or closed rings), two decimals.
pub fn path_data(parts: &[Vec<Point>], close: bool) -> String {
    let mut d = String::new();
    for part in parts.iter().filter(|p| p.len() > 1) {
        for (i, (x, y)) in part.iter().enumerate() {
            let _ = write!(d, "{}{x:.2} {y:.2}", if i == 0 { "M" } else { "L" });
        }
        if close {
            d.push('Z');
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(ring: &[Point]) -> f64 {
        (0..ring.len())
            .map(|i| {
                let (a, b) = (ring[(i + ring.len() - 1) % ring.len()], ring[i]);
                a.0 * b.1 - b.0 * a.1
            })
            .sum::<f64>()
            .abs()
            / 2.0
    }

    #[test]
    fn a_ring_around_the_box_clips_to_the_box() {
        let around = vec![(-1e5, -1e5), (1e5, -1e5), (1e5, 1e5), (-1e5, 1e5)];
        let clipped = clip_ring(around, Rect::new(0.0, 0.0, 40.0, 30.0));
        assert!((area(&clipped) - 1200.0).abs() < 1e-6, "{clipped:?}");
        assert!(clipped.iter().all(|p| (0.0..=40.0).contains(&p.0)));
    }

    #[test]
    fn a_ring_half_inside_keeps_its_inside_half() {
        let half = vec![(-10.0, 15.0), (50.0, 15.0), (50.0, 50.0), (-10.0, 50.0)];
        let clipped = clip_ring(half, Rect::new(0.0, 0.0, 40.0, 30.0));
        assert!((area(&clipped) - 600.0).abs() < 1e-6, "{clipped:?}");
        let outside = vec![(50.0, 50.0), (60.0, 50.0), (60.0, 60.0)];
        assert!(clip_ring(outside, Rect::new(0.0, 0.0, 40.0, 30.0)).is_empty());
    }

    #[test]
    fn a_line_through_the_box_is_cut_into_its_inside_runs() {
        let line = [
            (-10.0, 5.0),
            (5.0, 5.0),
            (5.0, 50.0),
            (8.0, 50.0),
            (8.0, 5.0),
            (20.0, 5.0),
        ];
        let runs = clip_line(&line, Rect::new(0.0, 0.0, 10.0, 10.0));
        assert_eq!(runs.len(), 2, "{runs:?}");
        assert_eq!(runs[0], vec![(0.0, 5.0), (5.0, 5.0), (5.0, 10.0)]);
        assert_eq!(runs[1], vec![(8.0, 10.0), (8.0, 5.0), (10.0, 5.0)]);
    }

    #[test]
    fn simplification_keeps_every_point_within_the_tolerance() {
        let wiggle: Vec<Point> = (0..200)
            .map(|i| {
                (
                    i as f64 * 0.1,
                    (i as f64 * 0.37).sin() * 0.05 + (i as f64 / 40.0).floor(),
                )
            })
            .collect();
        let kept = simplify(&wiggle, 0.1);
        assert!(
            kept.len() < wiggle.len() / 4,
            "{} of {}",
            kept.len(),
            wiggle.len()
        );
        for p in &wiggle {
            let d = kept
                .windows(2)
                .map(|w| distance_to_segment(*p, w[0], w[1]))
                .fold(f64::MAX, f64::min);
            assert!(d <= 0.1 + 1e-9, "{p:?} moved {d}");
        }
    }

    proptest::proptest! {
        /// Whatever ring comes in, what comes out lies in the box; a simple (here star-shaped)
        /// ring keeps no more area than the box or itself.
        #[test]
        fn clipped_rings_stay_in_the_box(
            spokes in proptest::collection::vec((0.0f64..std::f64::consts::TAU, 1.0f64..400.0), 3..40),
            centre in (-100.0f64..100.0, -100.0f64..100.0),
        ) {
            let mut spokes = spokes;
            spokes.sort_by(|a, b| a.0.total_cmp(&b.0));
            // A ring is star-shaped around its centre only if no two neighbouring spokes
            // are half a turn or more apart.
            let gaps = spokes.windows(2).map(|w| w[1].0 - w[0].0).chain(std::iter::once(
                std::f64::consts::TAU - spokes[spokes.len() - 1].0 + spokes[0].0,
            ));
            proptest::prop_assume!(gaps.fold(0.0, f64::max) < std::f64::consts::PI - 1e-3);
            let ring: Vec<Point> = spokes
                .iter()
                .map(|(angle, r)| (centre.0 + r * angle.cos(), centre.1 + r * angle.sin()))
                .collect();
            let frame = Rect::new(-20.0, -10.0, 60.0, 40.0);
            let clipped = clip_ring(ring.clone(), frame);
            for &(x, y) in &clipped {
                proptest::prop_assert!(
                    (frame.x0 - 1e-6..=frame.x1 + 1e-6).contains(&x)
                        && (frame.y0 - 1e-6..=frame.y1 + 1e-6).contains(&y),
                    "({x}, {y}) outside"
                );
            }
            let kept = area(&clipped);
            proptest::prop_assert!(kept <= 80.0 * 50.0 + 1e-6 && kept <= area(&ring) + 1e-6);
        }

        /// Every run of a cut line lies in the box, and every point of the line that lies in
        /// the box is on some run.
        #[test]
        fn cut_lines_keep_what_is_inside(points in proptest::collection::vec((-50.0f64..90.0, -50.0f64..90.0), 2..30)) {
            let r = Rect::new(0.0, 0.0, 40.0, 30.0);
            let runs = clip_line(&points, r);
            for run in &runs {
                for &(x, y) in run {
                    proptest::prop_assert!((-1e-9..=40.0 + 1e-9).contains(&x) && (-1e-9..=30.0 + 1e-9).contains(&y));
                }
            }
            for &p in points.iter().filter(|p| p.0 > 0.0 && p.0 < 40.0 && p.1 > 0.0 && p.1 < 30.0) {
                let on = runs.iter().any(|run| run.windows(2).any(|w| distance_to_segment(p, w[0], w[1]) < 1e-6));
                proptest::prop_assert!(on, "{p:?} lost");
            }
        }
    }
}
