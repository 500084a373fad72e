//! Tests of `syntax/shell/`.

use super::*;

/// `(command, flag text, command text)` per finding, checking the spans' consistency.
fn run(kind: ScriptKind, text: &str) -> Vec<(&'static str, String, String)> {
    find_cli_passwords(text, kind)
        .into_iter()
        .map(|f| {
            let flag_text = text
                .get(f.flag_span.clone())
                .expect("flag span")
                .to_string();
            assert_eq!(flag_text, f.flag, "flag span of {f:?} in {text:?}");
            let cmd = text.get(f.command_span.clone()).expect("command span");
            assert!(f.command_span.start <= f.flag_span.start);
            assert!(f.flag_span.end <= f.command_span.end);
            (f.command, flag_text, cmd.to_string())
        })
        .collect()
}

fn one(kind: ScriptKind, text: &str, command: &str, flag: &str, cmd_text: &str) {
    let got = run(kind, text);
    assert_eq!(
        got,
        vec![(
            command_static(command),
            flag.to_string(),
            cmd_text.to_string()
        )],
        "in {text:?}"
    );
}

fn command_static(c: &str) -> &'static str {
    SPECS
        .iter()
        .find(|s| s.command == c)
        .map(|s| s.command)
        .expect("known command")
}

fn none(kind: ScriptKind, text: &str) {
    assert_eq!(run(kind, text), vec![], "in {text:?}");
}

use ScriptKind::*;

#[test]
fn command_forms() {
    let cases: &[(&str, &str, &str, &str)] = &[
        // (text, command, flag, command text)
        (
            "docker login -p hunter2",
            "docker login",
            "-p",
            "docker login -p hunter2",
        ),
        (
            "docker login -u me --password hunter2 reg.io\n",
            "docker login",
            "--password",
            "docker login -u me --password hunter2 reg.io",
        ),
        (
            "docker login --password=hunter2 r",
            "docker login",
            "--password",
            "docker login --password=hunter2 r",
        ),
        (
            "docker login -phunter2",
            "docker login",
            "-p",
            "docker login -phunter2",
        ),
        (
            "docker login -p=hunter2",
            "docker login",
            "-p",
            "docker login -p=hunter2",
        ),
        (
            "podman login -p x quay.io",
            "podman login",
            "-p",
            "podman login -p x quay.io",
        ),
        (
            "buildah login --password x r",
            "buildah login",
            "--password",
            "buildah login --password x r",
        ),
        (
            "skopeo login -p x r",
            "skopeo login",
            "-p",
            "skopeo login -p x r",
        ),
        (
            "nerdctl login -u u -p x",
            "nerdctl login",
            "-p",
            "nerdctl login -u u -p x",
        ),
        (
            "oras login -u u --password=x r",
            "oras login",
            "--password",
            "oras login -u u --password=x r",
        ),
        (
            "helm registry login reg.io --password x",
            "helm registry login",
            "--password",
            "helm registry login reg.io --password x",
        ),
        (
            "helm registry login r -u u -p x",
            "helm registry login",
            "-p",
            "helm registry login r -u u -p x",
        ),
        (
            "crane auth login r -u u -p x",
            "crane auth login",
            "-p",
            "crane auth login r -u u -p x",
        ),
        (
            "crane auth login r --password x",
            "crane auth login",
            "--password",
            "crane auth login r --password x",
        ),
        (
            "kubectl create secret docker-registry s --docker-server=r --docker-username=u --docker-password=x",
            "kubectl create secret docker-registry",
            "--docker-password",
            "kubectl create secret docker-registry s --docker-server=r --docker-username=u --docker-password=x",
        ),
        (
            "kubectl -n ns create secret docker-registry s --docker-password x",
            "kubectl create secret docker-registry",
            "--docker-password",
            "kubectl -n ns create secret docker-registry s --docker-password x",
        ),
        (
            "oc create secret docker-registry s --docker-password='x y'",
            "oc create secret docker-registry",
            "--docker-password",
            "oc create secret docker-registry s --docker-password='x y'",
        ),
        (
            "docker --config /tmp/c login -p x",
            "docker login",
            "-p",
            "docker --config /tmp/c login -p x",
        ),
        (
            "/usr/bin/docker login -p x",
            "docker login",
            "-p",
            "/usr/bin/docker login -p x",
        ),
        (
            "docker.exe login -p x",
            "docker login",
            "-p",
            "docker.exe login -p x",
        ),
        // Quoted values and flags.
        (
            "docker login -p 'hunter2'",
            "docker login",
            "-p",
            "docker login -p 'hunter2'",
        ),
        (
            "docker login -p \"hunter 2\" r",
            "docker login",
            "-p",
            "docker login -p \"hunter 2\" r",
        ),
        (
            "docker login \"--password=x\"",
            "docker login",
            "--password",
            "docker login \"--password=x\"",
        ),
        (
            "docker login -p pässwörd",
            "docker login",
            "-p",
            "docker login -p pässwörd",
        ),
        (
            "docker login -p %PW%",
            "docker login",
            "-p",
            "docker login -p %PW%",
        ),
        (
            "docker login -p x 2>&1 >/dev/null",
            "docker login",
            "-p",
            "docker login -p x",
        ),
    ];
    for (text, command, flag, cmd) in cases {
        one(Shell, text, command, flag, cmd);
    }
}

