//! Round trips and error cases of the URL hash form of a playground config.

use nn_playground::url_state::{
    decode_blob, encode_blob, from_hash, to_hash, to_hash_with_weights,
};
use nn_playground::*;

fn rich_config() -> PlaygroundConfig {
    PlaygroundConfig {
        dataset: DatasetKind::KSpiral,
        classes: 4,
        noise: 15.0,
        train_ratio: 70.0,
        validation_ratio: 20.0,
        num_samples: Some(800),
        seed: 123_456_789_012,
        features: vec![
            Feature::X1,
            Feature::X2,
            Feature::SinX1,
            Feature::X1X2,
            Feature::CosX2,
        ],
        hidden: vec![
            HiddenLayer {
                units: 8,
                activation: Some(Activation::Relu),
                dropout: 0.1,
                batch_norm: true,
            },
            HiddenLayer {
                units: 6,
                activation: None,
                dropout: 0.0,
                batch_norm: false,
            },
            HiddenLayer {
                units: 3,
                activation: Some(Activation::Gelu),
                dropout: 0.25,
                batch_norm: false,
            },
        ],
        activation: Activation::Tanh,
        output_activation: Some(Activation::Softmax),
        loss: Some(LossKind::CategoricalCrossentropy),
        init: Init::GlorotUniform,
        batch_size: 25,
        optimizer: OptimizerSpec {
            kind: OptimizerKind::Adam,
            learning_rate: 0.003,
            schedule: Schedule::Cosine {
                decay_steps: 5000,
                min_lr: 0.0001,
            },
            ..OptimizerSpec::default()
        },
        regularization: Regularization {
            kind: RegularizationKind::L2,
            rate: 0.001,
        },
        epoch_limit: Some(300),
        early_stopping: Some(EarlyStoppingSpec {
            monitor: Monitor::ValLoss,
            patience: 7,
            min_delta: 0.001,
            restore_best_weights: true,
        }),
        standardize: true,
        discretize: true,
        show_test: true,
        speed: Some(250),
        lang: Some(Lang::Zh),
        backend: BackendChoice::Cpu,
        threads: Some(2),
        table: nn_playground::data::csv::CsvOptions {
            label_column: Some("price, €".into()),
            features: Some(vec!["a,b".into(), "size".into()]),
            kind: Some(nn_playground::data::csv::prepare::TaskKind::Regression),
            missing: nn_playground::data::csv::encoding::MissingPolicy::Fill,
            ..Default::default()
        },
    }
}

#[test]
fn default_round_trips_and_reads_like_the_playground() {
    let cfg = PlaygroundConfig::default();
    let hash = to_hash(&cfg, &[]);
    for part in [
        "dataset=circle",
        "networkShape=4,2",
        "activation=tanh",
        "batchSize=10",
        "learningRate=0.03",
        "seed=1",
        "features=x1,x2",
    ] {
        assert!(hash.contains(part), "{part} missing from {hash}");
    }
    let st = from_hash(&format!("#{hash}")).unwrap();
    assert_eq!(st.config, cfg);
    assert!(st.hide.is_empty() && st.weights.is_none() && st.unknown.is_empty());
}

#[test]
fn speed_round_trips_as_a_display_setting() {
    // Every pace the page offers, and one only a link asks for.
    let mut paces = nn_playground::playground::SPEED_CHOICES.to_vec();
    paces.push(Some(7));
    for speed in paces {
        let cfg = PlaygroundConfig {
            speed,
            ..PlaygroundConfig::default()
        };
        let hash = to_hash(&cfg, &[]);
        let want = format!(
            "speed={}",
            speed.map_or("max".to_string(), |v| v.to_string())
        );
        assert!(hash.contains(&want), "{want} missing from {hash}");
        assert_eq!(from_hash(&hash).unwrap().config, cfg);
    }
    // A link without the key gets the watchable default; `max` is as fast as it goes.
    assert_eq!(
        from_hash("dataset=spiral").unwrap().config.speed,
        Some(nn_playground::playground::DEFAULT_SPEED)
    );
    assert_eq!(from_hash("speed=max").unwrap().config.speed, None);
    // The pace is a display setting: the session keeps its model when it changes.
    let mut s = nn_playground::session::Session::new(PlaygroundConfig::default()).unwrap();
    s.train_epochs(3).unwrap();
    let cfg = PlaygroundConfig {
        speed: None,
        ..PlaygroundConfig::default()
    };
    assert_eq!(
        s.set_config(cfg).unwrap(),
        nn_playground::session::Change::Kept
    );
    assert_eq!(s.epoch(), 3);
}

