use super::*;

#[test]
fn a_whole_entry_is_read_back_and_a_damaged_one_never() {
    let dir = tempfile::tempdir().unwrap();
    let cache = RenderCache::new(dir.path());
    assert_eq!(cache.get("k"), None);
    let pod = Kept::Output("apiVersion: v1\nkind: Pod\n".to_string());
    cache.put("k", &pod);
    assert_eq!(cache.get("k"), Some(pod));
    let path = dir.path().join("renders/k");
    let whole = std::fs::read_to_string(&path).unwrap();
    // Cut short, edited, or with another header: ignored.
    std::fs::write(&path, &whole[..whole.len() - 3]).unwrap();
    assert_eq!(cache.get("k"), None);
    std::fs::write(&path, whole.replace("Pod", "Job")).unwrap();
    assert_eq!(cache.get("k"), None);
    std::fs::write(
        &path,
        whole.replace("imagegate-render 2", "imagegate-render 1"),
    )
    .unwrap();
    assert_eq!(cache.get("k"), None);
    // Rewritten by the next render; a failure is kept as its message.
    let job = Kept::Output("kind: Job\n".to_string());
    cache.put("k", &job);
    assert_eq!(cache.get("k"), Some(job));
    let failed =
        Kept::Failure("found in Chart.yaml, but missing in charts/ directory: redis".into());
    cache.put("f", &failed);
    assert_eq!(cache.get("f"), Some(failed));
}

#[test]
fn the_key_changes_with_any_file_of_the_tree_and_only_then() {
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("chart");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(chart.join("Chart.yaml"), "name: c\n").unwrap();
    std::fs::write(chart.join("templates/a.yaml"), "a: 1\n").unwrap();
    let key = |kind: &str| {
        let mut key = Key::new(kind);
        key.text("v4.2.3");
        key.tree(&chart).map(|k| k.finish())
    };
    let first = key("helm").unwrap();
    assert_eq!(key("helm").unwrap(), first);
    assert_ne!(key("kustomize").unwrap(), first);
    std::fs::write(chart.join("templates/a.yaml"), "a: 2\n").unwrap();
    let edited = key("helm").unwrap();
    assert_ne!(edited, first);
    std::fs::write(chart.join("templates/b.yaml"), "").unwrap();
    assert_ne!(key("helm").unwrap(), edited);
    // A renamed file is another key, even with the same content.
    std::fs::remove_file(chart.join("templates/b.yaml")).unwrap();
    assert_eq!(key("helm").unwrap(), edited);
    std::fs::rename(
        chart.join("templates/a.yaml"),
        chart.join("templates/z.yaml"),
    )
    .unwrap();
    assert_ne!(key("helm").unwrap(), edited);
    // A folder that cannot be read gives no key.
    assert!(Key::new("helm").tree(&dir.path().join("missing")).is_none());
}
