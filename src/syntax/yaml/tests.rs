//! Span semantics of the loader, pinned so the backend can be swapped safely: for each source
//! and path, the exact text the node's span covers.

use super::*;

fn doc(text: &str) -> Node {
    let docs = load_stream(text, Limits::default());
    docs.into_iter()
        .find_map(|d| d.root.ok().flatten())
        .expect("a parsed document")
}

/// The text a node at `path` covers (keys are map keys, numbers index sequences).
fn text_at<'t>(text: &'t str, path: &str) -> &'t str {
    let root = doc(text);
    let mut node = &root;
    for part in path.split('.') {
        node = match part.parse::<usize>() {
            Ok(i) => &node.items().expect("a sequence")[i],
            Err(_) => node.get(part).unwrap_or_else(|| panic!("no key {part}")),
        };
    }
    &text[node.span.range()]
}

#[test]
fn scalar_spans_are_exact() {
    let cases: &[(&str, &str, &str)] = &[
        ("image: nginx:1.27\n", "image", "nginx:1.27"),
        (
            "image: \"nginx:1.27\"  # pinned\n",
            "image",
            "\"nginx:1.27\"",
        ),
        ("image: 'nginx:1.27'\n", "image", "'nginx:1.27'"),
        ("c: [{name: a, image: \"x:1\"}]\n", "c.0.image", "\"x:1\""),
        ("c: {image: x:1, name: b}\n", "c.image", "x:1"),
        (
            "a:\n  - name: web\n    image: nginx\n",
            "a.0.image",
            "nginx",
        ),
        ("image: |\n  nginx:1\n\nb: 1\n", "image", "nginx:1"),
        ("image: >-\n  nginx:1\n", "image", "nginx:1"),
        ("name: wéb\nimage: nginx\n", "image", "nginx"),
        ("image: nginx\r\nb: 1\r\n", "image", "nginx"),
        ("\u{feff}image: nginx\n", "image", "nginx"),
        ("{\"image\": \"nginx:1\", \"n\": 1}", "image", "\"nginx:1\""),
    ];
    for (src, path, want) in cases {
        assert_eq!(text_at(src, path), *want, "source {src:?}");
    }
}

#[test]
fn alias_reports_at_the_alias_site() {
    let src = "base: &img nginx:latest\nc:\n  image: *img\n";
    let root = doc(src);
    let node = root.path(&["c", "image"]).unwrap();
    assert_eq!(node.as_str(), Some("nginx:latest"));
    assert_eq!(&src[node.span.range()], "*img");
    assert_eq!(&src[node.defined_at.unwrap().range()], "nginx:latest");
}

#[test]
fn merge_keys_are_applied() {
    let src = "defaults: &d\n  image: nginx:1\nc:\n  <<: *d\n  name: web\n";
    let root = doc(src);
    let c = root.get("c").unwrap();
    assert_eq!(c.get("image").and_then(Node::as_str), Some("nginx:1"));
    assert_eq!(c.get("name").and_then(Node::as_str), Some("web"));
}

#[test]
fn spans_in_later_documents_are_file_offsets() {
    let src = "a: 1\n---\nimage: nginx\n";
    let docs = load_stream(src, Limits::default());
    assert_eq!(docs.len(), 2);
    let n = docs[1].root.clone().unwrap().unwrap();
    let image = n.get("image").unwrap();
    assert_eq!(&src[image.span.range()], "nginx");
}

#[test]
fn a_broken_document_does_not_hide_the_others() {
    let src = "a: [1\n---\nimage: nginx\n---\nb: {\n";
    let docs = load_stream(src, Limits::default());
    assert_eq!(docs.len(), 3);
    assert!(docs[0].root.is_err());
    assert!(docs[1].root.as_ref().unwrap().is_some());
    let err = docs[2].root.as_ref().unwrap_err();
    assert!(err.offset >= src.rfind("---").unwrap(), "{err:?}");
}

#[test]
fn empty_and_comment_only_documents() {
    let docs = load_stream("---\n# nothing\n---\n", Limits::default());
    assert!(docs.iter().all(|d| matches!(d.root, Ok(None))), "{docs:?}");
}

