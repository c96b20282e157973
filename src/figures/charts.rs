//! Charts drawn from the data as SVG: bars of counts, columns by decade, the timeline's dots.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::content::model::{Book, FigureKind, Status};
use crate::escape::xml;
use crate::figures::maps::{DrawnMap, wrap};
use crate::figures::style::{Role, Style};
use crate::figures::text::Measure;
use crate::figures::{Figures, TIMELINE_CHART};

/// Draw every chart the book's data allows and add it to `figures`.
pub fn add_all(book: &Book, style: &Style, measure: &Measure<'_>, figures: &mut Figures) {
    if let Some((projects, _)) = &book.projects {
        // Both charts of the projects: bars of counts, and the counts again in the alt text.
        let source = book.maps.charts.projects_source.as_deref().unwrap_or("");
        let counts = |rows: Vec<(&String, u32, Option<String>)>, colour: Role| {
            let total: u32 = rows.iter().map(|r| r.1).sum();
            let listed = rows
                .iter()
                .map(|(l, n, _)| format!("{l} {n}"))
                .collect::<Vec<_>>()
                .join(", ");
            let bars: Vec<Bar> = rows
                .into_iter()
                .map(|(label, n, note)| Bar {
                    label: label.clone(),
                    segments: vec![(f64::from(n), colour)],
                    note,
                })
                .collect();
            (bar_chart(style, measure, &bars, &[], source), total, listed)
        };
        let batches = projects
            .batches
            .iter()
            .map(|b| (&b.label, *b.count.get_ref(), None))
            .collect();
        let (drawn, total, listed) = counts(batches, Role::Accent);
        figures.add(
            "chart-projects-batches".into(),
            FigureKind::Chart,
            drawn,
            format!("The {total} projects as agreed in three batches"),
            format!(
                "Bar chart of the Soviet-aided projects by agreement: {listed}; {total} in all."
            ),
        );
        let sectors = projects
            .sectors
            .iter()
            .map(|s| (&s.label, *s.count.get_ref(), s.detail.clone()))
            .collect();
        let (drawn, total, listed) = counts(sectors, Role::Ochre);
        figures.add(
            "chart-projects-sectors".into(),
            FigureKind::Chart,
            drawn,
            format!("The {total} projects actually built, by sector"),
            format!("Bar chart of the {total} projects built, by sector: {listed}."),
        );
    }
    if !book.landmarks.is_empty() {
        let (drawn, alt) = status_chart(style, measure, book);
        figures.add(
            "chart-landmark-status".into(),
            FigureKind::Chart,
            drawn,
            "What survives: the landmarks of this guide by city and state".into(),
            alt,
        );
        let (drawn, alt) = decade_chart(style, measure, book);
        figures.add(
            "chart-landmarks-decade".into(),
            FigureKind::Chart,
            drawn,
            "When the landmarks of this guide were built, by decade".into(),
            alt,
        );
    }
    if !book.events.is_empty() {
        let (drawn, alt) = timeline_chart(style, measure, book);
        figures.add(
            TIMELINE_CHART.into(),
            FigureKind::Chart,
            drawn,
            "The rhythm of the era: events of the timeline by year".into(),
            alt,
        );
    }
}

/// Whether a year lies in the span `chapters/maps.toml` asks the charts to colour.
fn highlighted(book: &Book, year: i32) -> bool {
    book.maps
        .charts
        .highlight
        .is_some_and(|[first, last]| (first..=last).contains(&year))
}

/// One bar of a horizontal bar chart: stacked segments of (value, colour).
struct Bar {
    label: String,
    segments: Vec<(f64, Role)>,
    note: Option<String>,
}

fn svg_open(style: &Style, height: f64) -> String {
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.2}" width="{mm}mm" height="{mm_height:.2}mm">"#,
        width = style.width,
        mm = style.mm(style.width),
        mm_height = style.mm(height),
    )
}

