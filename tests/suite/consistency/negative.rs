//! Each check fails when it should: small texts held in memory, made inconsistent on purpose,
//! and the file and line each problem must be reported at.

use std::collections::HashMap;

use guidebook::content::load::split_front_matter;
use guidebook::content::model::{Chapter, RailwayFile};
use guidebook::diagnostics::SourceFile;
use guidebook::figures::geo::LonLat;

use super::corpus::{Corpus, Finding};
use super::{dates, facts, index, legs, names};

/// A corpus of files given by name and text.
fn corpus(files: &[(&str, &str)]) -> Corpus {
    let files: Vec<SourceFile> = files
        .iter()
        .map(|(name, text)| SourceFile::new(*name, *text))
        .collect();
    Corpus::of_files(&files)
}

/// A chapter read from text as the loader reads it.
fn chapter(name: &str, text: &str) -> Chapter {
    let file = SourceFile::new(name, text);
    let (meta, meta_offset, body_offset) = split_front_matter(&file).expect("front matter");
    Chapter {
        slug: "test".to_string(),
        body: text[body_offset..].to_string(),
        file,
        meta,
        meta_offset,
        body_offset,
    }
}

/// Where the findings are, sorted: `file:line`.
fn places(findings: &[Finding]) -> Vec<String> {
    let mut places: Vec<String> = findings.iter().map(Finding::place).collect();
    places.sort();
    places
}

/// Assert that findings are exactly at these places, showing them if not.
fn assert_at(findings: &[Finding], expected: &[&str]) {
    let shown: Vec<String> = findings.iter().map(ToString::to_string).collect();
    assert_eq!(
        places(findings),
        expected,
        "findings:\n{}",
        shown.join("\n")
    );
}

/// Three landmarks one kilometre and more apart, for itineraries.
fn coordinates(id: &str) -> Option<LonLat> {
    let all: HashMap<&str, LonLat> = [
        ("a", LonLat::new(126.6200, 45.7600)),
        ("b", LonLat::new(126.6330, 45.7600)),
        ("c", LonLat::new(126.6330, 45.7800)),
    ]
    .into_iter()
    .collect();
    all.get(id).copied()
}

/// A walking itinerary from `a` to `b` (1.01 km) to `c` (2.22 km), with its notes and intro.
fn walk(intro: &str, first_note: &str, stops: &str) -> String {
    format!(
        "+++\ntitle = \"Test\"\n\n[[itinerary]]\ntitle = \"Walk\"\ncity = \"Harbin\"\nmode = \"walk\"\n\
         intro = \"{intro}\"\n\n[[itinerary.stop]]\nlandmark = \"a\"\nnote = \"{first_note}\"\n{stops}+++\n\nBody.\n"
    )
}

/// A leg of 0.8 km between stops 1.01 km apart.
#[test]
fn a_leg_shorter_than_the_straight_line_is_reported_at_its_distance() {
    let stops = "\n[[itinerary.stop]]\nlandmark = \"b\"\nnote = \"On.\"\ndistance_km = 0.8\n\n\
                 [[itinerary.stop]]\nlandmark = \"c\"\nnote = \"End.\"\ndistance_km = 2.3\n";
    let text = walk("About 3 km.", "Go east.", stops);
    let report = legs::check_itineraries(&chapter("chapters/07-harbin.md", &text), coordinates);
    assert_at(&report.findings, &["chapters/07-harbin.md:17"]);
    assert!(
        report.findings[0]
            .message
            .contains("shorter than the straight line, 1.009 km")
    );
}

/// Distances on the wrong stops.
#[test]
fn a_first_stop_with_a_distance_and_a_later_stop_without_are_reported() {
    let text = "+++\ntitle = \"Test\"\n\n[[itinerary]]\ntitle = \"Day\"\ncity = \"Harbin\"\nmode = \"day\"\n\
                intro = \"A day.\"\n\n[[itinerary.stop]]\nlandmark = \"a\"\nnote = \"Start.\"\ndistance_km = 1\n\n\
                [[itinerary.stop]]\nlandmark = \"b\"\nnote = \"End.\"\n+++\n";
    let report = legs::check_itineraries(&chapter("chapters/08-northeast.md", text), coordinates);
    assert_at(
        &report.findings,
        &["chapters/08-northeast.md:13", "chapters/08-northeast.md:16"],
    );
}

