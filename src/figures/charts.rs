//! Charts drawn from the data as SVG: bars of counts, columns by decade, the timeline's dots.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::content::model::{Book, FigureKind, Status};
use crate::escape::xml;
use crate::figures::maps::{DrawnMap, WIDTH};
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
        let (drawn, alt) = decade_chart(style, book);
        figures.add(
            "chart-landmarks-decade".into(),
            FigureKind::Chart,
            drawn,
            "When the landmarks of this guide were built, by decade".into(),
            alt,
        );
    }
    if !book.events.is_empty() {
        let (drawn, alt) = timeline_chart(style, book);
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

fn svg_open(height: f64) -> String {
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.2}" width="{WIDTH}mm" height="{height:.2}mm">"#
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
        font = xml(&style.font),
        fill = style.colour(fill),
        body = xml(body)
    );
}

/// A horizontal bar chart with labels on the left, values at the bar ends and an optional note.
fn bar_chart(
    style: &Style,
    measure: &Measure<'_>,
    bars: &[Bar],
    legend: &[(Role, &str)],
    source: &str,
) -> DrawnMap {
    let size = 3.2;
    let label_w = bars
        .iter()
        .map(|b| measure.width(&b.label, size))
        .fold(0.0, f64::max)
        + 3.0;
    let max = bars
        .iter()
        .map(|b| b.segments.iter().map(|s| s.0).sum::<f64>())
        .fold(1.0, f64::max);
    let row = |b: &Bar| if b.note.is_some() { 11.0 } else { 7.0 };
    let legend_h = if legend.is_empty() { 0.0 } else { 7.0 };
    let height = legend_h + bars.iter().map(row).sum::<f64>() + 7.0;
    let plot_w = WIDTH - label_w - 12.0;
    let mut out = svg_open(height);
    let mut x = 0.0;
    for (colour, name) in legend {
        let _ = write!(
            out,
            r#"<rect x="{x:.2}" y="1.5" width="3.5" height="3" fill="{}"/>"#,
            style.colour(*colour)
        );
        text(&mut out, style, x + 5.0, 4.3, 2.8, Role::Ink, "start", name);
        x += measure.width(name, 2.8) + 11.0;
    }
    let mut y = legend_h + 1.0;
    for bar in bars {
        text(
            &mut out,
            style,
            label_w - 3.0,
            y + 4.1,
            size,
            Role::Ink,
            "end",
            &bar.label,
        );
        let mut bx = label_w;
        for (value, colour) in &bar.segments {
            let w = value / max * plot_w;
            let _ = write!(
                out,
                r#"<rect x="{bx:.2}" y="{y:.2}" width="{w:.2}" height="5.2" fill="{}"/>"#,
                style.colour(*colour)
            );
            bx += w;
        }
        let total: f64 = bar.segments.iter().map(|s| s.0).sum();
        text(
            &mut out,
            style,
            bx + 1.5,
            y + 4.1,
            size,
            Role::Ink,
            "start",
            &format!("{total}"),
        );
        if let Some(note) = &bar.note {
            text(
                &mut out,
                style,
                label_w,
                y + 8.6,
                2.6,
                Role::Muted,
                "start",
                note,
            );
        }
        y += row(bar);
    }
    let _ = write!(
        out,
        r#"<path d="M{label_w:.2} 0V{y:.2}" stroke="{}" stroke-width="0.3"/>"#,
        style.colour(Role::Ink)
    );
    finish_chart(out, style, height, source)
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

/// A column chart: one column per label, value above, labels below.
fn column_chart(style: &Style, columns: &[(String, usize, Role)], source: &str) -> DrawnMap {
    let height = 62.0;
    let (top, bottom) = (6.0, 48.0);
    let max = columns.iter().map(|c| c.1).max().unwrap_or(1).max(1) as f64;
    let slot = WIDTH / columns.len().max(1) as f64;
    let mut out = svg_open(height);
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
    let _ = write!(
        out,
        r#"<path d="M0 {bottom}H{WIDTH}" stroke="{}" stroke-width="0.3"/>"#,
        style.colour(Role::Ink)
    );
    finish_chart(out, style, height, source)
}

fn decade_chart(style: &Style, book: &Book) -> (DrawnMap, String) {
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
            column_chart(style, &[], ""),
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
    (column_chart(style, &columns, &source), alt)
}

fn timeline_chart(style: &Style, book: &Book) -> (DrawnMap, String) {
    let mut by_year: BTreeMap<i32, usize> = BTreeMap::new();
    for e in &book.events {
        if let Some(y) = e.date.get_ref().get(..4).and_then(|y| y.parse().ok()) {
            *by_year.entry(y).or_default() += 1;
        }
    }
    let (Some(&first), Some(&last)) = (by_year.keys().next(), by_year.keys().last()) else {
        return (
            column_chart(style, &[], ""),
            "The timeline is empty.".into(),
        );
    };
    let first = first / 5 * 5;
    let last = (last / 5 + 1) * 5;
    let max = by_year.values().copied().max().unwrap_or(1);
    let r = 0.95;
    let step = 2.0 * r + 0.25;
    let axis = 8.0 + max as f64 * step;
    let height = axis + 12.0;
    let years = (last - first) as f64;
    let x_of = |y: f64| 3.0 + (y - first as f64) / years * (WIDTH - 6.0);
    let mut out = svg_open(height);
    if let Some(shade) = &book.maps.charts.shade {
        let (t0, t1) = (x_of(f64::from(shade.from)), x_of(f64::from(shade.to)));
        let _ = write!(
            out,
            r#"<rect x="{t0:.2}" y="2" width="{:.2}" height="{:.2}" fill="{}"/>"#,
            t1 - t0,
            axis - 2.0,
            style.colour(Role::Tint)
        );
        text(
            &mut out,
            style,
            (t0 + t1) / 2.0,
            5.0,
            2.6,
            Role::Muted,
            "middle",
            &shade.label,
        );
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
        WIDTH - 3.0,
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
