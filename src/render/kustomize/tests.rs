//! Tests of `render/kustomize/mod.rs`.

use super::*;
use std::time::Duration;

const BUDGET: Budget = Budget {
    timeout: Duration::from_secs(60),
    max_output: 16 << 20,
};

/// The renderer for tests that run one; `None` (the test is skipped) when there is none,
/// unless `IMAGEGATE_REQUIRE_TOOLS=1` demands it.
fn renderer() -> Option<Renderer> {
    let found = Renderer::find();
    if found.is_none() {
        let required = std::env::var("IMAGEGATE_REQUIRE_TOOLS").as_deref() == Ok("1");
        assert!(
            !required,
            "IMAGEGATE_REQUIRE_TOOLS=1 but no kustomize or kubectl on PATH"
        );
        eprintln!("skipped: neither kustomize nor kubectl is on PATH");
    }
    found
}

/// A renderer that cannot start: a refusal that returns before starting it ran nothing.
fn absent() -> Renderer {
    Renderer::Kubectl(PathBuf::from("/nonexistent/imagegate-kubectl"))
}

fn write(root: &Path, file: &str, text: &str) {
    let path = root.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Every kustomization under `dir`, in path order.
fn load(dir: &Path, out: &mut Vec<Kustomization>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for path in entries.iter().map(|e| e.path()) {
        if path.is_dir() {
            load(&path, out);
        } else if KUSTOMIZATION_NAMES.iter().any(|n| path.ends_with(n)) {
            out.push(read(&path, &std::fs::read_to_string(&path).unwrap()));
        }
    }
}

fn loaded(dir: &Path) -> Vec<Kustomization> {
    let mut all = Vec::new();
    load(dir, &mut all);
    all
}

fn find<'a>(all: &'a [Kustomization], dir: &Path) -> &'a Kustomization {
    all.iter().find(|k| k.dir == dir).unwrap()
}

/// base + component + two overlays (dev: prefix, component, `images:`; prod: plain).
fn tree(root: &Path) {
    let deploy = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers: [{name: web, image: 'nginx:1.25'}]\n";
    write(root, "kz/base/deploy.yaml", deploy);
    let base = "resources: [deploy.yaml]\nconfigMapGenerator: [{name: cfg, literals: [a=b]}]\n";
    write(root, "kz/base/kustomization.yaml", base);
    let comp = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nlabels: [{pairs: {team: a}}]\n";
    write(root, "kz/comp/kustomization.yaml", comp);
    let dev = "resources: [../base]\ncomponents: [../comp]\nnamePrefix: dev-\nimages: [{name: nginx, newTag: latest}]\n";
    write(root, "kz/dev/kustomization.yaml", dev);
    write(root, "kz/prod/kustomization.yml", "resources:\n- ../base\n");
}

fn parse(text: &str) -> Node {
    yaml::first_root(text).unwrap()
}

/// The rendered objects of kind `kind`.
fn objects(rendered: &Rendered, kind: &str) -> Vec<Node> {
    yaml::documents(&rendered.text, yaml::Limits::default())
        .filter_map(|d| d.root.ok().flatten())
        .filter(|n| n.get("kind").and_then(Node::as_str) == Some(kind))
        .collect()
}

#[test]
fn read_collects_local_and_remote_references() {
    let text = "resources:\n- deploy.yaml\n- ../base/\n- {path: x}\n- https://example.com/a.yaml\n- github.com/org/repo/deploy?ref=v1\nbases: [./old]\ncomponents: [git@github.com:org/repo.git]\ntransformers:\n- |\n  apiVersion: builtin\n  kind: LabelTransformer\npatches:\n- path: https://example.com/p.yaml\nconfigMapGenerator:\n- {name: c, files: [k=http://example.com/f, local.txt]}\n";
    let k = read(Path::new("/r/a/./b/../dev/kustomization.yaml"), text);
    assert_eq!(k.dir, Path::new("/r/a/dev"));
    assert!(!k.component);
    let local = |p: &str| Reference::Local(PathBuf::from(p));
    let remote = |u: &str| Reference::Remote(u.to_string());
    let expected = [
        local("/r/a/dev/deploy.yaml"),
        local("/r/a/base"),
        remote("https://example.com/a.yaml"),
        remote("github.com/org/repo/deploy?ref=v1"),
        local("/r/a/dev/old"),
        remote("git@github.com:org/repo.git"),
        remote("https://example.com/p.yaml"),
        remote("http://example.com/f"),
    ];
    assert_eq!(k.references, expected);
    let broken = read(Path::new("/r/kustomization.yaml"), "resources: [a\n");
    assert!(broken.references.is_empty());
}