/// A note and an introduction that give other distances than the legs.
#[test]
fn notes_and_introductions_that_disagree_with_the_legs_are_reported() {
    let stops = "\n[[itinerary.stop]]\nlandmark = \"b\"\nnote = \"Then about 3 km (40 minutes) north.\"\n\
                 distance_km = 1.2\n\n[[itinerary.stop]]\nlandmark = \"c\"\nnote = \"End.\"\ndistance_km = 2.3\n";
    // The first note gives the next leg as 1.2 km (right); the second gives 3 km for a 2.3 km
    // leg; the walk is 3.5 km in all, not 6.
    let text = walk(
        "About 6 km through the old town.",
        "About 1.2 km east.",
        stops,
    );
    let report = legs::check_itineraries(&chapter("chapters/07-harbin.md", &text), coordinates);
    assert_at(
        &report.findings,
        &["chapters/07-harbin.md:16", "chapters/07-harbin.md:8"],
    );
    // "walk 1.7 km, then 5.5 km by taxi" gives one leg of 7.2 km in two parts, and "4–5 km"
    // a range that holds 4.5.
    let stops = "\n[[itinerary.stop]]\nlandmark = \"b\"\nnote = \"About 4–5 km by taxi.\"\n\
                 distance_km = 7.2\n\n[[itinerary.stop]]\nlandmark = \"c\"\nnote = \"End.\"\ndistance_km = 4.5\n";
    let text = walk("About 11.7 km.", "Walk 1.7 km, then 5.5 km by taxi.", stops);
    let report = legs::check_itineraries(&chapter("chapters/07-harbin.md", &text), coordinates);
    assert_at(&report.findings, &[]);
}

/// Alt text and prose that give a route length no run of legs has.
#[test]
fn figure_text_off_the_drawn_legs_or_the_road_is_reported() {
    let stops = "\n[[itinerary.stop]]\nlandmark = \"b\"\nnote = \"On.\"\ndistance_km = 1.5\n\n\
                 [[itinerary.stop]]\nlandmark = \"c\"\nnote = \"End.\"\ndistance_km = 3\n";
    let body = "\n![The dashed route runs about 9 km from the station to the river.](images/r.png)\n\n\
                The two ends lie some 4.5 km apart by road, and some 7 km apart by road.\n";
    let text = walk("About 4.5 km.", "Go.", stops).replace("\nBody.\n", body);
    let report = legs::check_itineraries(&chapter("chapters/07-harbin.md", &text), coordinates);
    assert_at(
        &report.findings,
        &["chapters/07-harbin.md:25", "chapters/07-harbin.md:27"],
    );
}

/// Strel'nikov and Zhalanashkol', among pinyin and English apostrophes that stay.
#[test]
fn soft_signs_written_as_apostrophes_are_reported() {
    let corpus = corpus(&[(
        "chapters/12-borderlands.md",
        "+++\ntitle = \"Border\"\n+++\n\nXi'an, Yan'an and Ang'angxi; the workers' village, Mao's 'national form'.\n\n\
         Senior Lieutenant Ivan Strel'nikov was killed.\n\nThe lake of Zhalanashkol' lies west.\n",
    )]);
    let findings = names::check_soft_signs(&corpus);
    assert_at(
        &findings,
        &[
            "chapters/12-borderlands.md:7",
            "chapters/12-borderlands.md:9",
        ],
    );
}

/// Pyotr, beside Solovyov-Sedoi and the pinyin you and yong.
#[test]
fn yo_for_russian_yo_is_reported_outside_the_conventional_forms() {
    let corpus = corpus(&[(
        "chapters/04-culture.md",
        "+++\ntitle = \"Culture\"\n+++\n\nVasily Solovyov-Sedoi wrote it; Ziyou Road and Zhongyong Shan.\n\n\
         It was staged by Pyotr Gusev.\n",
    )]);
    assert_at(&names::check_yo(&corpus), &["chapters/04-culture.md:7"]);
}

