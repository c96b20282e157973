//! Itineraries against the map: every leg at least as long as the straight line between its
//! stops, and the distances the text states (in stop notes, in the introduction, in figure
//! text) equal to the data.

use guidebook::content::model::{Chapter, Itinerary, RailwayFile, TravelMode};
use guidebook::diagnostics::SourceFile;
use guidebook::figures::geo::{LonLat, distance_km};
use regex::Regex;

use super::corpus::Finding;

/// What the check found: failures, and legs that are merely implausible, to be looked at.
#[derive(Debug, Default)]
pub struct LegReport {
    pub findings: Vec<Finding>,
    pub warnings: Vec<Finding>,
}

/// A stated distance: one figure, or a range such as "4–5 km".
#[derive(Debug, Clone, Copy)]
struct Stated {
    low: f64,
    high: f64,
}

/// Every "X km" or "X–Y km" of a text.
fn stated_km(text: &str) -> Vec<Stated> {
    let re =
        Regex::new(r"(\d+(?:\.\d+)?)(?:\s*[–-]\s*(\d+(?:\.\d+)?))?\s*km\b").expect("valid regex");
    re.captures_iter(text)
        .map(|c| {
            let low: f64 = c[1].parse().expect("a number");
            let high = c
                .get(2)
                .map_or(low, |h| h.as_str().parse().expect("a number"));
            Stated { low, high }
        })
        .collect()
}

/// Byte offset in the file of a front-matter span.
fn in_file(chapter: &Chapter, span: std::ops::Range<usize>) -> usize {
    chapter.meta_offset + span.start
}

/// The byte offset of a stop's `distance_km`, or of its landmark when it has none.
fn distance_offset(chapter: &Chapter, landmark_at: usize) -> usize {
    let rest = &chapter.file.text[landmark_at..];
    let block = rest.find("[[").unwrap_or(rest.len());
    rest[..block]
        .find("distance_km")
        .map_or(landmark_at, |i| landmark_at + i)
}

/// Check every itinerary of a chapter. `lonlat` gives a landmark's coordinates by id.
pub fn check_itineraries(chapter: &Chapter, lonlat: impl Fn(&str) -> Option<LonLat>) -> LegReport {
    let mut report = LegReport::default();
    for itinerary in &chapter.meta.itineraries {
        check_legs(chapter, itinerary, &lonlat, &mut report);
        check_notes(chapter, itinerary, &mut report);
        check_intro(chapter, itinerary, &mut report);
    }
    check_figure_text(chapter, &lonlat, &mut report);
    report
}

/// Stop 0 has no distance, later stops have one, and none is shorter than the straight line
/// from the stop before; legs far longer than it are reported as warnings.
fn check_legs(
    chapter: &Chapter,
    itinerary: &Itinerary,
    lonlat: &impl Fn(&str) -> Option<LonLat>,
    report: &mut LegReport,
) {
    let title = &itinerary.title;
    for (i, stop) in itinerary.stops.iter().enumerate() {
        let id = stop.landmark.get_ref();
        let at = distance_offset(chapter, in_file(chapter, stop.landmark.span()));
        let at_file = |message: String| Finding::at(&chapter.file, at, message);
        match (i, stop.distance_km) {
            (0, Some(d)) => report.findings.push(at_file(format!(
                "itinerary “{title}”, stop 0 ({id}): the first stop has no distance, but gives {d} km"
            ))),
            (0, None) => {}
            (_, None) => report.findings.push(at_file(format!(
                "itinerary “{title}”, stop {i} ({id}): distance_km is missing"
            ))),
            (_, Some(d)) => {
                let previous = &itinerary.stops[i - 1];
                let prev_id = previous.landmark.get_ref();
                let (Some(a), Some(b)) = (lonlat(prev_id), lonlat(id)) else {
                    continue;
                };
                let g = distance_km(a, b);
                if d + 0.005 < g {
                    report.findings.push(at_file(format!(
                        "itinerary “{title}”, stop {i} ({id}): distance_km {d} is shorter than the \
                         straight line, {g:.3} km from {prev_id}"
                    )));
                }
                let walk = matches!(itinerary.mode, TravelMode::Walk);
                if (walk && g > 0.3 && d > 3.0 * g) || (g > 1.0 && d > 4.0 * g) {
                    report.warnings.push(at_file(format!(
                        "itinerary “{title}”, stop {i} ({id}): {d} km for a straight line of \
                         {g:.3} km from {prev_id}; check the route"
                    )));
                }
            }
        }
    }
}