#[test]
fn lang_round_trips_as_a_display_setting() {
    for lang in [Lang::En, Lang::Zh] {
        let cfg = PlaygroundConfig {
            lang: Some(lang),
            ..PlaygroundConfig::default()
        };
        let hash = to_hash(&cfg, &[]);
        let want = if lang == Lang::En {
            "lang=en"
        } else {
            "lang=zh"
        };
        assert!(hash.contains(want), "{want} missing from {hash}");
        assert_eq!(from_hash(&hash).unwrap().config, cfg);
    }
    // Without the key the page follows the browser, and the link does not pin a language.
    assert_eq!(from_hash("dataset=spiral").unwrap().config.lang, None);
    assert!(!to_hash(&PlaygroundConfig::default(), &[]).contains("lang="));
    assert!(from_hash("lang=fr").is_err());
    // The language is a display setting: the session keeps its model when it changes.
    let mut s = nn_playground::session::Session::new(PlaygroundConfig::default()).unwrap();
    s.train_epochs(3).unwrap();
    let cfg = PlaygroundConfig {
        lang: Some(Lang::Zh),
        ..PlaygroundConfig::default()
    };
    assert_eq!(
        s.set_config(cfg).unwrap(),
        nn_playground::session::Change::Kept
    );
    assert_eq!(s.epoch(), 3);
}

#[test]
fn rich_config_round_trips_with_hide_keys() {
    let cfg = rich_config();
    let hide = vec!["noise".to_string(), "regularization".to_string()];
    let hash = to_hash(&cfg, &hide);
    let st = from_hash(&hash).unwrap();
    assert_eq!(st.config, cfg);
    assert_eq!(st.hide, hide);
}

#[test]
fn every_schedule_round_trips() {
    for schedule in [
        Schedule::Constant,
        Schedule::Step {
            every: 100,
            factor: 0.5,
        },
        Schedule::Exponential {
            decay_steps: 1000,
            rate: 0.96,
        },
        Schedule::Cosine {
            decay_steps: 2000,
            min_lr: 0.0,
        },
    ] {
        let mut cfg = PlaygroundConfig::default();
        cfg.optimizer.schedule = schedule;
        assert_eq!(from_hash(&to_hash(&cfg, &[])).unwrap().config, cfg);
    }
}

#[test]
fn zero_hidden_layers_round_trip() {
    let cfg = PlaygroundConfig {
        hidden: vec![],
        ..PlaygroundConfig::default()
    };
    let hash = to_hash(&cfg, &[]);
    assert!(hash.contains("networkShape=&"), "{hash}");
    assert_eq!(from_hash(&hash).unwrap().config, cfg);
}

#[test]
fn missing_keys_keep_defaults_and_unknown_keys_are_reported() {
    let st = from_hash("dataset=xor&colour=blue").unwrap();
    assert_eq!(st.config.dataset, DatasetKind::Xor);
    assert_eq!(st.config.hidden, PlaygroundConfig::default().hidden);
    assert_eq!(st.unknown, vec!["colour".to_string()]);
}

#[test]
fn percent_escapes_are_decoded() {
    let st = from_hash("networkShape=3%2C5&features=x1%2Cx2sq").unwrap();
    assert_eq!(
        st.config.hidden.iter().map(|h| h.units).collect::<Vec<_>>(),
        vec![3, 5]
    );
    assert_eq!(st.config.features, vec![Feature::X1, Feature::X2Squared]);
}

#[test]
fn a_refused_setting_is_said_once() {
    // The notice names the key and the value; what the setting must be follows, without
    // the config's own "threads must be …, got 0" repeating them.
    for (hash, said) in [
        (
            "threads=0",
            "link setting threads=\"0\" is not valid: expected auto or a whole number from 1 to 256",
        ),
        (
            "noise=55",
            "link setting noise=\"55\" is not valid: expected between 0 and 50 %",
        ),
    ] {
        let err = from_hash(hash).expect_err(hash).to_string();
        assert_eq!(err, format!("invalid configuration: {said}"), "{hash}");
    }
}