#[test]
fn scalars_keep_their_type() {
    let root = doc("a: 1\nb: true\nc: ~\nd: '1'\n");
    assert_eq!(root.get("a").unwrap().value, Value::Number("1".into()));
    assert_eq!(root.get("b").unwrap().value, Value::Bool(true));
    assert!(root.get("c").unwrap().is_null());
    assert_eq!(root.get("d").unwrap().as_str(), Some("1"));
}

#[test]
fn hostile_input_is_an_error_not_a_crash() {
    let bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n";
    let docs = load_stream(bomb, Limits::default());
    assert!(docs[0].root.is_err());
    let deep = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(load_stream(&deep, Limits::default())[0].root.is_err());
    let deep_block: String = (0..5_000)
        .map(|i| format!("{}k:\n", " ".repeat(i)))
        .collect();
    assert!(load_stream(&deep_block, Limits::default())[0].root.is_err());
}
#[test]
fn errors_point_at_the_problem() {
    let src = "a: 1\n---\napiVersion: v1\nkind: Pod\nspec: [unclosed\n";
    let err = load_stream(src, Limits::default())[1]
        .root
        .clone()
        .unwrap_err();
    assert_eq!(&src[err.offset..err.offset + 1], "[", "{err:?}");
    assert_eq!(err.message, "unclosed bracket '['");
    let src = "name: wéb\n  b: 2\n";
    let err = load_stream(src, Limits::default())[0]
        .root
        .clone()
        .unwrap_err();
    assert_eq!(&src[err.offset..err.offset + 1], ":", "{err:?}");
}

#[test]
fn budget_breaches_are_explained() {
    let bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n";
    let err = load_stream(bomb, Limits::default())[0]
        .root
        .clone()
        .unwrap_err();
    assert!(err.message.contains("alias"), "{err:?}");
    let deep: String = (0..400).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
    let err = load_stream(&deep, Limits::default())[0]
        .root
        .clone()
        .unwrap_err();
    assert_eq!(err.message, "nested deeper than 256 levels");
    let deep = format!("{}1{}", "[".repeat(1000), "]".repeat(1000));
    let err = load_stream(&deep, Limits::default())[0]
        .root
        .clone()
        .unwrap_err();
    assert_eq!(err.message, "nested deeper than 256 levels");
}

/// `kubectl get -o json` output of a large cluster is one big document: it must fit. (40,000
/// pods are 1.2 million parser events, past serde-saphyr's default budget of one million.)
#[test]
fn large_single_documents_fit_the_budget() {
    let items: Vec<String> = (0..40_000)
        .map(|i| format!("{{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{{\"name\":\"p{i}\",\"labels\":{{\"a\":\"b\"}}}},\"spec\":{{\"containers\":[{{\"name\":\"a\",\"image\":\"nginx:1\"}}]}}}}"))
        .collect();
    let text = format!(
        "{{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[{}]}}",
        items.join(",")
    );
    let docs = load_stream(&text, Limits::default());
    assert!(docs[0].root.is_ok(), "{:?}", docs[0].root.as_ref().err());
}

#[test]
fn duplicate_keys_warn_and_the_last_one_wins() {
    let docs = load_stream("a: 1\nb: 2\na: 3\n", Limits::default());
    let root = docs[0].root.clone().unwrap().unwrap();
    assert_eq!(root.get("a").and_then(Node::as_str), Some("3"));
    assert_eq!(docs[0].warnings.len(), 1);
    assert_eq!(
        docs[0].warnings[0].message,
        "duplicate mapping key `a` (Kubernetes rejects duplicate keys; checked with the last one)"
    );
    assert_eq!(docs[0].warnings[0].offset, 10);
}

#[test]
fn numbers_keep_their_source_text() {
    let root = doc("a: 1.10\nb: 0x1F\nc: 1_000\n");
    assert_eq!(root.get("a").unwrap().value, Value::Number("1.10".into()));
    assert_eq!(root.get("b").unwrap().value, Value::Number("0x1F".into()));
    assert_eq!(root.get("c").unwrap().value, Value::Number("1_000".into()));
}