/// A stop's note that gives distances ("about 0.8 km", "4–5 km", "walk 1.7 km … then 5.5 km")
/// gives those of the next leg: one of them, or all of them together, is its `distance_km`.
fn check_notes(chapter: &Chapter, itinerary: &Itinerary, report: &mut LegReport) {
    for (i, pair) in itinerary.stops.windows(2).enumerate() {
        let (stop, next) = (&pair[0], &pair[1]);
        let stated = stated_km(stop.note.get_ref());
        let Some(d) = next.distance_km.filter(|_| !stated.is_empty()) else {
            continue;
        };
        let within = |low: f64, high: f64| low - 0.05 <= d && d <= high + 0.05;
        let one = stated.iter().any(|s| within(s.low, s.high));
        let all = within(
            stated.iter().map(|s| s.low).sum(),
            stated.iter().map(|s| s.high).sum(),
        );
        if !one && !all {
            let figures: Vec<String> = stated
                .iter()
                .map(|s| {
                    if s.low == s.high {
                        format!("{} km", s.low)
                    } else {
                        format!("{}–{} km", s.low, s.high)
                    }
                })
                .collect();
            report.findings.push(Finding::at(
                &chapter.file,
                in_file(chapter, stop.note.span()),
                format!(
                    "itinerary “{}”, stop {i}: the note gives {} for the next leg, but stop {} \
                     ({}) has distance_km {d}",
                    itinerary.title,
                    figures.join(" and "),
                    i + 1,
                    next.landmark.get_ref()
                ),
            ));
        }
    }
}

/// An introduction that gives the route's length ("About 5 km", "about 35 km in all") agrees
/// with the sum of the legs: within 0.5 km on foot, 15 % by day.
fn check_intro(chapter: &Chapter, itinerary: &Itinerary, report: &mut LegReport) {
    let re = Regex::new(r"(?i)\babout\s+(\d+(?:\.\d+)?)\s*km\b").expect("valid regex");
    let total: f64 = itinerary.stops.iter().filter_map(|s| s.distance_km).sum();
    for c in re.captures_iter(itinerary.intro.get_ref()) {
        let stated: f64 = c[1].parse().expect("a number");
        let tolerance = match itinerary.mode {
            TravelMode::Walk => 0.5,
            TravelMode::Day => 0.15 * total,
        };
        if (stated - total).abs() > tolerance + 1e-9 {
            report.findings.push(Finding::at(
                &chapter.file,
                in_file(chapter, itinerary.intro.span()),
                format!(
                    "itinerary “{}”: the introduction says about {stated} km, but the legs add up \
                     to {total:.1} km",
                    itinerary.title
                ),
            ));
        }
    }
}

/// Lengths of every run of consecutive legs of the chapter's itineraries: great-circle, and
/// as given in `distance_km`.
fn leg_runs(chapter: &Chapter, lonlat: &impl Fn(&str) -> Option<LonLat>) -> (Vec<f64>, Vec<f64>) {
    let (mut straight, mut given) = (Vec::new(), Vec::new());
    for itinerary in &chapter.meta.itineraries {
        let stops = &itinerary.stops;
        for first in 1..stops.len() {
            let (mut g, mut d) = (0.0, 0.0);
            for i in first..stops.len() {
                let a = lonlat(stops[i - 1].landmark.get_ref());
                let b = lonlat(stops[i].landmark.get_ref());
                g += a.zip(b).map_or(f64::NAN, |(a, b)| distance_km(a, b));
                d += stops[i].distance_km.unwrap_or(f64::NAN);
                straight.push(g);
                given.push(d);
            }
        }
    }
    (straight, given)
}

