//! Where labels go: each label takes the first free box among its candidates, one that
//! overlaps no other label, marker or piece of map furniture and stays inside the frame, and
//! among those the one that crosses the fewest drawn lines (routes, railways, named water).

use crate::figures::frame::Rect;

/// A drawn line segment labels keep off, and which line it belongs to.
#[derive(Debug, Clone, Copy)]
struct Segment {
    a: (f64, f64),
    b: (f64, f64),
    owner: usize,
}

/// Keeps the boxes of everything placed on a map and finds free places for labels.
#[derive(Debug, Clone)]
pub struct Placer {
    frame: Rect,
    obstacles: Vec<Rect>,
    labels: Vec<Rect>,
    segments: Vec<Segment>,
}

impl Placer {
    /// A placer for labels inside `frame`.
    pub fn new(frame: Rect) -> Self {
        Self {
            frame,
            obstacles: vec![],
            labels: vec![],
            segments: vec![],
        }
    }

    /// Keep labels off a drawn polyline where another place is free; `owner` tells one line
    /// from another (a river's name may lie along its own river).
    pub fn avoid_line(&mut self, points: &[(f64, f64)], owner: usize) {
        self.segments.extend(points.windows(2).map(|w| Segment {
            a: w[0],
            b: w[1],
            owner,
        }));
    }

    /// Keep an area free of labels (a marker, the legend, the scale bar).
    pub fn reserve(&mut self, rect: Rect) {
        self.obstacles.push(rect);
    }

    /// Boxes of the labels placed so far.
    pub fn labels(&self) -> &[Rect] {
        &self.labels
    }

    /// The area labels must stay inside.
    pub fn frame(&self) -> Rect {
        self.frame
    }

    /// Whether a box is inside the frame and clear of labels and reserved areas, and would
    /// not, run together with a label on its line, cover a third one.
    pub fn free(&self, rect: &Rect) -> bool {
        rect.inside(&self.frame)
            && !self.obstacles.iter().any(|o| o.overlaps(rect))
            && !self.labels.iter().any(|l| l.overlaps(rect))
            && !self.runs_into_a_label(rect)
    }

    /// Whether a label, read together with another on nearly the same line and close beside
    /// it (as a PDF's text layer joins them into one line), would cover a third label, or
    /// would lie under two others read together.
    fn runs_into_a_label(&self, rect: &Rect) -> bool {
        let covers = |joined: &Rect, other: &Rect| {
            joined.overlaps(other) && {
                let shared = joined.y1.min(other.y1) - joined.y0.max(other.y0);
                shared > 0.25 * (joined.y1 - joined.y0).min(other.y1 - other.y0)
            }
        };
        let labels = &self.labels;
        labels.iter().enumerate().any(|(i, m)| {
            let with_rect = one_line(rect, m).is_some_and(|joined| {
                labels
                    .iter()
                    .enumerate()
                    .any(|(j, n)| j != i && covers(&joined, n))
            });
            with_rect
                || labels[i + 1..]
                    .iter()
                    .any(|n| one_line(m, n).is_some_and(|joined| covers(&joined, rect)))
        })
    }

    /// How many drawn lines a box crosses, not counting the line `except`.
    pub fn crossings(&self, rect: &Rect, except: Option<usize>) -> usize {
        let mut owners: Vec<usize> = self
            .segments
            .iter()
            .filter(|s| Some(s.owner) != except)
            .filter(|s| rect.meets_segment(s.a.0, s.a.1, s.b.0, s.b.1))
            .map(|s| s.owner)
            .collect();
        owners.sort_unstable();
        owners.dedup();
        owners.len()
    }

    /// Whether any drawn line (but `except`) passes through a box.
    pub fn crosses_a_line(&self, rect: &Rect, except: Option<usize>) -> bool {
        self.segments
            .iter()
            .any(|s| Some(s.owner) != except && rect.meets_segment(s.a.0, s.a.1, s.b.0, s.b.1))
    }

    /// Take the best free box among `candidates` (best first): the first that crosses no
    /// line, else the one crossing the fewest. Returns its index, or `None` if none is free.
    pub fn take(&mut self, candidates: &[Rect], except: Option<usize>) -> Option<usize> {
        let mut best: Option<(usize, usize)> = None;
        for (i, rect) in candidates.iter().enumerate() {
            if !self.free(rect) {
                continue;
            }
            let crossed = self.crossings(rect, except);
            if best.is_none_or(|(_, c)| crossed < c) {
                best = Some((i, crossed));
            }
            if crossed == 0 {
                break;
            }
        }
        let (index, _) = best?;
        self.labels.push(candidates[index]);
        Some(index)
    }

    /// Reserve a fixed label (a country or sea name) if it fits; returns whether it did.
    pub fn place_fixed(&mut self, rect: Rect) -> bool {
        if self.free(&rect) {
            self.labels.push(rect);
            true
        } else {
            false
        }
    }
}

/// Two labels as a PDF's text layer may read them, joined into one line, when they sit on
/// nearly the same baseline close beside each other.
fn one_line(a: &Rect, b: &Rect) -> Option<Rect> {
    let height = (a.y1 - a.y0).min(b.y1 - b.y0);
    let same_line = (a.y1 - b.y1).abs() < 0.5 * height;
    let gap = (a.x0 - b.x1).max(b.x0 - a.x1);
    (same_line && gap <= 1.5 * height && gap > 0.0).then(|| {
        Rect::new(
            a.x0.min(b.x0),
            a.y0.min(b.y0),
            a.x1.max(b.x1),
            a.y1.max(b.y1),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_keeps_off_a_line_when_it_can() {
        let mut placer = Placer::new(Rect::new(0.0, 0.0, 100.0, 100.0));
        // A line runs east from the marker: a box east of it loses to one west of it.
        placer.avoid_line(&[(50.0, 50.0), (100.0, 50.0)], 0);
        let east = Rect::new(52.0, 48.0, 70.0, 52.0);
        let west = Rect::new(30.0, 48.0, 48.0, 52.0);
        assert_eq!(placer.take(&[east, west], None), Some(1));
        // The line's own label may lie along it.
        let along = Rect::new(60.0, 49.0, 80.0, 53.0);
        assert_eq!(placer.take(&[along], Some(0)), Some(0));
        // Nothing overlaps what is placed.
        assert_eq!(placer.take(&[west], None), None);
    }
}