#[allow(clippy::too_many_arguments)] // position, size, colour and anchor of one SVG text
fn text(
    out: &mut String,
    style: &Style,
    x: f64,
    y: f64,
    size: f64,
    fill: Role,
    anchor: &str,
    body: &str,
) {
    let _ = write!(
        out,
        r#"<text x="{x:.2}" y="{y:.2}" font-family="{font}" font-size="{size}" fill="{fill}" text-anchor="{anchor}">{body}</text>"#,
        font = xml(style.font_family()),
        size = style.text_size(size),
        fill = style.colour(fill),
        body = xml(body)
    );
}

/// Where a bar chart puts its labels: in a column before the bars, or, where that column
/// would leave the bars too little room (a figure drawn narrow for screens), each on a line
/// of its own above its bar.
struct BarLayout {
    /// Left end of the bars.
    left: f64,
    /// Room above each bar for its label, when the label is not beside it.
    top: f64,
    /// Length of the longest bar.
    plot: f64,
}

impl BarLayout {
    /// The layout for a figure `width` wide whose widest label, with its gap, is `label_w`.
    fn new(width: f64, label_w: f64) -> Self {
        let plot = width - label_w - 12.0;
        if plot >= 0.4 * width {
            Self {
                left: label_w,
                top: 0.0,
                plot,
            }
        } else {
            Self {
                left: 0.0,
                top: 4.6,
                plot: width - 12.0,
            }
        }
    }
}

/// Where each entry of a chart's legend goes (left end, top of its row): side by side, in
/// as many rows as the figure's width needs.
fn legend_places(style: &Style, measure: &Measure<'_>, legend: &[(Role, &str)]) -> Vec<(f64, f64)> {
    let size = style.text_size(2.8);
    let (mut x, mut top) = (0.0, 0.0);
    let mut places = Vec::new();
    for (_, name) in legend {
        let width = measure.width(name, size);
        if x > 0.0 && x + 5.0 + width > style.width {
            (x, top) = (0.0, top + 5.0);
        }
        places.push((x, top));
        x += width + 11.0;
    }
    places
}

/// A horizontal bar chart with labels on the left (or above the bars), values at the bar
/// ends and an optional note under a bar.
fn bar_chart(
    style: &Style,
    measure: &Measure<'_>,
    bars: &[Bar],
    legend: &[(Role, &str)],
    source: &str,
) -> DrawnMap {
    let size = style.text_size(3.2);
    let note_size = style.text_size(2.6);
    let label_w = bars
        .iter()
        .map(|b| measure.width(&b.label, size))
        .fold(0.0, f64::max)
        + 3.0;
    let max = bars
        .iter()
        .map(|b| b.segments.iter().map(|s| s.0).sum::<f64>())
        .fold(1.0, f64::max);
    let layout = BarLayout::new(style.width, label_w);
    let notes: Vec<Vec<String>> = bars
        .iter()
        .map(|b| {
            b.note.as_deref().map_or_else(Vec::new, |note| {
                wrap(note, style.width - layout.left, |t| {
                    measure.width(t, note_size)
                })
            })
        })
        .collect();
    let row = |lines: &Vec<String>| {
        layout.top
            + match lines.len() {
                0 => 7.0,
                n => 11.0 + 3.2 * (n - 1) as f64,
            }
    };
    let places = legend_places(style, measure, legend);
    let legend_h = places.last().map_or(0.0, |(_, top)| top + 7.0);
    let height = legend_h + notes.iter().map(row).sum::<f64>() + 7.0;
    let mut out = svg_open(style, height);
    for ((colour, name), (x, top)) in legend.iter().zip(places) {
        let _ = write!(
            out,
            r#"<rect x="{x:.2}" y="{}" width="3.5" height="3" fill="{}"/>"#,
            top + 1.5,
            style.colour(*colour)
        );
        text(
            &mut out,
            style,
            x + 5.0,
            top + 4.3,
            2.8,
            Role::Ink,
            "start",
            name,
        );
    }
    let mut y = legend_h + 1.0;
    for (bar, lines) in bars.iter().zip(&notes) {
        bar_row(&mut out, style, &layout, bar, max, y);
        for (i, line) in lines.iter().enumerate() {
            let at = y + layout.top + 8.6 + 3.2 * i as f64;
            text(
                &mut out,
                style,
                layout.left,
                at,
                2.6,
                Role::Muted,
                "start",
                line,
            );
        }
        y += row(lines);
    }
    if layout.top == 0.0 {
        let _ = write!(
            out,
            r#"<path d="M{label_w:.2} 0V{y:.2}" stroke="{}" stroke-width="0.3"/>"#,
            style.colour(Role::Ink)
        );
    }
    finish_chart(out, style, height, source)
}

