use super::*;
use crate::syntax::yaml;

fn found(pipeline: Pipeline, text: &str) -> (Vec<(String, String, String)>, usize) {
    let root = yaml::first_root(text).unwrap();
    let (mut out, mut notes) = (Vec::new(), Vec::new());
    pipeline_images(pipeline, 0, &root, text, &mut out, &mut notes);
    let uses = out
        .iter()
        .map(|u| {
            let Site::Pipeline { key_path } = &u.site else {
                panic!("{:?}", u.site)
            };
            (
                u.text.clone(),
                text[u.span.range()].to_string(),
                key_path.clone(),
            )
        })
        .collect();
    (uses, notes.len())
}

#[test]
fn a_workflow_runs_its_containers_services_and_docker_steps() {
    let text = r#"on: push
jobs:
  build:
    runs-on: ubuntu-latest
    container: node:latest
    services:
      redis:
        image: redis:7
      db:
        image: ${{ matrix.db }}
    steps:
      - uses: actions/checkout@v4
      - uses: docker://alpine:latest
      - uses: "docker://busybox:1.36"
  test:
    container:
      image: python:3.12
      credentials:
        username: me
        password: ${{ secrets.PASSWORD }}
"#;
    let (uses, notes) = found(Pipeline::GithubWorkflow, text);
    let expected = [
        ("node:latest", "node:latest", "jobs.build.container"),
        ("redis:7", "redis:7", "jobs.build.services.redis.image"),
        ("alpine:latest", "alpine:latest", "jobs.build.steps[1].uses"),
        ("busybox:1.36", "busybox:1.36", "jobs.build.steps[2].uses"),
        ("python:3.12", "python:3.12", "jobs.test.container.image"),
    ];
    let got: Vec<(&str, &str, &str)> = uses
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(notes, 1);
}

#[test]
fn gitlab_images_at_every_level_and_variables_not_guessed() {
    let text = "image: python:latest\nservices:\n  - postgres:latest\nvariables:\n  image: not-a-job\ndefault:\n  image:\n    name: ruby:3.3\n    entrypoint: [\"\"]\nbuild:\n  image: $CI_REGISTRY_IMAGE:latest\n  services:\n    - name: docker:dind\n      alias: docker\n.template:\n  image: alpine:3.20\n";
    let (uses, notes) = found(Pipeline::GitlabCi, text);
    let got: Vec<(&str, &str)> = uses
        .iter()
        .map(|(a, _, c)| (a.as_str(), c.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("python:latest", "image"),
            ("postgres:latest", "services[0]"),
            ("ruby:3.3", "default.image.name"),
            ("docker:dind", "build.services[0].name"),
            ("alpine:3.20", ".template.image"),
        ]
    );
    assert_eq!(notes, 1);
}
