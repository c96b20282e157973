//! Maps and charts drawn from the data: projection, placement of labels, content of the
//! SVGs, and the figures in the real PDF.

use std::collections::HashSet;

use guidebook::content::model::{Book, FigureKind};
use guidebook::figures::geo::{Lambert, LonLat, distance_km};
use guidebook::figures::maps::Frame;
use guidebook::figures::style::Style;
use guidebook::figures::{self, Figures};
use guidebook::sandbox::Sandbox;

use crate::common::*;

fn book() -> Book {
    load_book(&repo()).expect("the default book loads")
}

/// The projection of the book's maps.
fn projection() -> Lambert {
    figures::projection(&book())
}

/// How the screen edition draws its figures.
fn style(book: &Book) -> Style {
    let palette = [
        ("ink", "#1d1b19"),
        ("accent", "#a3261c"),
        ("ochre", "#c98a2b"),
        ("tint", "#f4ede1"),
        ("rule", "#8c8377"),
        ("muted", "#5d574f"),
        ("green", "#3f6b3a"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    Style::new(figures::DEFAULT_FONT, &palette, figures::projection(book))
}

fn all_figures(book: &Book) -> Figures {
    let sandbox = Sandbox::new(&repo()).unwrap();
    figures::build(&sandbox, book, &style(book)).expect("figures are drawn")
}

#[test]
fn projection_round_trips_and_keeps_known_directions() {
    let p = projection();
    for lat in (15..=58).step_by(7) {
        for lon in (70..=145).step_by(9) {
            let (x, y) = p.forward(LonLat::new(lon as f64, lat as f64));
            let back = p.inverse(x, y);
            assert!(
                (back.lon - lon as f64).abs() < 1e-8 && (back.lat - lat as f64).abs() < 1e-8,
                "{lon},{lat} came back as {back:?}"
            );
        }
    }
    let beijing = LonLat::new(116.39, 39.91);
    let harbin = LonLat::new(126.63, 45.75);
    let shanghai = LonLat::new(121.47, 31.23);
    let frame = Frame::fit(
        projection(),
        &[beijing, harbin, shanghai],
        0.1,
        0.0,
        (0.6, 1.2),
    );
    let (bx, by) = frame.point(beijing);
    let (hx, hy) = frame.point(harbin);
    let (sx, sy) = frame.point(shanghai);
    // SVG y grows downwards: Harbin lies north-east of Beijing, Shanghai south-east.
    assert!(hx > bx && hy < by, "Harbin must be north-east of Beijing");
    assert!(sx > bx && sy > by, "Shanghai must be south-east of Beijing");
    // Beijing–Harbin is about 1,050 km along the great circle.
    let d = distance_km(beijing, harbin);
    assert!((1000.0..1100.0).contains(&d), "Beijing–Harbin {d} km");
}

#[test]
fn distances_along_the_railway_match_great_circles() {
    let book = book();
    let (railways, _) = book
        .railways
        .as_ref()
        .expect("chapters/railways.toml exists");
    let p = projection();
    let mut checked = 0;
    for line in &railways.lines {
        for pair in line.stations.windows(2) {
            let a = LonLat::new(*pair[0].lon.get_ref(), *pair[0].lat.get_ref());
            let b = LonLat::new(*pair[1].lon.get_ref(), *pair[1].lat.get_ref());
            let (ax, ay) = p.forward(a);
            let (bx, by) = p.forward(b);
            let mid_lat = (a.lat + b.lat) / 2.0;
            let on_map = ((bx - ax).powi(2) + (by - ay).powi(2)).sqrt() / p.scale_factor(mid_lat);
            let true_km = distance_km(a, b);
            assert!(
                (on_map - true_km).abs() / true_km < 0.03,
                "{} – {}: {on_map:.1} km on the map, {true_km:.1} km on the globe",
                pair[0].name,
                pair[1].name
            );
            checked += 1;
        }
    }
    assert!(checked > 20);
    // Harbin to Manzhouli is about 800 km as the crow flies (the line is 935 km long).
    let western = railways
        .lines
        .iter()
        .find(|l| l.id.get_ref() == "cer-western")
        .unwrap();
    let ends = (
        western.stations.first().unwrap(),
        western.stations.last().unwrap(),
    );
    let d = distance_km(
        LonLat::new(*ends.0.lon.get_ref(), *ends.0.lat.get_ref()),
        LonLat::new(*ends.1.lon.get_ref(), *ends.1.lat.get_ref()),
    );
    assert!((740.0..860.0).contains(&d), "Manzhouli–Harbin {d} km");
}

#[test]
fn overview_map_marks_every_city_with_landmarks() {
    let book = book();
    let figures = all_figures(&book);
    let overview = figures.get("map-overview").expect("an overview map");
    let cities: HashSet<&str> = book.landmarks.iter().map(|l| l.city.as_str()).collect();
    for city in &cities {
        assert!(
            overview.drawn.markers.iter().any(|m| m == city),
            "{city} has no marker on the overview map"
        );
        assert!(
            overview
                .drawn
                .svg
                .contains(&format!(">{}<", guidebook::escape::xml(city))),
            "{city} is not labelled"
        );
    }
    let circles = overview.drawn.svg.matches("<circle").count();
    assert!(
        circles >= cities.len(),
        "{circles} markers for {} cities",
        cities.len()
    );
}

#[test]
fn no_two_labels_overlap_on_any_map() {
    let book = book();
    let figures = all_figures(&book);
    let maps: Vec<_> = figures
        .list
        .iter()
        .filter(|f| f.kind == FigureKind::Map)
        .collect();
    assert!(maps.len() >= 10, "only {} maps", maps.len());
    for map in maps {
        assert!(!map.drawn.labels.is_empty(), "{} has no labels", map.id);
        for (i, a) in map.drawn.labels.iter().enumerate() {
            for b in &map.drawn.labels[i + 1..] {
                assert!(!a.overlaps(b), "{}: labels {a:?} and {b:?} overlap", map.id);
            }
        }
        for furniture in ["Natural Earth", ">N<", ">0<"] {
            assert!(
                map.drawn.svg.contains(furniture),
                "{} lacks {furniture}",
                map.id
            );
        }
        assert!(
            map.drawn.svg.contains(" km<") || map.drawn.svg.contains(" m<"),
            "{} has no scale bar",
            map.id
        );
    }
}

#[test]
fn every_itinerary_has_a_city_map_with_numbered_stops() {
    let book = book();
    let figures = all_figures(&book);
    for chapter in book.chapters() {
        for (index, itinerary) in chapter.meta.itineraries.iter().enumerate() {
            let id = figures
                .itinerary_maps
                .get(&(chapter.slug.clone(), index))
                .unwrap_or_else(|| panic!("no map for {}", itinerary.title));
            let map = figures.get(id).unwrap();
            assert_eq!(map.drawn.markers.len(), itinerary.stops.len(), "{id}");
            for n in 1..=itinerary.stops.len() {
                assert!(
                    map.drawn.svg.contains(&format!(">{n}</text>")),
                    "{id} lacks stop {n}"
                );
            }
            // Every stop is numbered once (in the main map or an inset), labelled, and no
            // two numbered markers cover each other.
            assert_eq!(map.drawn.stops.len(), itinerary.stops.len(), "{id}");
            assert!(
                map.drawn.unlabelled.is_empty(),
                "{id}: no label for {:?}",
                map.drawn.unlabelled
            );
            for (i, a) in map.drawn.stops.iter().enumerate() {
                for b in &map.drawn.stops[i + 1..] {
                    let d = ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt();
                    assert!(d >= a.2 + b.2, "{id}: markers at {a:?} and {b:?} overlap");
                }
            }
        }
    }
    // Dalian to Lüshun runs 45 km between two tight groups of stops: each gets an inset.
    let dalian = figures.get("map-itinerary-dalian").unwrap();
    assert_eq!(
        dalian.drawn.insets, 2,
        "the Dalian–Lüshun map has an inset per town"
    );
    assert!(
        dalian
            .drawn
            .svg
            .contains("Area enlarged in the inset below")
    );
    assert!(
        dalian.alt.contains("Insets under the map"),
        "the alt text mentions the insets"
    );
}

#[test]
fn figures_for_the_epub_have_captions_and_alt_text() {
    let book = book();
    let list = all_figures(&book).list;
    let ids: HashSet<&str> = list.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids.len(), list.len(), "figure ids are unique");
    for figures::Figure {
        id,
        drawn,
        caption,
        alt,
        ..
    } in &list
    {
        let svg = &drawn.svg;
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{id}");
        assert!(!caption.is_empty() && alt.len() > 40, "{id}: {alt}");
        assert!(svg.contains("font-family=\"Noto Sans\""), "{id}");
    }
    for id in [
        "chart-projects-sectors",
        "chart-landmark-status",
        "chart-timeline",
        "map-railways",
    ] {
        assert!(ids.contains(id), "{id} missing");
    }
    let sectors = list
        .iter()
        .find(|f| f.id == "chart-projects-sectors")
        .unwrap();
    assert!(sectors.alt.contains("Energy 52") && sectors.alt.contains("Defence industry 44"));
}

#[test]
fn the_pdf_numbers_and_lists_every_figure() {
    let book = book();
    let figures = all_figures(&book);
    // Typst joins the supplement and the number with a no-break space.
    let text = pdf_text(&shipped().pdf("screen")).replace('\u{a0}', " ");
    let maps = figures
        .list
        .iter()
        .filter(|f| f.kind == FigureKind::Map)
        .count();
    // Images in the chapters (none in the default book) are numbered and listed with the
    // charts.
    let images: usize = book.chapters().map(|c| c.body.matches("![").count()).sum();
    let charts = figures.list.len() - maps + images;
    // Each caption appears twice: under the figure and in the list of maps or figures.
    for n in 1..=maps {
        assert!(text.contains(&format!("Map {n}:")), "no caption Map {n}");
    }
    assert!(
        !text.contains(&format!("Map {}:", maps + 1)),
        "more maps than figures drawn"
    );
    for n in 1..=charts {
        assert_eq!(
            text.matches(&format!("Figure {n}:")).count(),
            1,
            "caption Figure {n} missing or given twice"
        );
    }
    assert!(!text.contains(&format!("Figure {}:", charts + 1)));
    for figure in &figures.list {
        let words: String = figure
            .caption
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            text.matches(&words).count() >= 2,
            "{}: caption not found twice",
            figure.id
        );
    }
}