/// One bar at `y`: its label, its segments and its value.
fn bar_row(out: &mut String, style: &Style, layout: &BarLayout, bar: &Bar, max: f64, y: f64) {
    let size = 3.2;
    if layout.top == 0.0 {
        let x = layout.left - 3.0;
        text(out, style, x, y + 4.1, size, Role::Ink, "end", &bar.label);
    } else {
        text(
            out,
            style,
            0.0,
            y + 3.4,
            size,
            Role::Ink,
            "start",
            &bar.label,
        );
    }
    let top = y + layout.top;
    let mut bx = layout.left;
    for (value, colour) in &bar.segments {
        let w = value / max * layout.plot;
        let _ = write!(
            out,
            r#"<rect x="{bx:.2}" y="{top:.2}" width="{w:.2}" height="5.2" fill="{}"/>"#,
            style.colour(*colour)
        );
        bx += w;
    }
    let total: f64 = bar.segments.iter().map(|s| s.0).sum();
    let value = format!("{total}");
    text(
        out,
        style,
        bx + 1.5,
        top + 4.1,
        size,
        Role::Ink,
        "start",
        &value,
    );
}

const STATUSES: [(Status, Role, &str); 4] = [
    (Status::Extant, Role::Green, "extant"),
    (Status::Altered, Role::Ochre, "altered"),
    (Status::Rebuilt, Role::Rule, "rebuilt"),
    (Status::Demolished, Role::Accent, "demolished"),
];

fn status_chart(style: &Style, measure: &Measure<'_>, book: &Book) -> (DrawnMap, String) {
    let mut by_city: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
    for l in &book.landmarks {
        let i = STATUSES
            .iter()
            .position(|(s, _, _)| *s == l.status)
            .unwrap_or(0);
        by_city.entry(&l.city).or_default()[i] += 1;
    }
    let mut rows: Vec<(&str, [usize; 4])> = by_city.into_iter().collect();
    rows.sort_by(|a, b| {
        b.1.iter()
            .sum::<usize>()
            .cmp(&a.1.iter().sum::<usize>())
            .then(a.0.cmp(b.0))
    });
    let bars: Vec<Bar> = rows
        .iter()
        .map(|(city, counts)| Bar {
            label: city.to_string(),
            segments: counts
                .iter()
                .zip(STATUSES)
                .map(|(n, (_, c, _))| (*n as f64, c))
                .collect(),
            note: None,
        })
        .collect();
    let mut totals = [0usize; 4];
    for (_, counts) in &rows {
        for i in 0..4 {
            totals[i] += counts[i];
        }
    }
    let legend: Vec<(Role, String)> = STATUSES
        .iter()
        .zip(totals)
        .map(|((_, c, name), n)| (*c, format!("{name} ({n})")))
        .collect();
    let legend_ref: Vec<(Role, &str)> = legend.iter().map(|(c, s)| (*c, s.as_str())).collect();
    let drawn = bar_chart(
        style,
        measure,
        &bars,
        &legend_ref,
        "Data: the state each landmark entry records",
    );
    let alt = format!(
        "Stacked bar chart of the {} landmarks by city and state: {} extant, {} altered, {} rebuilt, {} demolished; {} has the most, {}.",
        book.landmarks.len(),
        totals[0],
        totals[1],
        totals[2],
        totals[3],
        rows.first().map_or("", |r| r.0),
        rows.first().map_or(0, |r| r.1.iter().sum::<usize>())
    );
    (drawn, alt)
}

/// The first four-digit year in a text, e.g. `1953` in "1953–1956".
fn first_year(text: &str) -> Option<u32> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(3)).find_map(|i| {
        let s = text.get(i..i + 4)?;
        let boundary = i == 0 || !bytes[i - 1].is_ascii_digit();
        let after = bytes.get(i + 4).is_none_or(|b| !b.is_ascii_digit());
        if boundary && after && s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse().ok().filter(|y| (1600..2100).contains(y))
        } else {
            None
        }
    })
}