/// Luòyáng outside the note on names, and a pinyin field without tones.
#[test]
fn tone_marks_in_running_text_and_pinyin_without_them_are_reported() {
    let corpus = corpus(&[
        (
            "chapters/00-names.md",
            "+++\ntitle = \"Names\"\n+++\n\nWe write Luòyáng only here, over coffee in a café.\n",
        ),
        (
            "chapters/11-inland.md",
            "+++\ntitle = \"Inland\"\n+++\n\nThe works at Luòyáng.\n",
        ),
        (
            "chapters/glossary.toml",
            "[[term]]\nen = \"work unit\"\nzh = \"单位\"\npinyin = \"danwei\"\nnote = \"An employer.\"\n",
        ),
    ]);
    let findings = names::check_tone_marks(&corpus);
    assert_at(
        &findings,
        &["chapters/11-inland.md:5", "chapters/glossary.toml:4"],
    );
}

/// Kaleria for Калерия, beside a correct name and a translated title.
#[test]
fn a_romanised_name_that_is_not_its_cyrillic_is_reported() {
    let corpus = corpus(&[(
        "chapters/03-architecture.md",
        "+++\ntitle = \"Architecture\"\n+++\n\nViktor Semënovich Andreyev (Виктор Семёнович Андреев) and *Private Alexander \
         Matrosov* (Рядовой Александр Матросов).\n\nHis wife, Kaleria Kislova (Калерия Кислова), drew.\n",
    )]);
    let findings = names::check_romanised_pairs(&corpus);
    assert_at(&findings, &["chapters/03-architecture.md:7"]);
    assert!(
        findings[0].message.contains("“kaleriya”"),
        "{}",
        findings[0]
    );
}

/// Kovalev for Ковалёв and an alias that is not part of the name.
#[test]
fn a_person_named_off_their_russian_name_is_reported() {
    let corpus = corpus(&[(
        "chapters/people.toml",
        "[[person]]\nname = \"Nikita Khrushchev\"\nru = \"Никита Хрущёв\"\naliases = [\"Khrushchev\"]\n\n\
         [[person]]\nname = \"Ivan Kovalev\"\nru = \"Иван Ковалёв\"\naliases = [\"Kovalyov\"]\n\n\
         [[person]]\nname = \"Zhou Enlai\"\nru = \"Чжоу Эньлай\"\n",
    )]);
    let findings = names::check_people(&corpus);
    assert_at(
        &findings,
        &["chapters/people.toml:7", "chapters/people.toml:9"],
    );
}

/// "Moscow Nights" glossed with two Russian titles.
#[test]
fn one_english_name_glossed_with_two_russian_names_is_reported() {
    let corpus = corpus(&[(
        "chapters/04-culture.md",
        "+++\ntitle = \"Culture\"\n+++\n\n\"Moscow Nights\" (Подмосковные вечера) is sung.\n\n\
         In Harbin \"Moscow Nights\" (Московские ночи) is sung too.\n",
    )]);
    let findings = names::check_one_cyrillic_per_name(&corpus);
    assert_at(&findings, &["chapters/04-culture.md:7"]);
}

/// 北京展览馆 as Beijing Exhibition Hall and Beijing Exhibition Centre.
#[test]
fn one_chinese_name_given_two_english_names_is_reported() {
    let corpus = corpus(&[
        (
            "chapters/glossary.toml",
            "[[term]]\nen = \"Beijing Exhibition Hall\"\nzh = \"北京展览馆\"\npinyin = \"Běijīng Zhǎnlǎnguǎn\"\nnote = \"A hall.\"\n",
        ),
        (
            "chapters/landmarks.toml",
            "[[landmark]]\nid = \"beijing-exhibition-centre\"\nname = \"Beijing Exhibition Centre (former Soviet Exhibition Hall)\"\n\
             name_zh = \"北京展览馆（原苏联展览馆）\"\n",
        ),
        (
            "chapters/05-split.md",
            "+++\ntitle = \"Split\"\n+++\n\nZhenbao Island (珍宝岛), Damansky (Даманский) to the Russians.\n",
        ),
    ]);
    let findings = index::check_one_name_per_key(&corpus);
    assert_at(&findings, &["chapters/landmarks.toml:3"]);
}

