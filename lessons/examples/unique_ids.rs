//! The Rust code of `notebooks/02-unique-ids.ipynb`, cell by cell, as one program.
//!
//! Each `// cell` line starts the code of the next notebook code cell (after the `:dep` cell); a
//! cell whose last line is a bare variable shows that value, which here is spelled
//! `variable.evcxr_display();`. `tests/unique_ids_notebook.rs` checks that the two stay
//! identical, runs this program, and the assertions at the end pin the numbers the notebook's
//! prose quotes.
//!
//! Run it with `cargo run -p lessons --example unique_ids`.

use std::error::Error;

pub fn main() -> Result<(), Box<dyn Error>> {
    // cell
    use lessons::display::RichDisplay;
    use lessons::ids::*;
    use lessons::sim::*;
    use lessons::table::Table;
    use lessons::try_it::check_prediction;
    use lessons::viz::Figure;
    use lessons::widgets::{Control, interact};

    // cell
    let twitter = Layout::twitter();
    let tweet = 1_050_118_621_198_921_728_u64;
    let fields = twitter.decode(tweet)?;
    let created = twitter.created_at(tweet)?;
    println!("{fields:?}");
    println!(
        "created {} ms after 1970-01-01 UTC, i.e. {} ms after Twitter's epoch",
        created.as_nanos() / 1_000_000,
        fields.millis
    );
    let title = "Tweet 1050118621198921728, bit by bit (yellow = 1)";
    id_bits_heatmap(twitter, tweet, title).show();

    // cell
    let prediction: Option<_> = None; // the machine field of tweet + 4,096
    let next_door = twitter.decode(tweet + 4_096)?;
    println!(
        "{}",
        check_prediction(
            prediction,
            next_door.machine,
            format!(
                "{next_door:?}: 4,096 is 2^12, one past the largest 12-bit sequence, so adding it \
                 leaves the sequence at 0 and carries 1 into the machine field, the next bits up."
            )
        )
    );

    // cell
    let mut layouts = Table::new([
        "layout",
        "bits: time + machine + sequence",
        "epoch (ms since 1970)",
        "IDs per ms per machine",
        "lifetime (years)",
    ]);
    for (name, layout) in [
        ("Twitter", Layout::twitter()),
        ("Discord", Layout::discord()),
        ("Instagram", Layout::instagram()),
    ] {
        let (t, m, s) = layout.widths();
        layouts.push_row([
            name.to_string(),
            format!("{t} + {m} + {s}"),
            (layout.epoch().as_nanos() / 1_000_000).to_string(),
            layout.ids_per_millisecond().to_string(),
            format!(
                "{:.1}",
                layout.lifetime().as_secs_f64() / (365.25 * 86_400.0)
            ),
        ])?;
    }
    layouts.evcxr_display();

    // cell
    let placement = shard_routing_experiment(100_000, 4, 8, 1)?;
    shard_load_figure(&placement).show();
    let misrouted: u64 = placement
        .iter()
        .map(|row| row.posts.abs_diff(row.routed_here))
        .sum();
    let moved: u64 = placement.iter().map(|row| row.moved_in).sum();
    println!("misrouted by their ID: {misrouted}; posts moved going from 4 to 8 servers: {moved}");
    Table::from_rows(&placement)?.evcxr_display();

    // cell
    let prediction: Option<bool> = None; // more than half of the posts move?
    let to_six = shard_routing_experiment(100_000, 4, 6, 1)?;
    let moved_to_six: u64 = to_six.iter().map(|row| row.moved_in).sum();
    println!(
        "{}",
        check_prediction(
            prediction,
            2 * moved_to_six > 100_000,
            format!(
                "{moved_to_six} of 100,000 posts move. A shard stays only if s % 4 = s % 6, which \
                 holds for 4 residues of every 12: two thirds of the shards move. Doubling keeps \
                 half in place; other steps of a modulo table move more (lesson 06)."
            )
        )
    );

    // cell
    let offered = [500, 1_000, 2_000, 3_000, 4_000, 4_096, 5_000, 6_000, 8_000];
    let rows = saturation(Layout::twitter(), &offered, 20)?;
    let points: Vec<(f64, f64)> = rows
        .iter()
        .map(|row| (row.offered_per_ms as f64, row.issued_per_ms))
        .collect();
    Figure::new("One generator, Twitter's layout")
        .x_label("requests offered per ms")
        .y_label("IDs issued per ms")
        .line("issued", points)
        .show();
    Figure::new("Past the limit, requests queue")
        .x_label("requests offered per ms")
        .y_label("mean wait for an ID (µs), over a 20 ms run")
        .line(
            "mean wait",
            rows.iter()
                .map(|row| (row.offered_per_ms as f64, row.mean_wait_us)),
        )
        .show();

    // cell
    let rollbacks = [
        1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000,
    ];
    let mut rollback_rows = Vec::new();
    for millis in rollbacks {
        rollback_rows.extend(rollback_trial(ms(millis))?);
    }
    rollback_duplicates_figure(&rollback_rows).show();
    rollback_delay_figure(&rollback_rows).show();
    let five_seconds: Vec<RollbackRow> = rollback_rows
        .iter()
        .filter(|row| row.rollback_ms == 5_000.0)
        .copied()
        .collect();
    Table::from_rows(&five_seconds)?.evcxr_display();

    // cell
    let prediction: Option<_> = None; // duplicates when the clock is trusted
    let short_step = rollback_trial(ms(100))?;
    let trusted = short_step[0];
    println!(
        "{}",
        check_prediction(
            prediction,
            trusted.duplicates,
            format!(
                "{}: the 100 milliseconds the clock lives again are each issued a second time, \
                 4 IDs in each (one every 250 µs) with the same sequence numbers: 400.",
                trusted.policy
            )
        )
    );

    // cell
    // The clock steps back 5 s and the process restarts at that moment; each policy runs
    // with a generator that starts empty and with one that reads its last millisecond back.
    let restart_rows = restart_trial(ms(5_000))?;
    Table::from_rows(&restart_rows)?.evcxr_display();

    // cell
    let skews = [0, 1, 2, 5, 10, 20, 50, 100, 200];
    let skew_rows: Vec<SkewRow> = skews
        .iter()
        .map(|&skew| skew_trial(8, ms(skew), 7))
        .collect::<Result<_, _>>()?;
    inversions_figure(&skew_rows).show();
    inversion_gap_figure(&skew_rows).show();
    Table::from_rows(&skew_rows)?.evcxr_display();

    // cell
    let prediction: Option<bool> = None; // any duplicate ID with clocks 500 ms apart?
    let skew = 500; // try 5_000
    let row = skew_trial(8, ms(skew), 7)?;
    let why = format!(
        "{} duplicates and {:.1}% of IDs out of time order: the machine bits keep machines apart; \
         skew only breaks the order",
        row.duplicates,
        100.0 * row.inverted_fraction
    );
    println!("{}", check_prediction(prediction, row.duplicates > 0, why));

    // cell
    let new_year = 1_767_225_600_000_u64; // 2026-01-01T00:00:00Z in Unix milliseconds
    let mut id_rng = Rng::new(2);
    let v4 = Uuid::v4(&mut id_rng);
    let v7 = Uuid::v7(new_year, &mut id_rng)?;
    let ulid = Ulid::new(new_year, &mut id_rng)?;
    let snowflake = SnowflakeGenerator::new(twitter, 347, OnClockBackwards::Refuse)?
        .next_id(ms(new_year as i64))?;
    let formats = Table::from_rows(&id_formats(snowflake, v4, v7, ulid))?;
    formats.evcxr_display();

    // cell
    let prediction: Option<_> = None; // are 100 UUIDv7s of one millisecond in increasing order?
    let mut batch_rng = Rng::new(3);
    let one_millisecond: Vec<Uuid> = (0..100)
        .map(|_| Uuid::v7(new_year, &mut batch_rng))
        .collect::<Result<_, _>>()?;
    let rising = one_millisecond
        .windows(2)
        .filter(|pair| pair[0] < pair[1])
        .count();
    println!(
        "{}",
        check_prediction(
            prediction,
            rising == 99,
            format!(
                "{rising} of the 99 neighbouring pairs rise. The 48 time bits are equal, so the \
                 random bits decide: each pair rises with probability 1/2."
            )
        )
    );

    // cell
    let locality = index_locality(&KeyKind::ALL, 20_000, 100, 10, 1)?;
    fn per_kind(rows: &[LocalityRow], pick: fn(&LocalityRow) -> f64) -> Vec<(String, f64)> {
        rows.iter()
            .map(|row| (row.kind.to_string(), pick(row)))
            .collect()
    }

    Figure::new("20,000 keys, 10 per ms, into leaves of 100 keys")
        .y_label("leaves per 1,000 inserts")
        .bars(
            "leaves written",
            per_kind(&locality, |row| row.leaves_written_per_1000),
        )
        .bars(
            "leaves split",
            per_kind(&locality, |row| row.splits_per_1000),
        )
        .show();
    Figure::new("How full the leaves end up")
        .y_label("keys / leaf room (%)")
        .bars(
            "leaf fill",
            per_kind(&locality, |row| row.leaf_fill_percent),
        )
        .show();
    Table::from_rows(&locality)?.evcxr_display();

    // cell
    let prediction: Option<_> = None; // more than 150.1 leaves written per 1,000 inserts?
    let bigger = index_locality(&[KeyKind::UuidV4], 100_000, 100, 10, 1)?[0];
    println!(
        "{}",
        check_prediction(
            prediction,
            bigger.leaves_written_per_1000 > 150.1,
            format!(
                "{:.1} leaves per 1,000 inserts, with leaves still {:.1}% full: a random key goes \
                 to any leaf, and the more leaves there are, the fewer inserts share one.",
                bigger.leaves_written_per_1000, bigger.leaf_fill_percent
            )
        )
    );

    // cell
    let mut odd = StridedCounter::new(2, 1)?;
    let mut even = StridedCounter::new(2, 0)?;
    println!(
        "odd server:  {:?}",
        (0..5).filter_map(|_| odd.next_id()).collect::<Vec<_>>()
    );
    println!(
        "even server: {:?}",
        (0..5).filter_map(|_| even.next_id()).collect::<Vec<_>>()
    );
    let stride_rows = add_server_trial(3, 1_000, 10)?;
    Table::from_rows(&stride_rows)?.evcxr_display();

    // cell
    let prediction: Option<_> = None; // highest ID with step 4 reserved
    let tight = add_server_trial(3, 1_000, 4)?;
    let reserved = tight.last().cloned().ok_or("a row per plan")?;
    println!(
        "{}",
        check_prediction(
            prediction,
            reserved.highest_id,
            format!(
                "{} duplicates. Each old server issues 2,000 IDs four apart, the last at \
                 4 × 1,999 + 2 = 7,998: nearly every number used, and no room for a fifth server.",
                reserved.duplicates
            )
        )
    );

    // cell
    let letters_first = Base62::letters_first();
    let digits_first = Base62::digits_first();
    let qi = letters_first.encode(1_000);
    let g8 = digits_first.encode(1_000);
    println!("1000 = {} × 62 + {}", 1_000 / 62, 1_000 % 62);
    println!("with a-z A-Z 0-9: {qi}; with 0-9 a-z A-Z: {g8}");
    let seven_chars = Base62::code_space(7)?;
    println!("7 characters: {seven_chars} codes");

    // cell
    let prediction: Option<usize> = None; // characters for 1,000,000
    let number: u64 = 1_000_000; // try 62^4 = 14_776_336, then 14_776_335
    let code = letters_first.encode(number);
    let why = format!(
        "{number} is {code}: k characters reach up to 62^k - 1, and 62^3 = 238,328 is too few"
    );
    println!("{}", check_prediction(prediction, code.len(), why));

    // cell
    let random_spaces = [
        ("UUIDv4: 122 random bits", 2f64.powi(122)),
        ("ULID in one ms: 80 random bits", 2f64.powi(80)),
        ("UUIDv7 in one ms: 74 random bits", 2f64.powi(74)),
        ("7 Base62 characters: 62^7", seven_chars as f64),
    ];
    birthday_figure(&random_spaces)?.show();
    let v4_billion = collision_probability(1e9, 2f64.powi(122))?;
    let codes_for_half = (2.0 * seven_chars as f64 * 2f64.ln()).sqrt();
    let codes_pairs = expected_colliding_pairs(100e6, seven_chars as f64)?;
    let v7_per_ms = collision_probability(1_000.0, 2f64.powi(74))?;
    let ms_per_year = 365.25 * 86_400.0 * 1_000.0;
    let v7_year = -((-v7_per_ms).ln_1p() * ms_per_year).exp_m1();
    println!("1 billion UUIDv4s: {v4_billion:.2e}");
    println!(
        "random 7-character codes: 50% at {codes_for_half:.0} codes; {codes_pairs:.0} colliding pairs expected by 100 million"
    );
    println!("UUIDv7 at 1,000 per ms: {v7_per_ms:.2e} per ms, {v7_year:.1e} over a year");

    // cell
    let two_chars = Base62::code_space(2)?;
    let measured = collision_trial(
        two_chars,
        &[10, 20, 30, 40, 50, 60, 70, 80, 100, 120, 150],
        400,
        5,
    )?;
    colliding_pairs_figure(&measured).show();
    any_collision_figure(&measured).show();
    Table::from_rows(&measured)?.evcxr_display();

    // cell
    interact(
        vec![
            Control::int("random bits", 8..=16, 12)?,
            Control::int("trials", 50..=400, 200)?,
        ],
        |values| {
            let space = 1_u64 << values.int("random bits");
            // Twelve counts up to 3·√space: the curve's rise is always in view.
            let step = ((space as f64).sqrt() / 4.0).ceil() as u64;
            let counts: Vec<u64> = (1..=12).map(|k| k * step).collect();
            collision_trial(space, &counts, values.int("trials") as u32, 5)
                .map(|rows| any_collision_figure(&rows))
        },
    )?;

    // cell
    use lessons::partitioning::{Ring, hash_key};
    use std::collections::{HashMap, HashSet};
    let ring = Ring::with_nodes(64, ["db-1", "db-2", "db-3", "db-4"])?;
    let code_length = 4;
    let code_space = Base62::code_space(code_length)?;
    let urls: usize = 20_000;
    let mut code_rng = Rng::new(24);
    let mut random_codes: HashMap<String, Vec<String>> = HashMap::new();
    let mut hashed_codes: HashMap<String, usize> = HashMap::new();
    let mut taken: HashMap<String, HashSet<String>> = HashMap::new();
    let mut retries = 0;
    for url in 0..urls {
        let code = letters_first.random_code(code_length, &mut code_rng)?;
        let node = ring.node_for(&code)?.to_string();
        random_codes.entry(code).or_default().push(node);
        let long_url = format!("https://example.com/article/{url}");
        let hashed =
            letters_first.encode_padded(hash_key(&long_url) % code_space, code_length as usize)?;
        *hashed_codes.entry(hashed).or_default() += 1;
        loop {
            let code = letters_first.random_code(code_length, &mut code_rng)?;
            let owner = ring.node_for(&code)?.to_string();
            if taken.entry(owner).or_default().insert(code) {
                break;
            }
            retries += 1;
        }
    }

    // cell
    let random_clashes: usize = random_codes.values().map(|nodes| nodes.len() - 1).sum();
    let clashes_on_one_node = random_codes
        .values()
        .filter(|nodes| nodes.len() > 1 && nodes.iter().all(|node| node == &nodes[0]))
        .count();
    let clashing_codes = random_codes
        .values()
        .filter(|nodes| nodes.len() > 1)
        .count();
    let hashed_clashes: usize = hashed_codes.values().map(|&uses| uses - 1).sum();
    let checked_codes: usize = taken.values().map(HashSet::len).sum();
    let expected_clashes = expected_colliding_pairs(urls as f64, code_space as f64)?;
    println!(
        "{urls} URLs, {code_length}-character codes ({code_space} possible), 4 nodes on a consistent-hash ring"
    );
    println!("expected colliding pairs: {expected_clashes:.1}");
    println!(
        "random codes: {random_clashes} URLs got a code already taken; {clashes_on_one_node} of {clashing_codes} clashing codes sit on one node"
    );
    println!("codes from a hash of the URL: {hashed_clashes} URLs got a code already taken");
    println!(
        "random codes checked by their owner node: {retries} retries, {} duplicates",
        urls - checked_codes
    );

    // cell
    let prediction: Option<_> = None; // do any two URLs share a 5-character code?
    let five_chars = Base62::code_space(5)?;
    let mut codes_seen: HashSet<String> = HashSet::new();
    let mut reused = 0;
    for url in 0..urls {
        let long_url = format!("https://example.com/article/{url}");
        let code = letters_first.encode_padded(hash_key(&long_url) % five_chars, 5)?;
        reused += usize::from(!codes_seen.insert(code));
    }
    let expected_five = expected_colliding_pairs(urls as f64, five_chars as f64)?;
    println!(
        "{}",
        check_prediction(
            prediction,
            reused > 0,
            format!(
                "{reused} URLs got a code already in use; the birthday bound expects \
                 {expected_five:.2} pairs, so about one run in five finds one. Longer codes make \
                 a clash unlikely, not impossible: only a check rules it out."
            )
        )
    );

    // cell
    let prediction: Option<_> = None; // IDs per ms that one generator can issue
    let sequence_bits = 8;
    let layout = Layout::new(
        41,
        22 - sequence_bits,
        sequence_bits,
        Layout::twitter().epoch(),
    )?;
    let issued = saturation(layout, &[1_000], 50)?[0].issued_per_ms;
    println!(
        "{}",
        check_prediction(
            prediction,
            issued.round() as u64,
            format!(
                "{sequence_bits} sequence bits number at most 2^{sequence_bits} IDs in one \
                 millisecond; the other requests wait for the next one."
            )
        )
    );

    // end of cells
    // The live figure's 50% points, and its starting values against the formula.
    let half_point = |space: f64| {
        (2_u32..)
            .find(|&n| collision_probability(f64::from(n), space).is_ok_and(|p| p >= 0.5))
            .unwrap_or(0)
    };
    assert_eq!((half_point(4_096.0), half_point(65_536.0)), (76, 302));
    let live_start = collision_trial(
        1 << 12,
        &(1..=12).map(|k| k * 16).collect::<Vec<u64>>(),
        200,
        5,
    )?;
    assert!(
        live_start
            .iter()
            .all(|row| (row.observed_probability - row.predicted_probability).abs() < 0.1)
    );
    let restarts: Vec<(&str, bool, usize, f64)> = restart_rows
        .iter()
        .map(|row| {
            (
                row.policy,
                row.last_millis_on_disk,
                row.duplicates,
                row.longest_wait_ms,
            )
        })
        .collect();
    assert_eq!(
        restarts,
        [
            ("refuse and wait", false, 20_000, 0.0),
            ("refuse and wait", true, 0, 5_000.0),
            ("logical clock", false, 20_000, 0.0),
            ("logical clock", true, 0, 0.0),
        ]
    );
    assert_eq!((fields.machine, fields.sequence), (347, 0));
    assert_eq!(created, ms(1_539_202_764_211));
    assert_eq!((misrouted, moved), (0, 49_928));
    let shards_moved: u64 = placement
        .iter()
        .filter(|row| row.servers == 8 && row.moved_in > 0)
        .map(|row| row.shards)
        .sum();
    assert_eq!(shards_moved, 1_000);
    assert!(check_prediction(Some(true), 2 * moved_to_six > 100_000, "").starts_with("Right"));
    assert_eq!(
        layouts
            .rows()
            .iter()
            .map(|row| (row[3].as_str(), row[4].as_str()))
            .collect::<Vec<_>>(),
        [("4096", "69.7"), ("4096", "139.4"), ("1024", "69.7")]
    );
    let row_at = |offered: u64| {
        rows.iter()
            .find(|row| row.offered_per_ms == offered)
            .unwrap()
    };
    assert_eq!(row_at(500).issued_per_ms, 500.0);
    assert_eq!(row_at(4_096).issued_per_ms, 4_096.0);
    assert_eq!(row_at(4_096).mean_wait_us, 0.0);
    assert_eq!(row_at(8_000).issued_per_ms, 4_096.0);
    assert_eq!(
        format!("{:.1}", row_at(5_000).mean_wait_us / 1_000.0),
        "1.7"
    );
    let five: Vec<(usize, f64, f64)> = five_seconds
        .iter()
        .map(|row| (row.duplicates, row.longest_wait_ms, row.max_lead_ms))
        .collect();
    assert_eq!(
        five,
        [(20_000, 0.0, 0.0), (0, 4_999.0, 0.0), (0, 0.0, 4_999.0)]
    );
    assert!(skew_rows.iter().all(|row| row.duplicates == 0));
    assert!(skew_rows[0].max_inversion_ms < 1.0);
    let widest = skew_rows.last().unwrap();
    assert_eq!(format!("{:.1}", widest.inverted_fraction * 100.0), "11.8");
    assert_eq!(widest.max_inversion_ms.round(), 364.0);
    assert!(
        skew_rows
            .iter()
            .all(|row| row.max_inversion_ms < 2.0 * row.skew_ms + 1.0)
    );
    assert_eq!(issued, 256.0);
    // The try-it cell with a prediction set, and the variations its prose suggests.
    assert!(check_prediction(Some(256), issued.round() as u64, "").starts_with("Right"));
    for (bits, ceiling) in [(12, 1_000.0), (10, 1_000.0)] {
        let layout = Layout::new(41, 22 - bits, bits, Layout::twitter().epoch())?;
        assert_eq!(saturation(layout, &[1_000], 50)?[0].issued_per_ms, ceiling);
    }
    let lengths: Vec<(&str, &str, &str)> = formats
        .rows()
        .iter()
        .map(|row| (row[0].as_str(), row[2].as_str(), row[4].as_str()))
        .collect();
    assert_eq!(
        lengths,
        [
            ("auto-increment", "0", "4"),
            ("Snowflake (Twitter)", "0", "19"),
            ("UUIDv4", "122", "36"),
            ("UUIDv7", "74", "36"),
            ("ULID", "80", "26")
        ]
    );
    assert_eq!(v7.millis(), Some(new_year));
    assert_eq!(ulid.millis(), new_year);
    assert_eq!(format!("{new_year:x}"), "19b76daa800");
    assert!(v7.to_string().starts_with("019b76da-a800-7"));
    assert!(ulid.to_string().starts_with("01KDVDNA00"));
    let summary: Vec<(&str, String, String, String, String)> = locality
        .iter()
        .map(|row| {
            (
                row.kind,
                format!("{:.2}", row.splits_per_1000),
                format!("{:.1}", row.leaf_fill_percent),
                format!("{:.1}", row.leaves_written_per_1000),
                format!("{:.0}", row.leaf_kib),
            )
        })
        .collect();
    let text = |a: &str, b: &str, c: &str, d: &str| (a.into(), b.into(), c.into(), d.into());
    let expected: Vec<(String, String, String, String)> = vec![
        text("14.45", "69.0", "150.1", "453"),
        text("10.00", "99.5", "11.0", "314"),
        text("10.00", "99.5", "11.0", "314"),
        text("10.10", "98.5", "11.1", "159"),
        text("9.95", "100.0", "10.9", "156"),
    ];
    assert_eq!(
        summary
            .into_iter()
            .map(|(_, a, b, c, d)| (a, b, c, d))
            .collect::<Vec<_>>(),
        expected
    );
    let strides: Vec<(usize, u64)> = stride_rows
        .iter()
        .map(|row| (row.duplicates, row.highest_id))
        .collect();
    assert_eq!(
        strides,
        [(1_000, 5_999), (750, 6_998), (0, 6_999), (0, 19_992)]
    );
    assert_eq!((qi.as_str(), g8.as_str()), ("qi", "g8"));
    assert_eq!(seven_chars, 3_521_614_606_208);
    assert_eq!(format!("{v4_billion:.2e}"), "9.40e-20");
    assert_eq!(format!("{:.1e}", codes_for_half), "2.2e6");
    assert_eq!(codes_pairs.round(), 1_420.0);
    assert_eq!(format!("{v7_per_ms:.2e}"), "2.64e-17");
    assert_eq!(format!("{v7_year:.1e}"), "8.3e-7");
    assert_eq!(two_chars, 3_844);
    assert_eq!(
        format!("{:.0}", 100.0 - locality[0].leaf_fill_percent),
        "31"
    );
    assert_eq!(
        format!("{:.4}", collision_probability(23.0, 365.0)?),
        "0.5073"
    );
    assert_eq!(
        format!(
            "{:.4}",
            collision_probability(2f64.powi(61), 2f64.powi(122))?
        ),
        "0.3935"
    );
    assert_eq!(code_space, 14_776_336);
    assert!(measured.iter().all(|row| {
        (row.observed_pairs - row.expected_pairs).abs() < 0.05
            && (row.observed_probability - row.predicted_probability).abs() < 0.025
    }));
    assert_eq!(format!("{expected_clashes:.1}"), "13.5");
    assert_eq!(
        (random_clashes, clashes_on_one_node, clashing_codes),
        (14, 14, 14)
    );
    assert_eq!(hashed_clashes, 8);
    assert_eq!((retries, urls - checked_codes), (9, 0));
    // The Base62 try-it, and the variations its hint suggests.
    for (number, length) in [(1_000_000_u64, 4), (14_776_336, 5), (14_776_335, 4)] {
        let code = letters_first.encode(number);
        assert_eq!(code.len(), length);
        assert!(check_prediction(Some(length), code.len(), "").starts_with("Right"));
    }
    // The skew try-it, and the variation its hint suggests.
    for skew in [500, 5_000] {
        let row = skew_trial(8, ms(skew), 7)?;
        assert_eq!(row.duplicates, 0);
        assert!(check_prediction(Some(false), row.duplicates > 0, "").starts_with("Right"));
    }
    // The section try-its with the prediction that holds.
    let right = |message: String| message.starts_with("Right");
    assert!(right(check_prediction(Some(348), next_door.machine, "")));
    assert_eq!((next_door.millis, next_door.sequence), (fields.millis, 0));
    assert!(right(check_prediction(Some(400), trusted.duplicates, "")));
    assert!(right(check_prediction(Some(false), rising == 99, "")));
    assert_eq!(rising, 49);
    assert!(right(check_prediction(
        Some(true),
        bigger.leaves_written_per_1000 > 150.1,
        ""
    )));
    assert_eq!(
        (
            format!("{:.1}", bigger.leaves_written_per_1000),
            format!("{:.1}", bigger.leaf_fill_percent)
        ),
        ("483.9".to_string(), "70.1".to_string())
    );
    assert!(right(check_prediction(
        Some(7_998),
        reserved.highest_id,
        ""
    )));
    assert_eq!(reserved.duplicates, 0);
    assert!(right(check_prediction(Some(false), reused > 0, "")));
    assert_eq!(format!("{expected_five:.2}"), "0.22");
    Ok(())
}