#[test]
fn an_unknown_figure_in_front_matter_is_located() {
    let fixture = Fixture::new();
    let chapter = fixture.read("chapters/01-harbin.md");
    let chapter = chapter.replacen("+++\n", "+++\nfigures = [\"map-nowhere\"]\n", 1);
    fixture.write("chapters/01-harbin.md", &chapter);
    let output = fixture.build();
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(
        err.contains("chapters/01-harbin.md:2:") && err.contains("unknown figure `map-nowhere`"),
        "{err}"
    );
}

#[test]
fn rivers_and_provinces_are_on_the_regional_maps() {
    let base = figures::base_map(&Sandbox::new(&repo()).unwrap(), figures::BASE_MAP)
        .expect("the base map decodes");
    assert!(!base.lakes.is_empty(), "no lakes");
    // The Songhua at Harbin, the Yangtze at Wuhan, the Yellow River at Lanzhou, the Amur at
    // Heihe: each passes within a few kilometres of the city centre.
    for (city, lon, lat) in [
        ("Harbin", 126.63, 45.77),
        ("Wuhan", 114.30, 30.59),
        ("Lanzhou", 103.83, 36.06),
        ("Heihe", 127.50, 50.25),
    ] {
        let at = LonLat::new(lon, lat);
        let nearest = base
            .rivers
            .iter()
            .flatten()
            .map(|p| distance_km(at, *p))
            .fold(f64::MAX, f64::min);
        assert!(
            nearest < 12.0,
            "no river within 12 km of {city} ({nearest:.1} km)"
        );
    }
    let figures = all_figures(&book());
    let inland = figures.get("map-region-inland").expect("the inland map");
    assert!(
        inland.drawn.svg.contains(">River<"),
        "the inland map's legend names its rivers"
    );
}