/// Angangxi and Ang'angxi, Democrat and Demokrat, Jiao Tong and Jiaotong; Shanxi and Shaanxi stay.
#[test]
fn one_name_spelled_two_ways_is_reported() {
    let corpus = corpus(&[
        (
            "chapters/railways.toml",
            "[[line]]\nid = \"cer\"\nname = \"Western arm\"\n\n[[line.station]]\nname = \"Angangxi\"\n",
        ),
        (
            "chapters/08-northeast.md",
            "+++\ntitle = \"Northeast\"\n+++\n\nThe cemetery at Ang'angxi, the works of Shanxi and Shaanxi.\n\n\
             Colonel Democrat Leonov, or Demokrat Leonov.\n\nA graduate of Jiao Tong University; Jiaotong \
             University moved; Jiaotong staff followed; Russian-language and Russian Language schools.\n",
        ),
    ]);
    let findings = index::check_one_spelling_per_name(&corpus);
    assert_at(
        &findings,
        &[
            "chapters/08-northeast.md:7",
            "chapters/08-northeast.md:9",
            "chapters/railways.toml:6",
        ],
    );
}

/// Dongfanghong Agricultural Museum for Dongfanghong Farming Museum.
#[test]
fn one_place_named_with_a_synonym_is_reported() {
    let corpus = corpus(&[
        (
            "chapters/landmarks.toml",
            "[[landmark]]\nid = \"luoyang-dongfanghong-museum\"\nname = \"Dongfanghong Farming Museum\"\n",
        ),
        (
            "chapters/06-legacy.md",
            "+++\ntitle = \"Legacy\"\n+++\n\nIn Luoyang the Dongfanghong Agricultural Museum opened in 2012.\n",
        ),
    ]);
    let findings = index::check_synonym_names(&corpus);
    assert_at(&findings, &["chapters/landmarks.toml:3"]);
    assert!(
        findings[0]
            .message
            .contains("Dongfanghong Agricultural Museum")
    );
}

/// A registry of one fact and one event, for the negative tests of the facts check.
const REGISTRY: &str = "[[fact]]\nid = \"students sent, 1950–1963\"\nvalue = \"8,357\"\nplaces = 2\n\
    patterns = ['{number} (?:Chinese )?students were sent']\n\n\
    [[event]]\ntimeline = \"Ambush on Zhenbao (Damansky) Island\"\nplaces = 2\nphrases = ['ambushed a Soviet patrol']\n";

/// A registered count stated with other values, and a count of places that is off.
#[test]
fn a_fact_stated_with_another_value_or_in_other_places_is_reported() {
    let corpus = corpus(&[(
        "chapters/04-culture.md",
        "+++\ntitle = \"Culture\"\n+++\n\nBetween 1950 and 1963, 8,357 students were sent.\n\n\
         By 1959 some 8,300 Chinese students were sent to study.\n\n9,000 students were sent later.\n",
    )]);
    let registry = SourceFile::new("chapters/facts.toml", REGISTRY);
    let timeline = [("1969-03-02", "Ambush on Zhenbao (Damansky) Island")];
    let findings = facts::check(&corpus, &registry, &timeline);
    // 8,300 and 9,000 contradict the registry; three statements are one more than it counts;
    // the event is spoken of nowhere.
    assert_at(
        &findings,
        &[
            "chapters/04-culture.md:7",
            "chapters/04-culture.md:9",
            "chapters/facts.toml:2",
            "chapters/facts.toml:8",
        ],
    );
}