/// Many small alias bombs in one stream: each is refused at its own budget (16 nodes per byte
/// of its text), and once the stream's budget is spent the rest of the stream is one error.
#[test]
fn alias_bombs_share_the_stream_budget() {
    let bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n";
    let limits = Limits {
        max_depth: 256,
        max_nodes: 50_000,
    };
    assert_eq!(limits.document_nodes(bomb.len()), 10_000);
    let mut parts = vec!["kind: Pod\n".to_string()];
    parts.extend(std::iter::repeat_n(bomb.to_string(), 20));
    parts.push("kind: Service\n".into());
    let text = parts.join("---\n");
    let docs = load_stream(&text, limits);
    assert_eq!(docs.len(), 22);
    assert!(docs[0].root.as_ref().unwrap().is_some());
    // 50,000 nodes in all: the Pod is charged 4 (half its 8 parser events), the first four
    // bombs 10,000 each, the fifth what is left.
    for (doc, budget) in docs[1..6]
        .iter()
        .zip([10_000, 10_000, 10_000, 10_000, 9_996])
    {
        let err = doc.root.as_ref().unwrap_err();
        let expected = format!("more than {budget} YAML nodes in one document");
        assert!(err.message.starts_with(&expected), "{err:?}");
    }
    let err = docs[6].root.as_ref().unwrap_err();
    assert_eq!(
        err.message,
        "not parsed, with the 15 document(s) after it: the documents before it expand to more than 50000 YAML nodes in all (alias bombs?)"
    );
    assert_eq!(err.offset, docs[6].span.start);
    for doc in &docs[7..] {
        assert_eq!(doc.root, Ok(None));
    }
}

/// A document with aliases that expand a little is not a bomb; a big stream without aliases
/// fits its budget (it grows with the text).
#[test]
fn ordinary_streams_fit_the_stream_budget() {
    let limits = Limits {
        max_depth: 256,
        max_nodes: 1_000,
    };
    let merged = "base: &base {a: 1, b: 2}\nx: {<<: *base, c: 3}\ny: *base\n";
    assert!(
        load_stream(merged, limits)[0]
            .root
            .as_ref()
            .unwrap()
            .is_some()
    );
    let stream: String = (0..500)
        .map(|i| format!("---\nkind: ConfigMap\nmetadata: {{name: c{i}}}\ndata: {{k: v}}\n"))
        .collect();
    let docs = load_stream(&stream, limits);
    assert_eq!(docs.len(), 500);
    assert!(docs.iter().all(|d| matches!(d.root, Ok(Some(_)))));
}

/// A run of comment lines is skipped, however long: serde-saphyr's comment events (on by
/// default) failed a real chart's `values.yaml` at its 33rd comment line in a row with "too
/// many buffered comments while looking ahead".
#[test]
fn long_runs_of_comments_parse() {
    // As in opentelemetry-demo's values: the comments open a mapping, before its first key.
    let comments: String = (0..200).map(|i| format!("  # comment {i}\n")).collect();
    let text = format!("components:\n{comments}  b:\n    image: nginx:1\n");
    let root = doc(&text);
    assert_eq!(
        root.path(&["components", "b", "image"])
            .and_then(Node::as_str),
        Some("nginx:1")
    );
}

/// Every YAML and JSON file under `dir` (symbolic links not followed).
fn yaml_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            yaml_files(&path, out);
        } else if kind.is_file()
            && path
                .extension()
                .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        {
            out.push(path);
        }
    }
}

