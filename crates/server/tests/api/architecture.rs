//! The layering rules of `docs/ARCHITECTURE.md`, checked on the source tree: which crate may
//! depend on which (Cargo forbids cycles between crates, this forbids the wrong arrows), and
//! no import cycle between the modules of any crate.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("crates/")
        .to_path_buf()
}

/// The `[dependencies]` names of a crate's manifest (dev-dependencies are not layering).
fn dependencies(krate: &str) -> BTreeSet<String> {
    let manifest = std::fs::read_to_string(crates_dir().join(krate).join("Cargo.toml"))
        .unwrap_or_else(|e| panic!("reading {krate}/Cargo.toml: {e}"));
    let mut in_deps = false;
    let mut out = BTreeSet::new();
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_deps = line == "[dependencies]";
            continue;
        }
        if in_deps && let Some((name, _)) = line.split_once(['=', '.']) {
            let name = name.trim();
            if !name.is_empty() && !name.starts_with('#') {
                out.insert(name.to_owned());
            }
        }
    }
    out
}

/// Which Charge crates each crate may use. Anything not listed is a forbidden arrow.
const ALLOWED: &[(&str, &[&str])] = &[
    ("protocol", &[]),
    ("config", &["charge-protocol"]),
    ("store", &[]),
    ("turn", &["charge-protocol"]),
    (
        "domain",
        &["charge-protocol", "charge-config", "charge-store"],
    ),
    (
        "http",
        &[
            "charge-protocol",
            "charge-config",
            "charge-store",
            "charge-domain",
            "charge-turn",
        ],
    ),
    (
        "realtime",
        &[
            "charge-protocol",
            "charge-config",
            "charge-store",
            "charge-domain",
        ],
    ),
    (
        "server",
        &[
            "charge-protocol",
            "charge-config",
            "charge-store",
            "charge-turn",
            "charge-domain",
            "charge-http",
            "charge-realtime",
        ],
    ),
    ("loadtest", &["charge-protocol"]),
];

#[test]
fn every_crate_depends_only_on_the_layers_below_it() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(crates_dir())
        .expect("crates/")
        .filter_map(Result::ok)
        .filter(|e| e.path().join("Cargo.toml").exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let listed: BTreeSet<String> = ALLOWED.iter().map(|(k, _)| (*k).to_owned()).collect();
    assert_eq!(on_disk, listed, "every crate needs a line in ALLOWED");
    for (krate, allowed) in ALLOWED {
        let charge: BTreeSet<String> = dependencies(krate)
            .into_iter()
            .filter(|d| d.starts_with("charge-"))
            .collect();
        let extra: Vec<_> = charge
            .iter()
            .filter(|d| !allowed.contains(&d.as_str()))
            .collect();
        assert!(extra.is_empty(), "{krate} must not depend on {extra:?}");
    }
}

#[test]
fn the_domain_and_the_settings_know_nothing_of_http_or_sockets() {
    for krate in ["domain", "config", "protocol", "store"] {
        let deps = dependencies(krate);
        for web in [
            "axum",
            "hyper",
            "tower",
            "tower-http",
            "tokio-tungstenite",
            "redis",
            "async-nats",
        ] {
            assert!(!deps.contains(web), "{krate} must not depend on {web}");
        }
    }
    let config = dependencies("config");
    for runtime in ["tokio", "sqlx", "charge-store"] {
        assert!(
            !config.contains(runtime),
            "config is pure data; it must not use {runtime}"
        );
    }
}

/// The top-level module a source file belongs to (`routes/rooms.rs` → `routes`), or `None`
/// for the crate root.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel
        .components()
        .next()?
        .as_os_str()
        .to_string_lossy()
        .into_owned();
    let name = first.trim_end_matches(".rs").to_owned();
    (!matches!(name.as_str(), "lib" | "main")).then_some(name)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir)
        .expect("source dir")
        .filter_map(Result::ok)
    {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Modules named by `crate::a`, `crate::{a, b::c}` and, from a top-level module's own file,
/// `super::a` (which is `crate::a` there).
fn referenced_modules(text: &str, top_level_file: bool) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or_default();
        let mut prefixes = vec!["crate::"];
        if top_level_file {
            prefixes.push("super::");
        }
        for prefix in prefixes {
            for (i, _) in code.match_indices(prefix) {
                let rest = &code[i + prefix.len()..];
                if let Some(group) = rest.strip_prefix('{') {
                    let group = group.split('}').next().unwrap_or_default();
                    for item in group.split(',') {
                        let name = ident(item.trim());
                        if !name.is_empty() {
                            out.insert(name);
                        }
                    }
                } else {
                    let name = ident(rest);
                    if !name.is_empty() {
                        out.insert(name);
                    }
                }
            }
        }
    }
    out
}

/// A cycle in `graph`, if there is one, as the modules along it.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_owned(), 1);
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next.as_str()).copied().unwrap_or(0) {
                1 => {
                    let start = path.iter().position(|p| p == next).unwrap_or(0);
                    let mut cycle = path[start..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(next, graph, state, path) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        path.pop();
        state.insert(node.to_owned(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if state.get(node.as_str()).copied().unwrap_or(0) == 0 {
            let mut path = Vec::new();
            if let Some(c) = visit(node, graph, &mut state, &mut path) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn the_cycle_finder_finds_a_cycle_and_accepts_a_tree() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    graph.insert("a".into(), ["b".to_owned()].into());
    graph.insert("b".into(), ["c".to_owned()].into());
    graph.insert("c".into(), BTreeSet::new());
    assert_eq!(find_cycle(&graph), None);
    graph.insert("c".into(), ["a".to_owned()].into());
    assert_eq!(
        find_cycle(&graph),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    assert_eq!(
        referenced_modules(
            "use crate::{hub, ws::Utf8Bytes};\nlet x = super::bus::X; // crate::no",
            true
        ),
        ["bus", "hub", "ws"].map(String::from).into()
    );
}
#[test]
fn no_crate_has_an_import_cycle_between_its_modules() {
    let mut problems = Vec::new();
    for (krate, _) in ALLOWED {
        let src = crates_dir().join(krate).join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for file in &files {
            let Some(module) = module_of(&src, file) else {
                continue;
            };
            let text = std::fs::read_to_string(file).expect("source file");
            let top_level = file.parent() == Some(src.as_path());
            let modules: BTreeSet<String> =
                files.iter().filter_map(|f| module_of(&src, f)).collect();
            let edges = graph.entry(module.clone()).or_default();
            for target in referenced_modules(&text, top_level) {
                if target != module && modules.contains(&target) {
                    edges.insert(target);
                }
            }
        }
        if let Some(cycle) = find_cycle(&graph) {
            problems.push(format!("{krate}: {}", cycle.join(" → ")));
        }
    }
    assert!(
        problems.is_empty(),
        "module import cycles:\n{}",
        problems.join("\n")
    );
}

#[test]
fn no_websocket_frame_is_built_with_json_macros_outside_protocol() {
    let mut offenders = Vec::new();
    for krate in ["domain", "http", "realtime", "server"] {
        let src = crates_dir().join(krate).join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        for file in files {
            let text = std::fs::read_to_string(&file).expect("source file");
            for (n, line) in text.lines().enumerate() {
                if line.contains("json!(") && line.contains("\"type\"") {
                    offenders.push(format!("{}:{}", file.display(), n + 1));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "frames are typed in charge_protocol::frames, not json!: {offenders:?}"
    );
}