/// An ambush dated 3 March where the timeline says 2 March.
#[test]
fn a_sentence_about_a_dated_event_with_another_date_is_reported() {
    let corpus = corpus(&[
        (
            "chapters/05-split.md",
            "+++\ntitle = \"Split\"\n+++\n\n## 1969\n\nOn 3 March 1969 Chinese troops ambushed a Soviet patrol.\n\n\
             Then, on 2 March, Chinese troops ambushed a Soviet patrol; 8,357 students were sent.\n",
        ),
        (
            "chapters/timeline.toml",
            "[[event]]\ndate = \"1969-03-02\"\ntitle = \"Ambush\"\ntext = \"Chinese troops ambushed a Soviet patrol.\"\n",
        ),
    ]);
    let registry = SourceFile::new(
        "chapters/facts.toml",
        REGISTRY.replace("places = 2\nphrases", "places = 3\nphrases"),
    );
    let timeline = [("1969-03-02", "Ambush on Zhenbao (Damansky) Island")];
    let findings = facts::check(&corpus, &registry, &timeline);
    // 3 March is wrong; "2 March" takes 1969 from its heading; the timeline's own sentence
    // carries its entry's date; the fact is stated once, not twice.
    assert_at(
        &findings,
        &["chapters/05-split.md:7", "chapters/facts.toml:2"],
    );
}

/// An invalid pattern and an unknown timeline entry in the registry.
#[test]
fn a_broken_registry_is_reported_at_its_line() {
    let registry = SourceFile::new(
        "chapters/facts.toml",
        "[[fact]]\nid = \"x\"\nvalue = \"1\"\nplaces = 0\npatterns = ['({number}']\n\n\
         [[event]]\ntimeline = \"No such entry\"\nplaces = 0\nphrases = ['x']\n",
    );
    let findings = facts::check(&Corpus::default(), &registry, &[]);
    assert_at(
        &findings,
        &["chapters/facts.toml:5", "chapters/facts.toml:8"],
    );
}

/// A sentence that links to a landmark with another day than its entry, in the same month.
#[test]
fn a_date_that_differs_from_the_landmark_entry_is_reported() {
    let corpus = corpus(&[
        (
            "chapters/landmarks.toml",
            "[[landmark]]\nid = \"harbin-flood-control-monument\"\nname = \"Flood Control Monument\"\n\
             description = \"\"\"\nThe city built this monument in 1958, completing it on 1 October.\n\"\"\"\n",
        ),
        (
            "chapters/07-harbin.md",
            "+++\ntitle = \"Harbin\"\n+++\n\nThe [monument](landmark:harbin-flood-control-monument) was begun in \
             1958.\n\nThe [monument](landmark:harbin-flood-control-monument) was completed on 10 October 1958; \
             the flood of 1957 crested on 18 August.\n",
        ),
    ]);
    assert_at(
        &dates::check_landmark_dates(&corpus),
        &["chapters/07-harbin.md:7"],
    );
}

/// A station away from its landmark entry, and a station with two positions.
#[test]
fn a_station_away_from_its_landmark_or_from_itself_is_reported() {
    let text = "[[network]]\nid = \"cer\"\nname = \"CER\"\n\n[[line]]\nid = \"a\"\nname = \"A\"\n\
                network = \"cer\"\nopened = \"1903\"\nsources = []\n\n[[line.station]]\nname = \"Harbin\"\n\
                lat = 45.7578\nlon = 126.6244\n\n[[line.station]]\nname = \"Suifenhe\"\nlat = 44.40\nlon = 131.15\n\n\
                [[line]]\nid = \"b\"\nname = \"B\"\nnetwork = \"cer\"\nopened = \"1903\"\nsources = []\n\n\
                [[line.station]]\nname = \"Suifenhe\"\nlat = 44.41\nlon = 131.15\n\n\
                [[line.station]]\nname = \"Lüshun\"\nlat = 38.9\nlon = 121.2473\n";
    let railways: RailwayFile = toml::from_str(text).expect("a railway file");
    let file = SourceFile::new("chapters/railways.toml", text);
    let landmark = |name: &str| match name {
        "Harbin Railway Station" => Some(LonLat::new(126.6244, 45.7578)),
        "Lüshun Railway Station" => Some(LonLat::new(121.24728, 38.80684)),
        _ => None,
    };
    let findings = legs::check_stations(&railways, &file, landmark);
    assert_at(
        &findings,
        &["chapters/railways.toml:31", "chapters/railways.toml:36"],
    );
}