#[test]
fn not_literal_or_not_this_rule() {
    let cases = [
        "docker login -p $PW",
        "docker login -p ${PW}",
        "docker login -p \"$PW\"",
        "docker login -p \"${PW:-x y}\"",
        "docker login -p $(cat pw)",
        "docker login -p \"$(cat 'pw')\"",
        "docker login -p `cat pw`",
        "docker login -p pre$PW",
        "docker login --password=$PW",
        "docker login --password=",
        "docker login -p ''",
        "docker login -p \"\"",
        "docker login -p",
        "docker login -p --username u",
        "docker login -p=",
        "docker login -p$1",
        "docker login --password-stdin < pw",
        "docker login -u u reg.io",
        "docker logout reg.io",
        "docker run -p 8080:80 nginx",
        "docker run --rm img login -p x",
        "kubectl create secret generic s --from-literal=password=x",
        "kubectl create secret docker-registry s --docker-password=$PW",
        "helm login -p x",
        "echo \"docker login -p x\"",
        "echo 'docker login -p x'",
        "# docker login -p x",
        "   # docker login -p x",
        "true # docker login -p x",
        "docker login -u u -- -p x",
        "docker login -p > out",
    ];
    for text in cases {
        none(Shell, text);
    }
}

#[test]
fn command_positions() {
    let cases: &[(&str, &str)] = &[
        ("true; docker login -p x", "docker login -p x"),
        ("true && docker login -p x || false", "docker login -p x"),
        ("cat f | docker login -p x", "docker login -p x"),
        ("echo $(docker login -p x)", "docker login -p x"),
        ("echo \"$(docker login -p x)\"", "docker login -p x"),
        ("echo `docker login -p x`", "docker login -p x"),
        ("if docker login -p x; then :; fi", "docker login -p x"),
        ("if true; then docker login -p x; fi", "docker login -p x"),
        (
            "for r in a; do docker login -p x $r; done",
            "docker login -p x $r",
        ),
        ("(docker login -p x)", "docker login -p x"),
        ("{ docker login -p x; }", "docker login -p x"),
        ("sudo docker login -p x", "docker login -p x"),
        ("sudo -E -u root docker login -p x", "docker login -p x"),
        ("command docker login -p x", "docker login -p x"),
        ("exec docker login -p x", "docker login -p x"),
        ("env -i A=1 docker login -p x", "docker login -p x"),
        ("FOO=bar BAZ=\"a b\" docker login -p x", "docker login -p x"),
        ("timeout 30 docker login -p x", "docker login -p x"),
        ("sh -c 'docker login -p x'", "docker login -p x"),
        ("bash -ec \"docker login -p x\"", "docker login -p x"),
        ("eval 'docker login -p x'", "docker login -p x"),
        ("  docker login -p x  ", "docker login -p x"),
    ];
    for (text, cmd) in cases {
        one(Shell, text, "docker login", "-p", cmd);
    }
}

#[test]
fn two_commands_on_one_line() {
    let text = "docker login -p a r1 && podman login --password=b r2";
    assert_eq!(
        run(Shell, text),
        vec![
            (
                "docker login",
                "-p".to_string(),
                "docker login -p a r1".to_string()
            ),
            (
                "podman login",
                "--password".to_string(),
                "podman login --password=b r2".to_string()
            ),
        ]
    );
}

#[test]
fn continuations() {
    let text = "set -e\ndocker login -u u \\\n  -p hunter2 reg.io\necho done\n";
    let f = find_cli_passwords(text, Shell);
    assert_eq!(f.len(), 1);
    assert_eq!(&text[f[0].flag_span.clone()], "-p");
    assert_eq!(f[0].flag_span.start, text.find("-p ").unwrap_or(0));
    assert_eq!(
        &text[f[0].command_span.clone()],
        "docker login -u u \\\n  -p hunter2 reg.io"
    );
    // Value on the next line, CRLF endings.
    one(
        Shell,
        "docker login --password \\\r\n  x\r\n",
        "docker login",
        "--password",
        "docker login --password \\\r\n  x",
    );
    // A word split by a continuation.
    let text = "docker lo\\\ngin -p x";
    assert_eq!(run(Shell, text).len(), 1);
    // Escaped backslash before the newline: no continuation.
    none(Shell, "docker login \\\\\n-p x");
}

