use super::*;

#[test]
fn added_lines_follow_the_new_side_of_each_hunk() {
    let patch = "@@ -1,3 +1,4 @@\n a\n-b\n+B\n+C\r\n c\n@@ -20,2 +21,2 @@ spec:\n-x\n+y\n\\ No newline at end of file";
    let lines = added(patch);
    assert_eq!(
        lines,
        BTreeMap::from([(2, "B".into()), (3, "C".into()), (21, "y".into())])
    );
    assert!(added("").is_empty());
    assert!(added("Binary files differ").is_empty());
}

#[test]
fn an_insertion_edits_its_own_line_and_whole_lines_the_line_before() {
    let text = "a: 1\r\nimage: x:1\r\nnewTag: v1\r\n";
    let inside = Insertion {
        at: text.find("x:1").unwrap() + 3,
        text: "@sha256:ab".into(),
    };
    assert_eq!(anchor(text, &inside), Some(6));
    let lines = Insertion {
        at: text.len(),
        text: "digest: sha256:ab\r\n".into(),
    };
    assert_eq!(anchor(text, &lines), Some(text.find("newTag").unwrap()));
    assert_eq!(
        anchor(
            text,
            &Insertion {
                at: text.len() + 1,
                text: String::new()
            }
        ),
        None
    );
}

#[test]
fn the_fence_outgrows_backticks_in_the_replacement() {
    let suggestion = Suggestion {
        path: "k8s/a.yaml".into(),
        line: 3,
        original: "image: x:1 # ```".into(),
        replacement: "image: x:1@sha256:ab # ```".into(),
        descriptions: vec!["Pin `x:1`".into()],
        rules: BTreeSet::from(["image-digest-missing"]),
    };
    let body = suggestion.body("imagegate");
    assert!(
        body.contains("\n````suggestion\nimage: x:1@sha256:ab # ```\n````\n"),
        "{body}"
    );
    assert!(body.starts_with(&suggestion.marker("imagegate")));
    // The marker depends on the category, the place and the change.
    assert_ne!(suggestion.marker("imagegate"), suggestion.marker("prod"));
    let other = Suggestion {
        replacement: "image: x:1@sha256:cd # ```".into(),
        ..suggestion.clone()
    };
    assert_ne!(suggestion.marker("imagegate"), other.marker("imagegate"));
}

fn suggestion(path: &str, line: usize) -> Suggestion {
    Suggestion {
        path: path.into(),
        line,
        original: "image: x:1".into(),
        replacement: "image: x:1@sha256:ab".into(),
        descriptions: vec!["Pin `x:1`".into()],
        rules: BTreeSet::from(["image-digest-missing"]),
    }
}

#[test]
fn a_suggestion_is_posted_once_per_place_even_when_lines_repeat() {
    let first = suggestion("a.yaml", 3);
    let second = suggestion("a.yaml", 9);
    let other = Suggestion {
        replacement: "image: x:1@sha256:cd".into(),
        ..suggestion("b.yaml", 3)
    };
    let all = vec![first.clone(), second.clone(), other.clone()];
    // Nothing posted yet: all three.
    assert_eq!(not_posted(&all, &[], "imagegate").len(), 3);
    // One earlier comment with the marker, at line 3: line 9's twin is still new.
    let earlier = vec![json!({"path": "a.yaml", "line": 3, "body": first.body("imagegate")})];
    let new = not_posted(&all, &earlier, "imagegate");
    assert_eq!(new, vec![&second, &other]);
    // An outdated comment (no `line` any more) still counts, by its original line.
    let outdated = vec![
        json!({"path": "a.yaml", "line": null, "original_line": 3, "body": first.body("imagegate")}),
        json!({"path": "a.yaml", "line": 9, "body": second.body("imagegate")}),
        json!({"path": "b.yaml", "line": 3, "body": other.body("imagegate")}),
    ];
    assert!(not_posted(&all, &outdated, "imagegate").is_empty());
    // Another category's comments are not ours.
    assert_eq!(not_posted(&all, &outdated, "prod").len(), 3);
}