#[test]
fn remote_entries_are_recognised() {
    for remote in [
        "https://github.com/org/repo//deploy?ref=v1",
        "HTTP://example.com/x.yaml",
        "ssh://git@example.com/org/repo.git",
        "gh:org/repo",
        "git::https://example.com/repo",
        "example.com/org/repo//sub",
        "github.com/kubernetes-sigs/kustomize/examples/multibases",
        "gitlab.example.com/org/repo.git",
    ] {
        assert!(is_remote(remote), "{remote}");
    }
    for local in ["../base", "deploy.yaml", "./github", "/abs/dir", "a.b/c"] {
        assert!(!is_remote(local), "{local}");
    }
}

#[test]
fn roots_are_the_kustomizations_nothing_else_builds() {
    let k = |file: &str, text: &str| read(Path::new(file), text);
    let mut all = vec![
        k(
            "/r/kz/base/kustomization.yaml",
            "resources: [deploy.yaml, .]\n",
        ),
        k("/r/kz/comp/kustomization.yaml", "kind: Component\n"),
        k(
            "/r/kz/dev/kustomization.yaml",
            "resources: [../base/]\ncomponents: [../comp]\n",
        ),
        k("/r/kz/prod/Kustomization", "bases: [../base]\n"),
        k("/r/tools/kustomization.yml", "resources: [./]\n"),
        k("/r/broken/kustomization.yaml", "resources: [\n"),
        k(
            "/r/lone/kustomization.yaml",
            "kind: Component\nimages: [{name: a}]\n",
        ),
    ];
    assert_eq!(roots(&all), [2, 3, 4, 5]);
    // Neither side of a cycle is a root.
    all.push(k("/r/c1/kustomization.yaml", "resources: [../c2]\n"));
    all.push(k("/r/c2/kustomization.yaml", "resources: [../c1]\n"));
    assert_eq!(roots(&all), [2, 3, 4, 5]);
}

#[test]
fn paths_are_normalized_and_related_lexically() {
    assert_eq!(normalize(Path::new("/a/./b/../../../c/")), Path::new("/c"));
    assert_eq!(normalize(Path::new("a/../../b")), Path::new("../b"));
    let rel = |a: &str, b: &str| relative(Path::new(a), Path::new(b)).unwrap();
    assert_eq!(rel("/tmp/w", "/home/u/dev"), Path::new("../../home/u/dev"));
    assert_eq!(rel("/a/b", "/a/b"), Path::new("."));
    assert_eq!(rel("/a/b/c", "/a"), Path::new("../.."));
    assert_eq!(slash_path(&rel("/t/w", "/t/x/y")), "../x/y");
}

#[test]
fn origin_paths_map_back_to_the_root_as_named() {
    // The wrapper reached the root by its canonical path; Kustomization::dir names it
    // through a symlink (/link -> /real).
    let rendered = Rendered {
        text: String::new(),
        wrapper: PathBuf::from("/tmp/w"),
        canonical_root: PathBuf::from("/real/kz/dev"),
        root_dir: PathBuf::from("/link/kz/dev"),
    };
    let object = parse(
        "kind: Deployment\nmetadata:\n  annotations:\n    config.kubernetes.io/origin: |\n      path: ../../real/kz/base/deploy.yaml\n    alpha.config.kubernetes.io/transformations: |\n      - configuredIn: ../../real/kz/comp/kustomization.yaml\n        configuredBy: {apiVersion: builtin, kind: LabelTransformer}\n      - configuredIn: ../../real/kz/dev/kustomization.yaml\n        configuredBy: {apiVersion: builtin, kind: ImageTagTransformer}\n",
    );
    let found = origin(&object, &rendered).unwrap();
    assert_eq!(found.path, Path::new("/link/kz/base/deploy.yaml"));
    let dev = PathBuf::from("/link/kz/dev/kustomization.yaml");
    assert_eq!(found.image_transformers, std::slice::from_ref(&dev));
    let comp = PathBuf::from("/link/kz/comp/kustomization.yaml");
    assert_eq!(found.transformers, [comp, dev]);
    // A path above the root's tree is mapped the same way; no origin gives None.
    assert_eq!(
        rendered.resolve("../../real/x.yaml"),
        Path::new("/link/x.yaml")
    );
    assert_eq!(origin(&parse("kind: Pod\n"), &rendered), None);
}