#[test]
fn makefile() {
    let text = "PASS ?= x\nlogin:\n\t@docker login -u u -p $(PASS) reg\n\t@docker login -u u -p secret123 reg\n\t-$(DOCKER) login --password=s reg\n\t+docker login -p $$PW\n\tdocker login -p ${PW}\n";
    assert_eq!(
        run(Makefile, text),
        vec![
            (
                "docker login",
                "-p".to_string(),
                "docker login -u u -p secret123 reg".to_string()
            ),
            (
                "docker login",
                "--password".to_string(),
                "$(DOCKER) login --password=s reg".to_string()
            ),
        ]
    );
    // Recipe continuation.
    let text = "x:\n\tdocker login \\\n\t\t-p s \\\n\t\treg\n";
    assert_eq!(run(Makefile, text).len(), 1);
}

#[test]
fn justfile_and_taskfile() {
    let text = "login:\n    @docker login -p {{password}} reg\n    -docker login -p s reg\n    docker login -p {{ pw }}\n";
    assert_eq!(
        run(Justfile, text),
        vec![(
            "docker login",
            "-p".to_string(),
            "docker login -p s reg".to_string()
        )]
    );
    let text = "version: '3'\ntasks:\n  login:\n    cmds:\n      - docker login -p {{.PW}} reg\n      - docker login -p \"{{ .PW }}\" reg\n      - cmd: docker login -p s reg\n      - task: other\n";
    assert_eq!(
        run(Taskfile, text),
        vec![(
            "docker login",
            "-p".to_string(),
            "docker login -p s reg".to_string()
        )]
    );
}

#[test]
fn github_workflow() {
    let text = "\
name: ci
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - name: docker login -p fromname
        run: |
          echo ${{ secrets.X }} | docker login --password-stdin
          docker login -u u -p ${{ secrets.REG_PW }}
          docker login -u u -p '${{ secrets.REG_PW }}' r
          # docker login -p commented
          docker login -u u -p hunter2 ghcr.io
      - run: docker login -p oneline
      - run: \"docker login -p quoted\" # it's quoted
      - run: >-
          docker login -p folded
      - uses: docker/login-action@v3
        with:
          password: literal
";
    let got = run(GithubWorkflow, text);
    let cmds: Vec<&str> = got.iter().map(|g| g.2.as_str()).collect();
    assert_eq!(
        cmds,
        vec![
            "docker login -u u -p hunter2 ghcr.io",
            "docker login -p oneline",
            "docker login -p quoted",
            "docker login -p folded",
        ]
    );
}

#[test]
fn gitlab_ci() {
    let text = "\
build:
  image: docker:27
  before_script:
    - docker login -u $CI_REGISTRY_USER -p $CI_REGISTRY_PASSWORD $CI_REGISTRY
    - 'docker login -u u -p quoted r'
  script: docker login -u u -p inline r
  after_script:
    - >
      docker login -p folded
  variables:
    X: docker login -p notshell
";
    let got = run(GitlabCi, text);
    let cmds: Vec<&str> = got.iter().map(|g| g.2.as_str()).collect();
    assert_eq!(
        cmds,
        vec![
            "docker login -u u -p quoted r",
            "docker login -u u -p inline r",
            "docker login -p folded",
        ]
    );
}

#[test]
fn dockerfile() {
    one(
        Dockerfile,
        "FROM alpine\nRUN docker login -p x reg\n",
        "docker login",
        "-p",
        "docker login -p x reg",
    );
    one(
        Dockerfile,
        "FROM alpine\nrun apk add docker && \\\n    # comment inside\n\n    docker login \\\n  -p x reg\nCMD docker login -p notrun\n",
        "docker login",
        "-p",
        "docker login \\\n  -p x reg",
    );
    one(
        Dockerfile,
        "# syntax=docker/dockerfile:1\n# escape=`\nFROM mcr.microsoft.com/windows\nRUN docker login `  \r\n    -p x reg\r\nCOPY a b\n",
        "docker login",
        "-p",
        "docker login `  \r\n    -p x reg",
    );
    one(
        Dockerfile,
        "FROM a\nRUN --mount=type=secret,id=pw --network=none docker login -p x r\n",
        "docker login",
        "-p",
        "docker login -p x r",
    );
    one(
        Dockerfile,
        "FROM a\nONBUILD RUN docker login -p x r\n",
        "docker login",
        "-p",
        "docker login -p x r",
    );
    one(
        Dockerfile,
        "FROM a\nRUN <<EOF\nset -e\ndocker login -p x r\nEOF\nENV docker login -p notrun\n",
        "docker login",
        "-p",
        "docker login -p x r",
    );
    none(
        Dockerfile,
        "FROM a\n# RUN docker login -p x\nRUN docker login -p $PW r\nRUN --mount=type=secret,id=pw docker login --password-stdin < /run/secrets/pw\nLABEL x=\"docker login -p x\"\nENV A=b \\\n  docker login -p x\n",
    );
    // Without the directive, backtick is a command substitution.
    one(
        Dockerfile,
        "FROM a\nRUN echo `docker login -p x r`\n",
        "docker login",
        "-p",
        "docker login -p x r",
    );
}