/// A column chart: one column per label, value above, labels below (every second or third
/// label where the columns are narrower than the labels).
fn column_chart(
    style: &Style,
    measure: &Measure<'_>,
    columns: &[(String, usize, Role)],
    source: &str,
) -> DrawnMap {
    let height = 62.0;
    let (top, bottom) = (6.0, 48.0);
    let max = columns.iter().map(|c| c.1).max().unwrap_or(1).max(1) as f64;
    let slot = style.width / columns.len().max(1) as f64;
    let widest = columns
        .iter()
        .map(|c| measure.width(&c.0, style.text_size(2.8)))
        .fold(0.0, f64::max);
    let every = ((widest + 1.5) / slot).ceil().max(1.0) as usize;
    let mut out = svg_open(style, height);
    for (i, (label, value, colour)) in columns.iter().enumerate() {
        let h = *value as f64 / max * (bottom - top);
        let x = i as f64 * slot + slot * 0.15;
        let w = slot * 0.7;
        let _ = write!(
            out,
            r#"<rect x="{x:.2}" y="{:.2}" width="{w:.2}" height="{h:.2}" fill="{}"/>"#,
            bottom - h,
            style.colour(*colour)
        );
        text(
            &mut out,
            style,
            x + w / 2.0,
            bottom - h - 1.2,
            3.0,
            Role::Ink,
            "middle",
            &value.to_string(),
        );
        if i % every == 0 {
            text(
                &mut out,
                style,
                x + w / 2.0,
                bottom + 4.2,
                2.8,
                Role::Ink,
                "middle",
                label,
            );
        }
    }
    let _ = write!(
        out,
        r#"<path d="M0 {bottom}H{width}" stroke="{}" stroke-width="0.3"/>"#,
        style.colour(Role::Ink),
        width = style.width,
    );
    finish_chart(out, style, height, source)
}

fn decade_chart(style: &Style, measure: &Measure<'_>, book: &Book) -> (DrawnMap, String) {
    let mut decades: BTreeMap<u32, usize> = BTreeMap::new();
    let mut undated = 0;
    for l in &book.landmarks {
        match first_year(&l.built) {
            Some(y) => *decades.entry(y / 10 * 10).or_default() += 1,
            None => undated += 1,
        }
    }
    let (Some(&first), Some(&last)) = (decades.keys().next(), decades.keys().last()) else {
        return (
            column_chart(style, measure, &[], ""),
            "No landmark has a year of building.".into(),
        );
    };
    let columns: Vec<(String, usize, Role)> = (first..=last)
        .step_by(10)
        .map(|d| {
            let colour = if highlighted(book, d as i32) {
                Role::Accent
            } else {
                Role::Ochre
            };
            (
                format!("{}s", d),
                decades.get(&d).copied().unwrap_or(0),
                colour,
            )
        })
        .collect();
    let peak = columns
        .iter()
        .max_by_key(|c| c.1)
        .map(|c| c.0.clone())
        .unwrap_or_default();
    let source = format!(
        "Data: the year building began, from the landmark entries{}",
        if undated > 0 {
            format!(" ({undated} undated, not shown)")
        } else {
            String::new()
        }
    );
    let alt = format!(
        "Column chart of the landmarks by the decade in which building began, from the {first}s to the {last}s; most date from the {peak}: {}.",
        columns
            .iter()
            .filter(|c| c.1 > 0)
            .map(|c| format!("{} {}", c.0, c.1))
            .collect::<Vec<_>>()
            .join(", ")
    );
    (column_chart(style, measure, &columns, &source), alt)
}