#[test]
fn remote_and_outside_references_are_refused_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let root = absolute(dir.path());
    // The remote reference sits in a base that is only read from disk.
    let remote_base = "resources:\n- github.com/org/repo//x?ref=v1\n";
    write(&root, "remote/base/kustomization.yaml", remote_base);
    let top = read(
        &root.join("remote/top/kustomization.yaml"),
        "resources: [../base]\n",
    );
    match render(&absent(), &top, &[], &root, BUDGET) {
        Err(RenderError::Remote { url, file }) => {
            assert_eq!(url, "github.com/org/repo//x?ref=v1");
            assert_eq!(file, root.join("remote/base/kustomization.yaml"));
        }
        other => panic!("{other:?}"),
    }
    let out = read(
        &root.join("out/kustomization.yaml"),
        "resources: [../../x]\n",
    );
    let err = render(&absent(), &out, &[], &root, BUDGET).unwrap_err();
    assert!(matches!(&err, RenderError::Outside { path } if !path.starts_with(&root)));
    assert!(
        err.to_string().contains("outside the scanned tree"),
        "{err}"
    );
    // The root itself outside the boundary.
    let err = render(&absent(), &top, &[], &root.join("out"), BUDGET).unwrap_err();
    assert!(matches!(err, RenderError::Outside { .. }), "{err}");
}

#[test]
fn reference_cycles_and_symlink_loops_end_the_walk() {
    let dir = tempfile::tempdir().unwrap();
    let root = absolute(dir.path());
    write(&root, "c1/kustomization.yaml", "resources: [../c2]\n");
    write(&root, "c2/kustomization.yaml", "resources: [../c1, loop]\n");
    std::os::unix::fs::symlink(".", root.join("c2/loop")).unwrap();
    let all = loaded(&root);
    let c1 = find(&all, &root.join("c1"));
    // The walk ends, whether the kustomizations are known or read from disk; only then
    // is the (absent) renderer started.
    for known in [&all[..], &[]] {
        let err = render(&absent(), c1, known, &root, BUDGET).unwrap_err();
        assert!(
            matches!(err, RenderError::Run(RunError::Spawn { .. })),
            "{err}"
        );
    }
    if let Some(renderer) = renderer() {
        let err = render(&renderer, c1, &all, &root, BUDGET).unwrap_err();
        assert!(matches!(err, RenderError::Failed { .. }), "{err}");
    }
}

#[test]
fn overlays_render_with_their_origins() {
    let Some(renderer) = renderer() else { return };
    let dir = tempfile::tempdir().unwrap();
    let root = absolute(dir.path());
    tree(&root);
    let all = loaded(&root);
    let roots: Vec<&Path> = roots(&all)
        .into_iter()
        .map(|i| all[i].dir.as_path())
        .collect();
    assert_eq!(roots, [root.join("kz/dev"), root.join("kz/prod")]);

    let dev = find(&all, &root.join("kz/dev"));
    let dev = render(&renderer, dev, &all, &root, BUDGET).unwrap();
    assert!(dev.text.contains("name: dev-web") && dev.text.contains("nginx:latest"));
    let found = origin(&objects(&dev, "Deployment")[0], &dev).unwrap();
    assert_eq!(found.path, root.join("kz/base/deploy.yaml"));
    let dev_file = root.join("kz/dev/kustomization.yaml");
    assert_eq!(found.image_transformers, std::slice::from_ref(&dev_file));
    let comp_file = root.join("kz/comp/kustomization.yaml");
    assert_eq!(found.transformers, [comp_file, dev_file]);
    // A generated object points at the kustomization that configured its generator.
    let config = origin(&objects(&dev, "ConfigMap")[0], &dev).unwrap();
    assert_eq!(config.path, root.join("kz/base/kustomization.yaml"));

    let prod = find(&all, &root.join("kz/prod"));
    let prod = render(&renderer, prod, &all, &root, BUDGET).unwrap();
    let found = origin(&objects(&prod, "Deployment")[0], &prod).unwrap();
    assert_eq!(found.path, root.join("kz/base/deploy.yaml"));
    assert!(found.image_transformers.is_empty());
    assert!(prod.text.contains("nginx:1.25"));
}