#[test]
fn heredoc_in_shell_is_read_as_lines() {
    let text = "cat <<EOF > f\ndocker login -p x r\nEOF\n";
    assert_eq!(run(Shell, text).len(), 1);
}

#[test]
fn unbalanced_input_is_contained() {
    // An unbalanced quote ends at the end of its line.
    let text = "echo \"unterminated\ndocker login -p x\necho 'x\n";
    assert_eq!(run(Shell, text).len(), 1);
    let text = "echo $(unterminated\necho ${x\necho {{ x\ndocker login -p x\n";
    assert_eq!(run(Shell, text).len(), 1);
    for kind in [
        Shell,
        Makefile,
        Justfile,
        Taskfile,
        GithubWorkflow,
        GitlabCi,
        Dockerfile,
    ] {
        for text in [
            "", "\\", "`", "RUN", "RUN \\", "-", "- run:", "'", "\"", "$(", "${{", "\r\n", "é\\",
        ] {
            let _ = find_cli_passwords(text, kind);
        }
    }
}

#[test]
fn kind_of() {
    let cases: &[(&str, Option<ScriptKind>)] = &[
        ("build.sh", Some(Shell)),
        ("scripts/x.bash", Some(Shell)),
        ("Makefile", Some(Makefile)),
        ("sub/makefile", Some(Makefile)),
        ("GNUmakefile", Some(Makefile)),
        ("mk/rules.mk", Some(Makefile)),
        ("Justfile", Some(Justfile)),
        ("justfile", Some(Justfile)),
        (".justfile", Some(Justfile)),
        ("Taskfile.yml", Some(Taskfile)),
        ("Taskfile.yaml", Some(Taskfile)),
        ("taskfile.yml", Some(Taskfile)),
        (".github/workflows/ci.yml", Some(GithubWorkflow)),
        ("./.github/workflows/ci.yaml", Some(GithubWorkflow)),
        ("svc/.github/workflows/ci.yml", Some(GithubWorkflow)),
        (".github/workflows/sub/ci.yml", None),
        (".github/ci.yml", None),
        (".gitlab-ci.yml", Some(GitlabCi)),
        ("ci/.gitlab-ci.yml", Some(GitlabCi)),
        ("Dockerfile", Some(Dockerfile)),
        ("Dockerfile.dev", Some(Dockerfile)),
        ("api.Dockerfile", Some(Dockerfile)),
        ("Containerfile", Some(Dockerfile)),
        ("Dockerfile.dockerignore", None),
        ("README.md", None),
        ("values.yaml", None),
        ("", None),
    ];
    for (path, want) in cases {
        assert_eq!(ScriptKind::of(path), *want, "{path}");
    }
}

#[test]
fn odd_flag_spelling_spans_stop_before_the_value() {
    let cases: &[(&str, &str, &str)] = &[
        // (text, flag, flag span text)
        (
            "docker login --pass\\\nword=hunter2",
            "--password",
            "--pass\\\nword",
        ),
        ("docker login \\-phunter2", "-p", "\\-p"),
        (
            "docker login -\"-\"password hunter2",
            "--password",
            "-\"-\"password",
        ),
        ("docker login '-'p hunter2", "-p", "'-'p"),
    ];
    for (text, flag, span_text) in cases {
        let f = find_cli_passwords(text, Shell);
        assert_eq!(f.len(), 1, "{text:?}");
        assert_eq!(f[0].flag, *flag);
        assert_eq!(
            text.get(f[0].flag_span.clone()),
            Some(*span_text),
            "{text:?}"
        );
        assert!(!text[f[0].flag_span.clone()].contains("hunter2"));
    }
}