#[test]
fn bad_values_are_errors_naming_the_key() {
    for (hash, key) in [
        ("dataset=moon", "dataset"),
        ("activation=tanhh", "activation"),
        ("learningRate=-1", "learningRate"),
        ("learningRate=NaN", "learningRate"),
        ("noise=400", "noise"),
        ("networkShape=4,0", "networkShape"),
        ("networkShape=4,100000", "networkShape"),
        ("batchSize=ten", "batchSize"),
        ("features=x1,x3", "features"),
        ("showTestData=maybe", "showTestData"),
        ("networkShape=4,2&dropout=0.1", "dropout"),
        (
            "networkShape=4&layerActivations=relu,tanh",
            "layerActivations",
        ),
        ("schedule=step:0:0.5", "schedule"),
        ("schedule=sometimes", "schedule"),
        ("earlyStopping=val_loss", "earlyStopping"),
        ("seed=-3", "seed"),
        ("speed=fast", "speed"),
        ("speed=0", "speed"),
        ("speed=1000000", "speed"),
        ("speed=-5", "speed"),
        ("threads=many", "threads"),
        ("threads=0", "threads"),
        ("threads=100000", "threads"),
    ] {
        let err = from_hash(hash).expect_err(hash);
        assert!(matches!(err, Error::InvalidConfig(_)), "{hash}: {err:?}");
        assert!(err.to_string().contains(key), "{hash}: {err}");
    }
}

#[test]
fn threads_round_trip_as_a_display_setting() {
    for threads in [None, Some(1), Some(2), Some(16)] {
        let cfg = PlaygroundConfig {
            threads,
            ..PlaygroundConfig::default()
        };
        let hash = to_hash(&cfg, &[]);
        // Auto is the default and stays out of links.
        assert_eq!(hash.contains("threads="), threads.is_some(), "{hash}");
        assert_eq!(from_hash(&hash).unwrap().config, cfg);
    }
    assert_eq!(from_hash("threads=auto").unwrap().config.threads, None);
    assert_eq!(from_hash("threads=3").unwrap().config.threads, Some(3));
    let mut s = nn_playground::session::Session::new(PlaygroundConfig::default()).unwrap();
    s.train_epochs(2).unwrap();
    let cfg = PlaygroundConfig {
        threads: Some(1),
        ..PlaygroundConfig::default()
    };
    assert_eq!(
        s.set_config(cfg).unwrap(),
        nn_playground::session::Change::Kept
    );
    assert_eq!(s.epoch(), 2);
}

#[test]
fn oversized_hash_is_a_limit_error() {
    let long = format!("dataset=circle&x={}", "a".repeat(url_state_max() + 1));
    assert!(matches!(from_hash(&long), Err(Error::Limit(_))));
}

fn url_state_max() -> usize {
    nn_playground::url_state::MAX_HASH_LEN
}