/// How the event builder and the serde path differ on the documents of `files`: one line per
/// document that differs (at most `shown` lines), and the count.
fn differences(files: &[std::path::PathBuf], shown: usize) -> (usize, usize, Vec<String>) {
    let (mut documents, mut differ, mut lines) = (0, 0, Vec::new());
    let (mut errors, mut aliased, mut warned) = (0, 0, 0);
    for file in files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        for chunk in split_documents(&text) {
            documents += 1;
            let chunk_text = &text[chunk.span.range()];
            let new = parse_document(chunk_text, chunk.span.start, Limits::default());
            let old =
                reference::parse_document_serde(chunk_text, chunk.span.start, Limits::default());
            errors += usize::from(old.root.is_err());
            warned += usize::from(!old.warnings.is_empty());
            aliased += usize::from(
                old.root
                    .as_ref()
                    .is_ok_and(|r| r.as_ref().is_some_and(has_alias)),
            );
            let same = match (&new.root, &old.root) {
                (Ok(a), Ok(b)) => a == b,
                (Err(a), Err(b)) => {
                    a.limit == b.limit && a.offset == b.offset && a.message == b.message
                }
                _ => false,
            } && new.warnings == old.warnings;
            if !same {
                differ += 1;
                if lines.len() < shown {
                    let what = match (&new.root, &old.root) {
                        (Ok(a), Ok(b)) => first_difference(a.as_ref(), b.as_ref(), &text),
                        (a, b) => format!(
                            "new {:?} / old {:?}",
                            a.as_ref()
                                .map(|_| "tree")
                                .map_err(|e| (e.offset, &e.message)),
                            b.as_ref()
                                .map(|_| "tree")
                                .map_err(|e| (e.offset, &e.message))
                        ),
                    };
                    lines.push(format!(
                        "{}@{}: {what} warnings new {:?} old {:?}",
                        file.display(),
                        chunk.span.start,
                        new.warnings,
                        old.warnings
                    ));
                }
            }
        }
    }
    eprintln!(
        "{documents} documents: {errors} errors, {warned} with warnings, {aliased} with aliases or merges"
    );
    (documents, differ, lines)
}

fn has_alias(node: &Node) -> bool {
    node.defined_at.is_some()
        || match &node.value {
            Value::Seq(items) => items.iter().any(has_alias),
            Value::Map(entries) => entries.iter().any(|(k, v)| has_alias(k) || has_alias(v)),
            _ => false,
        }
}

/// Where two trees first differ, as text.
fn first_difference(a: Option<&Node>, b: Option<&Node>, text: &str) -> String {
    match (a, b) {
        (Some(a), Some(b)) => {
            let quote = |s: Span| {
                text.get(s.range())
                    .unwrap_or("?")
                    .chars()
                    .take(40)
                    .collect::<String>()
            };
            if a.span != b.span || a.defined_at != b.defined_at {
                return format!(
                    "span new {:?} `{}` defined {:?} / old {:?} `{}` defined {:?}",
                    a.span,
                    quote(a.span),
                    a.defined_at,
                    b.span,
                    quote(b.span),
                    b.defined_at
                );
            }
            match (&a.value, &b.value) {
                (Value::Seq(x), Value::Seq(y)) if x.len() == y.len() => x
                    .iter()
                    .zip(y)
                    .map(|(p, q)| first_difference(Some(p), Some(q), text))
                    .find(|d| !d.is_empty())
                    .unwrap_or_default(),
                (Value::Map(x), Value::Map(y)) if x.len() == y.len() => x
                    .iter()
                    .zip(y)
                    .flat_map(|((k1, v1), (k2, v2))| {
                        [
                            first_difference(Some(k1), Some(k2), text),
                            first_difference(Some(v1), Some(v2), text),
                        ]
                    })
                    .find(|d| !d.is_empty())
                    .unwrap_or_default(),
                (x, y) if x == y => String::new(),
                (x, y) => format!(
                    "at {:?} `{}`: new {} / old {}",
                    a.span,
                    quote(a.span),
                    short(x),
                    short(y)
                ),
            }
        }
        (None, None) => String::new(),
        (a, b) => format!("root new {} / old {}", a.is_some(), b.is_some()),
    }
}

fn short(value: &Value) -> String {
    match value {
        Value::Seq(items) => format!("seq of {}", items.len()),
        Value::Map(entries) => format!(
            "map of {} ({:?})",
            entries.len(),
            entries
                .iter()
                .map(|(k, _)| k.as_str().unwrap_or("?").to_string())
                .collect::<Vec<_>>()
        ),
        other => format!("{other:?}"),
    }
}

/// The event builder gives what the serde path gave, on every fixture.
#[test]
fn the_event_builder_matches_the_serde_path_on_the_fixtures() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    assert_paths_agree(&root.join("fixtures"), 300);
}

/// The two paths agree on every document of the YAML files under `dir`, at least `at_least`.
fn assert_paths_agree(dir: &std::path::Path, at_least: usize) {
    let mut files = Vec::new();
    yaml_files(dir, &mut files);
    files.sort();
    let (documents, differ, lines) = differences(&files, 40);
    assert!(documents > at_least, "{documents}");
    assert_eq!(
        differ,
        0,
        "{} of {documents} documents differ:\n{}",
        differ,
        lines.join("\n")
    );
}