#[test]
fn more_edges() {
    // `#` inside a word is no comment; a value may contain it.
    one(
        Shell,
        "docker login -p a#b r",
        "docker login",
        "-p",
        "docker login -p a#b r",
    );
    // Single-quoted expansions stay quiet (Make, Actions and templates expand first).
    none(Shell, "docker login -p '$(PW)'");
    none(GithubWorkflow, "run: docker login -p '${{ secrets.PW }}'");
    // Redirections are no arguments; `<<<` is no heredoc.
    one(
        Shell,
        "docker login -p x <<< ''",
        "docker login",
        "-p",
        "docker login -p x",
    );
    // A command wrapped in a `$(…)` inside a `sh -c` script.
    one(
        Shell,
        "sh -c 'echo $(docker login -p x)'",
        "docker login",
        "-p",
        "docker login -p x",
    );
    // `kubectl` options between the subcommand words.
    one(
        Shell,
        "kubectl create --dry-run=client secret docker-registry s --docker-password x -o yaml",
        "kubectl create secret docker-registry",
        "--docker-password",
        "kubectl create --dry-run=client secret docker-registry s --docker-password x -o yaml",
    );
    // Both flags of one command.
    assert_eq!(run(Shell, "docker login -p a --password b").len(), 2);
    // Heredoc with `<<-` and a quoted delimiter in a Dockerfile.
    one(
        Dockerfile,
        "FROM a\nRUN <<-'EOS' sh\n\tdocker login -p x\n\tEOS\nRUN echo\n",
        "docker login",
        "-p",
        "docker login -p x",
    );
}

#[test]
fn debug_reveals_no_password() {
    let text = "docker login -p hunter2";
    let f = find_cli_passwords(text, Shell);
    assert_eq!(f.len(), 1);
    assert!(!format!("{f:?}").contains("hunter2"));
}

/// Fragments that random inputs are built from: the scanner's keywords and quoting.
const PIECES: &[&str] = &[
    "docker login ",
    "-p ",
    "--password=",
    "kubectl create secret docker-registry ",
    "--docker-password ",
    "x",
    "$",
    "$(",
    ")",
    "${",
    "}",
    "{{",
    "}}",
    "`",
    "'",
    "\"",
    "\\",
    "\n",
    "\r\n",
    " ",
    "\t",
    "#",
    ";",
    "&&",
    "|",
    "<<EOF",
    "EOF",
    "RUN ",
    "- ",
    "run: ",
    "script:",
    "|",
    ">",
    "@",
    "é",
    "\u{0}",
    "😀",
    "sudo ",
    "sh -c ",
    "=",
    "# escape=`\n",
    "ONBUILD ",
    "(",
    "<",
    "2>&1",
];

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

    /// Any text made of the scanner's fragments: no panic, and every span is a non-empty
    /// range of the text.
    #[test]
    fn random_input_never_panics(
        pieces in proptest::collection::vec(proptest::sample::select(PIECES), 0..40)
    ) {
        let text = pieces.concat();
        for kind in [Shell, Makefile, Justfile, Taskfile, GithubWorkflow, GitlabCi, Dockerfile] {
            for f in find_cli_passwords(&text, kind) {
                proptest::prop_assert!(text.get(f.flag_span.clone()).is_some());
                proptest::prop_assert!(text.get(f.command_span.clone()).is_some());
                proptest::prop_assert!(f.flag_span.start < f.flag_span.end);
            }
        }
    }
}

#[test]
fn huge_and_nested_input_is_linear() {
    let kinds = [Shell, Makefile, GithubWorkflow, Dockerfile];
    let inputs = [
        "$(".repeat(200_000),
        "`".repeat(200_000),
        "${".repeat(200_000),
        "{{".repeat(200_000),
        "\\\n".repeat(200_000),
        format!("RUN {}", "\\\n#c\n".repeat(100_000)),
        format!("docker login -p {}", "x".repeat(1_000_000)),
        format!("docker login {}", "-p x ".repeat(100_000)),
        "'\"".repeat(200_000),
        "sh -c '".repeat(100_000),
        "\n".repeat(500_000),
    ];
    let started = std::time::Instant::now();
    for text in &inputs {
        for kind in kinds {
            let _ = find_cli_passwords(text, kind);
        }
    }
    assert!(
        started.elapsed().as_secs() < 20,
        "too slow: {:?}",
        started.elapsed()
    );
    let long = format!("docker login -p {}", "x".repeat(1_000_000));
    assert_eq!(find_cli_passwords(&long, Shell).len(), 1);
    let many = format!("docker login {}", "-p x ".repeat(1000));
    assert_eq!(find_cli_passwords(&many, Shell).len(), 1000);
}