/// Text about a chapter's itinerary maps: a drawn route that "runs", "crosses" or "covers" X km
/// in a figure's alt text is the straight-line length of some run of legs (within 1 km), and a
/// distance "by road" is the `distance_km` of some run of legs.
fn check_figure_text(
    chapter: &Chapter,
    lonlat: &impl Fn(&str) -> Option<LonLat>,
    report: &mut LegReport,
) {
    if chapter.meta.itineraries.is_empty() {
        return;
    }
    let (straight, given) = leg_runs(chapter, lonlat);
    let image = Regex::new(r"!\[([^\]]*)\]").expect("valid regex");
    let drawn =
        Regex::new(r"\b(?:runs|crosses|covers)\s+(?:about\s+|some\s+)?(\d+(?:\.\d+)?)\s*km\b")
            .expect("valid regex");
    let road = Regex::new(
        r"(\d+(?:\.\d+)?)\s*km\s+apart\s+by\s+road|\broad is (?:about |some )?(\d+(?:\.\d+)?)\s*km",
    )
    .expect("valid regex");
    let body = &chapter.body;
    let locate = |offset: usize, message: String| {
        Finding::at(&chapter.file, chapter.body_offset + offset, message)
    };
    for alt in image.captures_iter(body).filter_map(|c| c.get(1)) {
        for c in drawn.captures_iter(alt.as_str()) {
            let km: f64 = c[1].parse().expect("a number");
            if !straight.iter().any(|g| (g - km).abs() <= 1.0) {
                report.findings.push(locate(
                    alt.start(),
                    format!(
                        "figure text: the drawn route {} km is no run of straight legs of the \
                         itinerary (the whole route is {:.1} km)",
                        km,
                        straight.iter().copied().fold(0.0, f64::max)
                    ),
                ));
            }
        }
    }
    for c in road.captures_iter(body) {
        let m = c.get(1).or_else(|| c.get(2)).expect("one group matches");
        let km: f64 = m.as_str().parse().expect("a number");
        if !given.iter().any(|d| (d - km).abs() <= 0.5) {
            report.findings.push(locate(
                m.start(),
                format!("{km} km by road is no run of the itinerary's legs (distance_km)"),
            ));
        }
    }
}

/// The railway map's stations agree with the landmarks and with themselves: a station that
/// has a landmark entry (`landmark` gives the coordinates of "<station> Railway Station")
/// stands where the entry does, and a station on several lines has one position.
pub fn check_stations(
    railways: &RailwayFile,
    file: &SourceFile,
    landmark: impl Fn(&str) -> Option<LonLat>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut first: std::collections::HashMap<&str, LonLat> = std::collections::HashMap::new();
    for station in railways.lines.iter().flat_map(|l| &l.stations) {
        let at = station.lat.span().start;
        let here = LonLat::new(*station.lon.get_ref(), *station.lat.get_ref());
        let name = station.name.as_str();
        let close =
            |a: LonLat, b: LonLat| (a.lon - b.lon).abs() <= 1e-4 && (a.lat - b.lat).abs() <= 1e-4;
        if let Some(entry) =
            landmark(&format!("{name} Railway Station")).filter(|e| !close(*e, here))
        {
            findings.push(Finding::at(
                file,
                at,
                format!(
                    "station {name} is at {}, {} but the landmark {name} Railway Station at {}, {}",
                    here.lat, here.lon, entry.lat, entry.lon
                ),
            ));
        }
        match first.get(name) {
            Some(earlier) if !close(*earlier, here) => findings.push(Finding::at(
                file,
                at,
                format!(
                    "station {name} is at {}, {} here but at {}, {} on an earlier line",
                    here.lat, here.lon, earlier.lat, earlier.lon
                ),
            )),
            Some(_) => {}
            None => {
                first.insert(name, here);
            }
        }
    }
    findings
}