#[test]
fn weights_blob_round_trips_and_compresses() {
    let json = format!("{{\"weights\":[{}]}}", vec!["0.125"; 500].join(","));
    let blob = encode_blob(&json);
    assert!(
        blob.len() < json.len() / 4,
        "{} vs {}",
        blob.len(),
        json.len()
    );
    assert!(blob
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    assert_eq!(decode_blob(&blob).unwrap(), json);

    let hash = to_hash_with_weights(&PlaygroundConfig::default(), &[], &json);
    let st = from_hash(&hash).unwrap();
    assert_eq!(decode_blob(st.weights.as_deref().unwrap()).unwrap(), json);
}

#[test]
fn broken_weights_blob_is_a_format_error() {
    assert!(matches!(
        decode_blob("!!!not base64"),
        Err(Error::Format(_))
    ));
    assert!(matches!(decode_blob("AAAAAAAA"), Err(Error::Format(_))));
}

mod sequence_links {
    use nn_playground::data::sequence::SequenceTask;
    use nn_playground::url_state::{is_sequence_hash, read_sequence_hash, sequence_to_hash};
    use nn_playground::*;

    fn rich_sequence() -> SequenceConfig {
        let mut cfg = SequenceConfig::default();
        cfg.task.task = SequenceTask::CopyOffset;
        cfg.task.length = 12;
        cfg.task.vocab = 7;
        cfg.task.offset = 3;
        cfg.task.train = 900;
        cfg.task.seed = 42;
        cfg.blocks = 3;
        cfg.heads = 3;
        cfg.width = 48;
        cfg.ff_units = 96;
        cfg.dropout = 0.125;
        cfg.causal = true;
        cfg.sinusoidal = true;
        cfg.batch_size = 17;
        cfg.optimizer.kind = OptimizerKind::Adamw;
        cfg.optimizer.learning_rate = 0.0015;
        cfg.optimizer.warmup_steps = 7;
        cfg.seed = 987_654_321_012;
        cfg
    }

    #[test]
    fn a_sequence_setup_and_its_pace_round_trip() {
        let cfg = rich_sequence();
        for (speed, lang) in [(None, None), (Some(20), Some(Lang::Zh))] {
            let hash = sequence_to_hash(&cfg, speed, lang);
            assert!(is_sequence_hash(&hash), "{hash}");
            let st = read_sequence_hash(&hash).unwrap();
            assert_eq!(st.config, cfg, "{hash}");
            assert_eq!(st.speed, speed);
            assert_eq!(st.lang, lang);
            assert!(st.unknown.is_empty() && st.rejected.is_empty(), "{st:?}");
        }
        let default = sequence_to_hash(&SequenceConfig::default(), None, None);
        assert!(
            !default.contains("offset=") && !default.contains("taskSeed="),
            "{default}"
        );
        assert!(sequence_to_hash(&cfg, None, None).contains("offset=3"));
        assert!(!default.contains("lang="));
    }

    #[test]
    fn key_order_does_not_matter_for_heads_and_width() {
        // heads=3 alone would not divide the default width 32: the shape is checked whole.
        let st = read_sequence_hash("#mode=sequence&heads=3&width=48").unwrap();
        assert!(st.rejected.is_empty(), "{:?}", st.rejected);
        assert_eq!((st.config.heads, st.config.width), (3, 48));
    }

    #[test]
    fn a_bad_value_costs_only_its_setting_and_names_it() {
        let st = read_sequence_hash("mode=sequence&task=juggle&blocks=9&vocab=5&dropout=x&nope=1")
            .unwrap();
        assert_eq!(st.config.task.vocab, 5);
        assert_eq!(st.config.task.task, SequenceTask::Reverse);
        assert_eq!(st.config.blocks, SequenceConfig::default().blocks);
        let text: Vec<String> = st.rejected.iter().map(ToString::to_string).collect();
        assert_eq!(text.len(), 3, "{text:?}");
        for key in ["task=", "blocks=", "dropout="] {
            assert!(text.iter().any(|m| m.contains(key)), "{key} in {text:?}");
        }
        assert_eq!(st.unknown, vec!["nope".to_string()]);
    }

    #[test]
    fn an_indivisible_width_falls_back_to_the_default_shape_and_says_why() {
        let st = read_sequence_hash("mode=sequence&heads=3&width=32&length=6").unwrap();
        assert_eq!(st.config.task.length, 6);
        let d = SequenceConfig::default();
        assert_eq!((st.config.heads, st.config.width), (d.heads, d.width));
        assert_eq!(st.rejected.len(), 1);
        assert!(
            st.rejected[0].to_string().contains("not divisible"),
            "{:?}",
            st.rejected
        );
    }

    /// The refused key of a combination the engine refuses, and the config the link gives.
    fn refused(hash: &str) -> (String, SequenceConfig) {
        let st = read_sequence_hash(hash).unwrap();
        assert_eq!(st.rejected.len(), 1, "{hash}: {:?}", st.rejected);
        data::sequence::check(&st.config.task).unwrap();
        (st.rejected[0].to_string(), st.config)
    }

    #[test]
    fn a_combination_the_engine_refuses_costs_only_the_key_that_breaks_it() {
        let (why, cfg) = refused("mode=sequence&task=copy_offset&length=6&offset=6&blocks=1");
        assert!(
            why.contains("offset=6 was not used") && why.contains("copy offset"),
            "{why}"
        );
        assert_eq!(
            (cfg.task.task, cfg.task.length, cfg.task.offset, cfg.blocks),
            (SequenceTask::CopyOffset, 6, 2, 1)
        );
        let (why, cfg) = refused("mode=sequence&task=addition&length=6&heads=2");
        assert!(
            why.contains("length=6 was not used") && why.contains("odd"),
            "{why}"
        );
        assert_eq!(
            (cfg.task.task, cfg.task.length, cfg.heads),
            (SequenceTask::Addition, 7, 2)
        );
        let (why, cfg) = refused("mode=sequence&task=balanced_brackets&length=7&vocab=5");
        assert!(
            why.contains("length=7 was not used") && why.contains("even"),
            "{why}"
        );
        assert_eq!(
            (cfg.task.task, cfg.task.length, cfg.task.vocab),
            (SequenceTask::BalancedBrackets, 12, 5)
        );
        let (why, cfg) = refused("mode=sequence&task=copy_offset&vocab=2&length=5");
        assert!(why.contains("vocab=2 was not used"), "{why}");
        assert_eq!(
            (cfg.task.task, cfg.task.length, cfg.task.vocab),
            (SequenceTask::CopyOffset, 5, 10)
        );
    }

    #[test]
    fn the_modulus_range_is_the_engines_and_a_task_without_length_takes_its_own() {
        use nn_playground::data::sequence::{MAX_TASK_MODULUS, MIN_TASK_MODULUS};
        let (why, cfg) = refused("mode=sequence&task=modular_addition&modulus=31");
        assert!(
            why.contains(&format!("from {MIN_TASK_MODULUS} to {MAX_TASK_MODULUS}")),
            "{why}"
        );
        assert_eq!(
            (cfg.task.task, cfg.task.modulus),
            (SequenceTask::ModularAddition, 13)
        );
        for p in [MIN_TASK_MODULUS, MAX_TASK_MODULUS] {
            let st =
                read_sequence_hash(&format!("mode=sequence&task=modular_addition&modulus={p}"))
                    .unwrap();
            assert!(st.rejected.is_empty(), "{p}: {:?}", st.rejected);
            assert_eq!(st.config.task.modulus, p);
            data::sequence::check(&st.config.task).unwrap();
        }
        let st = read_sequence_hash("mode=sequence&task=addition").unwrap();
        assert!(st.rejected.is_empty(), "{:?}", st.rejected);
        assert_eq!(
            st.config.task.length,
            SequenceTask::Addition.default_length()
        );
        data::sequence::check(&st.config.task).unwrap();
    }

    #[test]
    fn a_link_without_a_pace_opens_at_a_watchable_one() {
        use nn_playground::url_state::DEFAULT_SEQUENCE_SPEED;
        assert_eq!(
            read_sequence_hash("mode=sequence").unwrap().speed,
            Some(DEFAULT_SEQUENCE_SPEED)
        );
        assert!(playground::SPEED_CHOICES.contains(&Some(DEFAULT_SEQUENCE_SPEED)));
        assert_eq!(
            read_sequence_hash("mode=sequence&speed=max").unwrap().speed,
            None
        );
    }

    #[test]
    fn playground_links_are_not_sequence_links() {
        assert!(!is_sequence_hash(&url_state::to_hash(
            &PlaygroundConfig::default(),
            &[]
        )));
        assert!(!is_sequence_hash("mode=sequences"));
        let st = url_state::read_hash("mode=playground&dataset=xor").unwrap();
        assert!(st.unknown.is_empty() && st.rejected.is_empty());
        assert!(
            read_sequence_hash("mode=sequence&speed=7")
                .unwrap()
                .rejected
                .len()
                == 1
        );
    }
}

#[test]
fn a_link_that_changes_only_display_settings_is_the_same_run() {
    let base = rich_config();
    let mut display = base.clone();
    display.threads = Some(1);
    display.speed = None;
    display.lang = Some(Lang::Zh);
    assert!(base.same_run_as(&display));
    let mut other = base.clone();
    other.noise = 20.0;
    assert!(!base.same_run_as(&other));
    other = base.clone();
    other.validation_ratio = 0.0;
    assert!(!base.same_run_as(&other));
}