#[test]
fn a_root_named_through_a_symlink_keeps_that_name() {
    let Some(renderer) = renderer() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (real, link) = (
        absolute(dir.path()).join("real"),
        absolute(dir.path()).join("link"),
    );
    tree(&real);
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let all = loaded(&link);
    let dev = find(&all, &link.join("kz/dev"));
    let rendered = render(&renderer, dev, &all, &link, BUDGET).unwrap();
    let found = origin(&objects(&rendered, "Deployment")[0], &rendered).unwrap();
    assert_eq!(found.path, link.join("kz/base/deploy.yaml"));
    assert_eq!(
        found.image_transformers,
        [link.join("kz/dev/kustomization.yaml")]
    );
}

#[test]
fn a_failing_build_reports_the_renderer_message() {
    let Some(renderer) = renderer() else { return };
    let dir = tempfile::tempdir().unwrap();
    let root = absolute(dir.path());
    write(
        &root,
        "app/kustomization.yaml",
        "resources: [missing.yaml]\n",
    );
    let all = loaded(&root);
    let err = render(&renderer, &all[0], &all, &root, BUDGET).unwrap_err();
    let RenderError::Failed {
        renderer: name,
        message,
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!(*name, renderer.describe());
    assert!(message.starts_with("accumulating resources"), "{message}");
    assert!(message.contains("missing.yaml: no such file"), "{message}");
    assert!(
        !message.contains("run.go") && !message.contains("recursed"),
        "{message}"
    );
}

#[test]
fn klog_wrapping_is_removed_from_messages() {
    let root = Path::new("/r");
    let one = b"# Warning: 'commonLabels' is deprecated.\nE1127 11:02:51.291795    9191 run.go:72] \"command failed\" err=\"accumulating: \\\"x\\\" missing\"\n";
    assert_eq!(failure_message(one, root), "accumulating: \"x\" missing");
    let block = b"E1127 11:03:37.239367 9308 run.go:72] \"command failed\" err=<\n\ttrouble configuring HelmChartInflationGenerator with config: `\n\tchartHome: .\n\tname: c\n\treleaseName: t\n\tversion: v1\n\t`: must specify --enable-helm\n >\n";
    let message = failure_message(block, root);
    assert!(message.starts_with("trouble configuring"), "{message}");
    assert!(
        message.ends_with("…\n`: must specify --enable-helm"),
        "{message}"
    );
}

/// What a build reads: every reachable kustomization file and every existing file one of them
/// names, whatever the field (patches, generator `key=path` files, configurations); not the
/// files beside them that nothing names, nor names that are no file.
#[test]
fn inputs_are_the_files_the_build_reads() {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().canonicalize().unwrap();
    tree(&root);
    let dev = "resources: [../base]\ncomponents: [../comp]\npatches:\n- path: patch.yaml\nconfigMapGenerator:\n- {name: c, files: [conf=files/app.conf], envs: [app.env]}\nconfigurations: [naming.yaml]\nnamePrefix: dev-\n";
    write(&root, "kz/dev/kustomization.yaml", dev);
    for file in [
        "patch.yaml",
        "files/app.conf",
        "app.env",
        "naming.yaml",
        "unread.yaml",
    ] {
        write(&root, &format!("kz/dev/{file}"), "a: b\n");
    }
    write(&root, "kz/base/unread.yaml", "a: b\n");
    let all = loaded(&root);
    let dev = find(&all, &root.join("kz/dev"));
    let got = inputs(dev, &all, &root).unwrap();
    let expected: Vec<PathBuf> = [
        "kz/base/deploy.yaml",
        "kz/base/kustomization.yaml",
        "kz/comp/kustomization.yaml",
        "kz/dev/app.env",
        "kz/dev/files/app.conf",
        "kz/dev/kustomization.yaml",
        "kz/dev/naming.yaml",
        "kz/dev/patch.yaml",
    ]
    .iter()
    .map(|f| root.join(f))
    .collect();
    assert_eq!(got, expected);
    // An overlay that would not be built has no inputs, but the reason.
    write(
        &root,
        "kz/far/kustomization.yaml",
        "resources: [https://example.com/a.yaml]\n",
    );
    let all = loaded(&root);
    let far = find(&all, &root.join("kz/far"));
    assert!(matches!(
        inputs(far, &all, &root),
        Err(RenderError::Remote { .. })
    ));
}
