//! Wide uploaded tables through the session: encoding, missing cells, stratified split,
//! the map's slice, predictions, model files with preprocessing, bad input, convergence.

use nn_playground::data::csv::encoding::MissingPolicy;
use nn_playground::data::csv::prepare::TaskKind;
use nn_playground::data::csv::table::read_table;
use nn_playground::data::csv::CsvOptions;
use nn_playground::data::Task;
use nn_playground::session::{Axis, Session};
use nn_playground::{PlaygroundConfig, Rng};

/// Gaussian clusters in 20 columns: 6 informative, 6 redundant (mixes of those), 6 noise,
/// a text column that follows the class, and a colour column of noise; some cells missing.
fn cluster_table(rows: usize, seed: u64, missing_every: usize) -> String {
    let mut rng = Rng::new(seed);
    let mut out = String::new();
    let mut header: Vec<String> = (0..18).map(|j| format!("f{j}")).collect();
    header.extend(["shape".into(), "colour".into(), "label".into()]);
    out.push_str(&header.join(","));
    out.push('\n');
    let classes = ["red", "green", "blue"];
    for r in 0..rows {
        let c = r % 3;
        let mut cells: Vec<String> = Vec::new();
        let info: Vec<f32> = (0..6)
            .map(|j| {
                let centre = if j % 3 == c { 2.0 } else { -0.5 };
                centre + rng.normal() * 0.8
            })
            .collect();
        for v in &info {
            cells.push(format!("{v}"));
        }
        for j in 0..6 {
            cells.push(format!("{}", info[j] * 0.5 + info[(j + 1) % 6] * 0.5));
        }
        for _ in 0..6 {
            cells.push(format!("{}", rng.normal() * 3.0));
        }
        cells.push(["round", "square", "star"][(c + usize::from(rng.next_f32() < 0.2)) % 3].into());
        cells.push(["a", "b"][usize::from(rng.next_f32() < 0.5)].into());
        if missing_every > 0 && r % missing_every == 1 {
            let j = (r / missing_every) % 19;
            cells[j] = ["", "NA", "?", "null", "NaN"][r % 5].into();
        }
        cells.push(classes[c].into());
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

fn session() -> Session {
    Session::new(PlaygroundConfig {
        dataset: nn_playground::DatasetKind::Custom,
        ..PlaygroundConfig::default()
    })
    .unwrap()
}

/// One hidden layer of 16 and Adam at 0.01: enough for the generated tables.
fn use_adam_16(s: &mut Session) {
    let mut cfg = s.config().clone();
    cfg.hidden = vec![nn_playground::spec::HiddenLayer {
        units: 16,
        ..Default::default()
    }];
    cfg.optimizer.kind = nn_playground::OptimizerKind::Adam;
    cfg.optimizer.learning_rate = 0.01;
    s.set_config(cfg).unwrap();
}

fn opts(missing: MissingPolicy) -> CsvOptions {
    CsvOptions {
        label_column: Some("label".into()),
        missing,
        ..CsvOptions::default()
    }
}

#[test]
fn wide_table_loads_with_text_and_missing_cells() {
    let mut s = session();
    s.load_csv(&cluster_table(300, 3, 7), &opts(MissingPolicy::Fill))
        .unwrap();
    assert!(s.is_table());
    assert_eq!(s.task(), Task::MultiClass(3));
    assert_eq!(s.class_names(), ["red", "green", "blue"]);
    // 18 numbers, 3 shapes, 2 colours.
    assert_eq!(s.input_names().len(), 18 + 3 + 2);
    assert!(s.input_names().contains(&"shape=star".to_string()));
    let r = s.load_report().unwrap().clone();
    assert_eq!(r.rows_read, 300);
    assert!(r.missing_cells > 30, "{r:?}");
    assert_eq!(r.filled_cells, r.missing_cells);
    assert_eq!(r.rows_used, 300);

    let mut d = session();
    d.load_csv(&cluster_table(300, 3, 7), &opts(MissingPolicy::Drop))
        .unwrap();
    let r = d.load_report().unwrap();
    assert_eq!(r.rows_used + r.dropped_missing_features, 300);
    assert!(r.dropped_missing_features > 30);
}

#[test]
fn split_is_stratified_and_seeded() {
    let text = cluster_table(300, 5, 0);
    let mut a = session();
    a.load_csv(&text, &opts(MissingPolicy::Drop)).unwrap();
    let pts = a.points();
    let test: Vec<f32> = pts.iter().filter(|p| p.1).map(|p| p.0.label).collect();
    for c in 0..3 {
        assert_eq!(test.iter().filter(|&&l| l == c as f32).count(), 50);
    }
    let mut b = session();
    b.load_csv(&text, &opts(MissingPolicy::Drop)).unwrap();
    assert_eq!(a.points_flat(), b.points_flat());
    a.train_epochs(3).unwrap();
    b.train_epochs(3).unwrap();
    assert_eq!(a.export_model(), b.export_model());
}

#[test]
fn wide_clusters_train_to_high_accuracy() {
    let mut s = session();
    s.load_csv(&cluster_table(600, 11, 9), &opts(MissingPolicy::Fill))
        .unwrap();
    use_adam_16(&mut s);
    s.train_epochs(30).unwrap();
    let m = s.metrics().unwrap();
    assert!(m.values["accuracy"] > 0.9, "{m:?}");
}

#[test]
fn slice_axes_and_held_values_move_the_map() {
    let mut s = session();
    s.load_csv(&cluster_table(300, 3, 0), &opts(MissingPolicy::Drop))
        .unwrap();
    s.train_epochs(5).unwrap();
    let info = s.slice_info().unwrap();
    // More than two inputs: the map opens on the first two principal components.
    assert_eq!(info.x, Axis::Component(0));
    assert_eq!(info.y, Axis::Component(1));
    assert!(info
        .choices
        .iter()
        .any(|(a, n)| *a == Axis::Component(0) && n == "PC1"));
    assert_eq!(info.held.len(), 20);
    let mut held: Vec<f32> = info.held.iter().map(|h| h.value).collect();
    s.set_slice(Axis::Column(0), Axis::Column(1), &held)
        .unwrap();
    let before = s.decision_grid(16).unwrap();
    held[2] = info.held[2].max;
    s.set_slice(Axis::Column(0), Axis::Column(1), &held)
        .unwrap();
    let moved = s.decision_grid(16).unwrap();
    assert_ne!(before, moved);
    s.set_slice(Axis::Component(0), Axis::Component(1), &held)
        .unwrap();
    let pcs = s.decision_grid(16).unwrap();
    assert_eq!(pcs.len(), 16 * 16 * 3);
    assert!(pcs.iter().all(|v| v.is_finite()));
    // Points are drawn at their place on the axes, inside the square.
    let inside = s
        .points()
        .iter()
        .filter(|(p, _)| p.x.abs() <= 6.0 && p.y.abs() <= 6.0)
        .count();
    assert_eq!(inside, 300);
    // A bad slice is refused and changes nothing.
    assert!(s
        .set_slice(Axis::Column(18), Axis::Column(1), &held)
        .is_err());
    assert!(s
        .set_slice(Axis::Column(0), Axis::Column(1), &held[..3])
        .is_err());
    assert_eq!(s.decision_grid(16).unwrap(), pcs);
}

#[test]
fn a_wide_tables_map_opens_on_its_principal_components_and_shows_every_class() {
    let mut s = session();
    s.load_csv(&cluster_table(300, 3, 0), &opts(MissingPolicy::Drop))
        .unwrap();
    use_adam_16(&mut s);
    s.train_epochs(30).unwrap();
    let classes_on_map = |s: &mut Session| {
        let grid = s.decision_grid(32).unwrap();
        let mut seen = [false; 3];
        for cell in grid.chunks(3) {
            let best = (0..3).max_by(|&a, &b| cell[a].total_cmp(&cell[b])).unwrap();
            seen[best] = true;
        }
        seen.iter().filter(|&&v| v).count()
    };
    // The first two columns with the rest at their medians can hide a class; the two
    // directions of largest spread show all three.
    assert_eq!(s.slice_info().unwrap().x, Axis::Component(0));
    assert_eq!(classes_on_map(&mut s), 3);
}

#[test]
fn regression_table_reports_in_the_targets_units() {
    let mut rng = Rng::new(4);
    let mut text = String::from("a,b,c,noise,y\n");
    for _ in 0..400 {
        let (a, b, c, n) = (rng.normal(), rng.normal(), rng.normal(), rng.normal());
        let y = 1000.0 + 300.0 * a - 200.0 * b + 150.0 * (2.0 * c).sin();
        text.push_str(&format!("{a},{b},{c},{n},{y}\n"));
    }
    let mut s = session();
    s.load_csv(&text, &CsvOptions::default()).unwrap();
    assert_eq!(s.task(), Task::Regression);
    use_adam_16(&mut s);
    s.train_epochs(60).unwrap();
    let m = s.metrics().unwrap();
    assert!(m.values["r2"] > 0.9, "{m:?}");
    // MAE in the target's units: far above 1 (the standardised scale) for a spread of ~400.
    assert!(m.values["mae"] > 5.0 && m.values["mae"] < 150.0, "{m:?}");
    let csv = s.predictions_csv(false).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "a,b,c,noise,truth,prediction");
    assert_eq!(lines.len(), 201);
    let mae: f32 = lines[1..]
        .iter()
        .map(|l| {
            let f: Vec<f32> = l.split(',').map(|v| v.parse().unwrap()).collect();
            (f[4] - f[5]).abs()
        })
        .sum::<f32>()
        / 200.0;
    assert!((mae - m.values["mae"]).abs() < 0.01 * mae, "{mae} vs {m:?}");
}

#[test]
fn model_file_keeps_the_preprocessing_and_predicts_on_raw_columns() {
    let text = cluster_table(300, 3, 7);
    let mut s = session();
    s.load_csv(&text, &opts(MissingPolicy::Fill)).unwrap();
    s.train_epochs(10).unwrap();
    let json = s.export_model();
    assert!(json.contains("\"preprocessing\""));
    let mut t = session();
    t.load_csv(&text, &opts(MissingPolicy::Fill)).unwrap();
    t.import_model(&json).unwrap();
    assert_eq!(t.export_model(), s.export_model());
    let a = s.predict_csv(&text).unwrap();
    let b = t.predict_csv(&text).unwrap();
    assert_eq!(a, b);
    assert!(a
        .lines()
        .next()
        .unwrap()
        .ends_with("prediction,p(red),p(green),p(blue)"));
    // A file without a trained column is refused, naming it.
    let e = t.predict_csv("f0,f1\n1,2\n").unwrap_err().to_string();
    assert!(e.contains("\"f2\""), "{e}");
    // A model file for another table is refused and the model stays.
    let mut other = session();
    other
        .load_csv(
            "p,q,label\n1,2,a\n2,1,b\n3,3,a\n0,1,b\n",
            &CsvOptions::default(),
        )
        .unwrap();
    assert!(other.import_model(&json).is_err());
}

#[test]
fn bad_tables_say_what_is_wrong_and_keep_the_data() {
    let mut s = session();
    let good = cluster_table(60, 3, 0);
    s.load_csv(&good, &opts(MissingPolicy::Drop)).unwrap();
    let before = s.points_flat();
    let cases: Vec<(String, CsvOptions, &str)> = vec![
        (
            "a,b,c\n1,2,x\n3,4,x\n".into(),
            CsvOptions::default(),
            "single class",
        ),
        ("a,b,a\n1,2,3\n".into(), CsvOptions::default(), "both \"a\""),
        (
            "a,k,c\n1,2,0\n3,3,1\n".into(),
            CsvOptions {
                features: Some(vec!["k".into(), "a".into()]),
                label_column: Some("c".into()),
                ..CsvOptions::default()
            },
            "",
        ),
        (
            "a,k,c\n1,2,0\n3,2,1\n".into(),
            CsvOptions {
                features: Some(vec!["k".into()]),
                ..CsvOptions::default()
            },
            "\"k\" is 2 in every row",
        ),
        (
            "a,k,c\n1,,0\n3,NA,1\n".into(),
            CsvOptions {
                features: Some(vec!["k".into()]),
                ..CsvOptions::default()
            },
            "every cell is missing",
        ),
        (
            {
                let mut t = String::from("id,v,c\n");
                for i in 0..40 {
                    t.push_str(&format!("name{i},{i},{}\n", i % 2));
                }
                t
            },
            CsvOptions {
                features: Some(vec!["id".into(), "v".into()]),
                ..CsvOptions::default()
            },
            "at most 32",
        ),
        (
            "a,b,c\n1,2,x\n3,4,y\n".into(),
            CsvOptions {
                kind: Some(TaskKind::Regression),
                ..CsvOptions::default()
            },
            "cannot be a regression target",
        ),
        (
            "a,b,c\n1,2,0\n3,4,1\n".into(),
            CsvOptions {
                label_column: Some("zz".into()),
                ..CsvOptions::default()
            },
            "\"zz\" does not exist",
        ),
    ];
    for (text, o, want) in cases {
        match s.load_csv(&text, &o) {
            Err(e) => assert!(e.to_string().contains(want), "{want}: {e}"),
            Ok(()) => {
                // The one case that should load: two numeric features become a 2-D plane.
                assert!(want.is_empty(), "{text} loaded");
                s.load_csv(&good, &opts(MissingPolicy::Drop)).unwrap();
            }
        }
        assert_eq!(s.points_flat(), before, "{want}");
    }
}

#[test]
fn default_choice_skips_unusable_columns_and_says_so() {
    let mut t = String::from("id,const,v,w,c\n");
    for i in 0..40 {
        t.push_str(&format!("name{i},7,{i},{},{}\n", (i * 7) % 5, i % 2));
    }
    let mut s = session();
    s.load_csv(&t, &CsvOptions::default()).unwrap();
    let r = s.load_report().unwrap();
    assert_eq!(r.skipped.len(), 2, "{r:?}");
    assert!(r.skipped[0].contains("\"id\"") && r.skipped[1].contains("\"const\""));
    // Two numeric features left: the data is a 2-D plane again, as before tables.
    assert!(!s.is_table());
}

#[test]
fn two_column_uploads_stay_points_on_the_square() {
    let mut s = session();
    s.load_csv(
        "x,y,label\n10,20,0\n30,40,1\n20,25,0\n",
        &CsvOptions::default(),
    )
    .unwrap();
    assert!(!s.is_table());
    assert!(s.add_point(1.0, 1.0, 1.0).is_ok());
    let mut w = session();
    w.load_csv(&cluster_table(30, 1, 0), &opts(MissingPolicy::Drop))
        .unwrap();
    let e = w.add_point(1.0, 1.0, 1.0).unwrap_err().to_string();
    assert!(e.contains("2-D data"), "{e}");
}

#[test]
fn raw_table_round_trips_through_csv() {
    let text = cluster_table(50, 2, 5);
    let t = read_table(&text, None).unwrap();
    let again = read_table(&t.to_csv(), None).unwrap();
    assert_eq!(t.names, again.names);
    for (a, b) in t.columns.iter().zip(&again.columns) {
        for r in 0..t.rows() {
            assert_eq!(a.text(r), b.text(r));
        }
    }
}

#[test]
fn insight_and_importance_rank_the_informative_column_first() {
    let mut rng = Rng::new(9);
    let mut text = String::from("signal,weak,noise,kind,label\n");
    for _ in 0..400 {
        let (a, b, n) = (rng.normal(), rng.normal(), rng.normal());
        let kind = ["x", "y"][usize::from(rng.next_f32() < 0.5)];
        let yes = 2.0 * a + 0.3 * b > 0.0;
        text.push_str(&format!(
            "{a},{b},{n},{kind},{}\n",
            if yes { "yes" } else { "no" }
        ));
    }
    let mut s = session();
    s.load_csv(&text, &CsvOptions::default()).unwrap();
    assert_eq!(s.task(), Task::Binary);
    let mut cfg = s.config().clone();
    cfg.optimizer.kind = nn_playground::OptimizerKind::Adam;
    cfg.optimizer.learning_rate = 0.02;
    s.set_config(cfg).unwrap();
    s.train_epochs(40).unwrap();
    let r = s.insight().unwrap();
    let classes = r.classes.unwrap();
    let mut names: Vec<&str> = classes.rows.iter().map(|r| r.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["no", "yes"]);
    assert!(classes.accuracy > 0.9, "{classes:?}");
    let roc = r.roc.unwrap();
    assert!(roc.auc.unwrap() > 0.95, "{roc:?}");
    assert!(roc.points.len() <= 200);

    s.start_importance(3).unwrap();
    let mut steps = 0;
    while !s.importance_step().unwrap() {
        steps += 1;
        assert!(steps < 10);
    }
    let imp = s.importance().unwrap();
    assert_eq!((imp.done, imp.total), (4, 4));
    let mut ranked = imp.columns.clone();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    assert_eq!(ranked[0].0, "signal", "{ranked:?}");
    assert!(ranked[0].1 > 0.2, "{ranked:?}");
    let noise = imp.columns.iter().find(|c| c.0 == "noise").unwrap();
    assert!(noise.1.abs() < 0.05, "{ranked:?}");
    // Training in between ends the run in words.
    s.start_importance(1).unwrap();
    s.train_epochs(1).unwrap();
    assert!(s.importance().is_none() || s.importance_step().is_err());
}

#[test]
fn the_page_and_sequential_fit_agree_on_the_same_rows() {
    let mut s = session();
    s.load_csv(&cluster_table(240, 8, 5), &opts(MissingPolicy::Fill))
        .unwrap();
    let mut cfg = s.config().clone();
    cfg.batch_size = 16;
    s.set_config(cfg).unwrap();
    let mut model = s.model().clone();
    let (tx, ty, vx, vy) = s.split_matrices();
    let (tx, ty, vx, vy) = (tx.clone(), ty.clone(), vx.clone(), vy.clone());
    let fit = nn_playground::FitOptions {
        epochs: 6,
        batch_size: 16,
        ..Default::default()
    };
    model.fit(&tx, &ty, &fit, &mut []).unwrap();
    s.train_epochs(6).unwrap();
    let page = s.metrics().unwrap();
    let api = model.evaluate(&vx, &vy).unwrap();
    assert_eq!(page.values["accuracy"], api.metrics["accuracy"]);
    assert!(
        (page.loss - api.loss).abs() < 1e-6,
        "{} vs {}",
        page.loss,
        api.loss
    );
}