/// The same over the shared corpus: `IMAGEGATE_CORPUS` (`.ci/run` sets it and runs this with
/// `--release --ignored`), else `../shared/corpus` when it is there.
#[test]
#[ignore = "slow in a debug build: run with --release --ignored"]
fn the_event_builder_matches_the_serde_path_on_the_corpus() {
    let root = match std::env::var_os("IMAGEGATE_CORPUS") {
        Some(dir) => std::path::PathBuf::from(dir),
        None => {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
            if !dir.is_dir() {
                eprintln!("skipped: no ../shared/corpus (set IMAGEGATE_CORPUS)");
                return;
            }
            dir
        }
    };
    assert!(
        root.is_dir(),
        "IMAGEGATE_CORPUS={} is not a folder",
        root.display()
    );
    assert_paths_agree(&root, 10_000);
}

/// Documents the corpus has few of, each compared between the two paths: scalar typing, tags,
/// anchors inside anchors, merges (alias, list, inline, explicit keys winning), duplicate keys
/// in small and large mappings, complex keys, empty and null roots, errors.
#[test]
fn the_event_builder_matches_the_serde_path_on_tricky_documents() {
    let mut large = String::from("big:\n");
    for i in 0..40 {
        large.push_str(&format!("  k{i}: {i}\n"));
    }
    large.push_str("  k7: again\n");
    let documents = [
        "a: [yes, No, ON, off, y, n, True, FALSE, ~, null, Null, '', \"\", 0x1F, 0X1F, 0o17, 0b101, 1_000, _1, 1__0, -.nan, +.nan, 012, -012, +5, -5, 1.5e3, .5, 1., inf, nan, 18446744073709551616, -9223372036854775809, '5', \"yes\"]\n",
        "a: !!str 5\nb: !!int '7'\nc: !!float 1\nd: !!bool yes\ne: !!null ''\nf: !reference [.x, y]\ng: !Ref name\nh: ! 5\ni: !custom yes\n",
        "base: &b {x: 1, y: &inner [1, 2]}\nuse: *b\nagain: *inner\nnested: &n {in: *b}\ntwice: *n\n",
        "a: &a {x: 1, y: 2}\nb: &b {y: 3, z: 4}\nc:\n  <<: [*a, *b]\n  x: 9\nd:\n  <<: *a\ne:\n  <<: {p: 1, x: 2}\n  q: 3\nf:\n  '<<': *a\n",
        "a: 1\nb: 2\na: 3\n",
        large.as_str(),
        "? [a, b]\n: 1\n? {c: d}\n: 2\n",
        "~\n",
        "",
        "# only a comment\n",
        "a: [1, 2\n",
        "a: *missing\n",
        "a: |\n  text\n  more\nb: >-\n  folded\n  text\n\nc: 'single ''quoted'''\nd: \"double \\\"quoted\\\"\"\n",
        "key: value\r\nother: 'x'\r\n",
        "- a\n- - b\n  - c\n- {d: e}\n",
    ];
    for text in documents {
        let new = parse_document(text, 0, Limits::default());
        let old = reference::parse_document_serde(text, 0, Limits::default());
        match (&new.root, &old.root) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{text}"),
            (Err(a), Err(b)) => assert_eq!(a.limit, b.limit, "{text}: {a:?} / {b:?}"),
            (a, b) => panic!("{text}: new {a:?} / old {b:?}"),
        }
        assert_eq!(new.warnings, old.warnings, "{text}");
    }
    // Where the builder is right and the serde path was not: serde-saphyr refused a whole
    // document over one non-finite float (`.inf`, `.nan`, `1e999`), valid YAML 1.2.
    let text = "limits: [.inf, -.Inf, .nan, 1e999]\nname: x\n";
    assert!(
        reference::parse_document_serde(text, 0, Limits::default())
            .root
            .is_err()
    );
    let root = parse_document(text, 0, Limits::default())
        .root
        .unwrap()
        .unwrap();
    assert_eq!(root.get("name").and_then(Node::as_str), Some("x"));
    let limits = root.get("limits").and_then(Node::items).unwrap();
    assert!(
        limits.iter().all(|n| matches!(n.value, Value::Number(_))),
        "{limits:?}"
    );
}