fn timeline_chart(style: &Style, measure: &Measure<'_>, book: &Book) -> (DrawnMap, String) {
    let mut by_year: BTreeMap<i32, usize> = BTreeMap::new();
    for e in &book.events {
        if let Some(y) = e.date.get_ref().get(..4).and_then(|y| y.parse().ok()) {
            *by_year.entry(y).or_default() += 1;
        }
    }
    let (Some(&first), Some(&last)) = (by_year.keys().next(), by_year.keys().last()) else {
        return (
            column_chart(style, measure, &[], ""),
            "The timeline is empty.".into(),
        );
    };
    let first = first / 5 * 5;
    let last = (last / 5 + 1) * 5;
    let max = by_year.values().copied().max().unwrap_or(1);
    let years = (last - first) as f64;
    // Dots of neighbouring years keep apart however narrow the figure.
    let r = 0.95f64.min(0.45 * (style.width - 6.0) / years);
    let step = 2.0 * r + 0.25;
    let axis = 8.0 + max as f64 * step;
    let height = axis + 12.0;
    let x_of = |y: f64| 3.0 + (y - first as f64) / years * (style.width - 6.0);
    let mut out = svg_open(style, height);
    if let Some(shade) = &book.maps.charts.shade {
        let span = (x_of(f64::from(shade.from)), x_of(f64::from(shade.to)));
        shade_band(&mut out, style, measure, span, axis, &shade.label);
    }
    for (year, count) in &by_year {
        let x = x_of(*year as f64 + 0.5);
        for i in 0..*count {
            let colour = if highlighted(book, *year) {
                Role::Accent
            } else {
                Role::Ink
            };
            let _ = write!(
                out,
                r#"<circle cx="{x:.2}" cy="{:.2}" r="{r}" fill="{}"/>"#,
                axis - r - 0.3 - i as f64 * step,
                style.colour(colour)
            );
        }
    }
    let _ = write!(
        out,
        r#"<path d="M3 {axis:.2}H{:.2}" stroke="{}" stroke-width="0.3"/>"#,
        style.width - 3.0,
        style.colour(Role::Ink)
    );
    for y in (first..=last).step_by(5) {
        let x = x_of(y as f64);
        let _ = write!(
            out,
            r#"<path d="M{x:.2} {axis:.2}v1.5" stroke="{}" stroke-width="0.3"/>"#,
            style.colour(Role::Ink)
        );
        if y % 10 == 0 || years <= 40.0 {
            text(
                &mut out,
                style,
                x,
                axis + 5.0,
                2.8,
                Role::Ink,
                "middle",
                &y.to_string(),
            );
        }
    }
    let drawn = finish_chart(
        out,
        style,
        height,
        "Each dot is one event of the timeline at the back of the book",
    );
    let busiest: Vec<String> = {
        let mut v: Vec<(&i32, &usize)> = by_year.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        v.iter()
            .take(3)
            .map(|(y, n)| format!("{y} ({n})"))
            .collect()
    };
    let alt = format!(
        "Dot chart of the {} events of the timeline by year, {first} to {last}; the busiest years are {}.",
        book.events.len(),
        busiest.join(", ")
    );
    (drawn, alt)
}

/// A shaded span of years from `t0` to `t1` down to the axis, named at its top; the name
/// stays inside the figure where it is wider than the span.
fn shade_band(
    out: &mut String,
    style: &Style,
    measure: &Measure<'_>,
    (t0, t1): (f64, f64),
    axis: f64,
    label: &str,
) {
    let _ = write!(
        out,
        r#"<rect x="{t0:.2}" y="2" width="{:.2}" height="{:.2}" fill="{}"/>"#,
        t1 - t0,
        axis - 2.0,
        style.colour(Role::Tint)
    );
    let half = measure.width(label, style.text_size(2.6)) / 2.0;
    let x = ((t0 + t1) / 2.0).max(half).min(style.width - half);
    text(out, style, x, 5.0, 2.6, Role::Muted, "middle", label);
}

/// Close a chart: its source line at the foot, the end of the SVG.
fn finish_chart(mut out: String, style: &Style, height: f64, source: &str) -> DrawnMap {
    text(
        &mut out,
        style,
        0.0,
        height - 1.2,
        2.3,
        Role::Muted,
        "start",
        source,
    );
    out.push_str("</svg>");
    DrawnMap::chart(out)
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_are_found_in_text() {
        assert_eq!(first_year("1899–1904; demolished 1960"), Some(1899));
        assert_eq!(first_year("worked from 1901"), Some(1901));
        assert_eq!(first_year("Japanese era"), None);
    }
}
