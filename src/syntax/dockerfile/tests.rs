//! Tests of `syntax/dockerfile/`.

use super::*;

/// Checks the invariants every result must satisfy, whatever the input.
fn check_invariants(text: &str, parsed: &Dockerfile) {
    for (i, stage) in parsed.stages.iter().enumerate() {
        assert_eq!(stage.stage_index, i);
        let image = text.get(stage.image_span.clone());
        let line = text.get(stage.instruction_span.clone());
        assert!(
            image.is_some(),
            "image span {:?} not on char boundaries",
            stage.image_span
        );
        assert!(
            line.is_some(),
            "instruction span {:?} not on char boundaries",
            stage.instruction_span
        );
        assert!(stage.instruction_span.start <= stage.image_span.start);
        assert!(stage.image_span.end <= stage.instruction_span.end);
        match &stage.base {
            FromBase::Malformed(_) => assert!(stage.image_written.is_empty()),
            FromBase::Stage(j) => assert!(*j < i),
            _ => {
                let image = image.unwrap_or_default();
                if !image.contains('\n') {
                    assert_eq!(image, stage.image_written);
                }
            }
        }
    }
}

fn parse_checked(text: &str) -> Dockerfile {
    let parsed = parse(text);
    check_invariants(text, &parsed);
    parsed
}

fn only(text: &str) -> FromInstruction {
    let parsed = parse_checked(text);
    assert_eq!(parsed.stages.len(), 1, "{parsed:#?}");
    parsed.stages.into_iter().next().expect("one stage")
}

fn at<'t>(text: &'t str, span: &Range<usize>) -> &'t str {
    &text[span.clone()]
}

fn image(s: &str) -> FromBase {
    FromBase::Image(s.to_string())
}

fn unresolved(variable: &str) -> FromBase {
    FromBase::Unresolved {
        variable: variable.to_string(),
    }
}

fn base_of(text: &str) -> FromBase {
    parse_checked(text)
        .final_stage()
        .map(|s| s.base.clone())
        .expect("a stage")
}

fn is_malformed(base: &FromBase) -> bool {
    matches!(base, FromBase::Malformed(_))
}

#[test]
fn simple() {
    let text = "FROM nginx:1.27\nRUN echo hi\n";
    let parsed = parse_checked(text);
    let from = parsed.final_stage().expect("stage");
    assert_eq!(from.image_span, 5..15);
    assert_eq!(at(text, &from.image_span), "nginx:1.27");
    assert_eq!(from.image_written, "nginx:1.27");
    assert_eq!(from.base, image("nginx:1.27"));
    assert_eq!(from.stage_index, 0);
    assert_eq!(from.stage_name, None);
    assert_eq!(from.platform, None);
    assert_eq!(at(text, &from.instruction_span), "FROM nginx:1.27");
    assert_eq!(
        parsed.images().map(|(_, i)| i).collect::<Vec<_>>(),
        ["nginx:1.27"]
    );
}

#[test]
fn lowercase_and_mixed_case_keywords() {
    let text = "from alpine:3.20 as build\nFrOm debian:12 As Other\n";
    let parsed = parse_checked(text);
    assert_eq!(parsed.stages.len(), 2);
    assert_eq!(at(text, &parsed.stages[0].image_span), "alpine:3.20");
    assert_eq!(parsed.stages[0].stage_name.as_deref(), Some("build"));
    assert_eq!(parsed.stages[0].base, image("alpine:3.20"));
    assert_eq!(at(text, &parsed.stages[1].image_span), "debian:12");
    assert_eq!(parsed.stages[1].stage_name.as_deref(), Some("Other"));
    assert_eq!(
        at(text, &parsed.stages[1].instruction_span),
        "FrOm debian:12 As Other"
    );
}

#[test]
fn platform_flag() {
    let text = "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n";
    let from = only(text);
    assert_eq!(from.platform.as_deref(), Some("$BUILDPLATFORM"));
    assert_eq!(at(text, &from.image_span), "golang:1.22");
    assert_eq!(from.base, image("golang:1.22"));
    assert_eq!(from.stage_name.as_deref(), Some("build"));

    let from = only("FROM --platform=linux/amd64 alpine");
    assert_eq!(from.platform.as_deref(), Some("linux/amd64"));

    let from = only("ARG P=linux/arm64\nFROM --platform=\"${P}\" alpine");
    assert_eq!(from.platform.as_deref(), Some("linux/arm64"));

    let from = only("FROM --platform=linux/${TARGETARCH} alpine");
    assert_eq!(from.platform.as_deref(), Some("linux/${TARGETARCH}"));
    assert_eq!(from.base, image("alpine"));

    assert_eq!(only("FROM --platform= alpine").platform, None);

    // Several flags; unknown ones are accepted and ignored.
    let text = "FROM --foo=bar --platform=linux/amd64 --baz alpine:3";
    let from = only(text);
    assert_eq!(from.platform.as_deref(), Some("linux/amd64"));
    assert_eq!(at(text, &from.image_span), "alpine:3");
}

#[test]
fn platform_with_a_space_is_malformed() {
    let text = "FROM --platform linux/amd64 alpine\n";
    let from = only(text);
    assert!(is_malformed(&from.base), "{from:?}");
    assert_eq!(at(text, &from.image_span), "FROM");
    assert_eq!(from.image_written, "");

    let from = only("FROM --platform alpine");
    assert!(is_malformed(&from.base), "{from:?}");
    let from = only("FROM --platform=a --platform=b alpine");
    assert!(is_malformed(&from.base), "{from:?}");
}

#[test]
fn multi_stage() {
    let text = "\
FROM golang:1.22 AS builder
RUN go build -o /app
FROM builder
FROM Builder AS second
COPY --from=builder /app /app
FROM gcr.io/distroless/static:nonroot
FROM second
";
    let parsed = parse_checked(text);
    let bases: Vec<_> = parsed.stages.iter().map(|s| s.base.clone()).collect();
    assert_eq!(
        bases,
        [
            image("golang:1.22"),
            FromBase::Stage(0),
            FromBase::Stage(0),
            image("gcr.io/distroless/static:nonroot"),
            FromBase::Stage(2),
        ]
    );
    assert_eq!(at(text, &parsed.stages[2].image_span), "Builder");
    assert_eq!(parsed.final_stage().map(|s| s.stage_index), Some(4));
}

#[test]
fn only_earlier_stages_are_stages() {
    let parsed = parse_checked("FROM later\nFROM alpine AS later\nFROM x AS x\n");
    assert_eq!(parsed.stages[0].base, image("later"));
    assert_eq!(parsed.stages[2].base, image("x"));
    // A repeated name refers to the most recent stage with it.
    let parsed = parse_checked("FROM a AS b\nFROM c AS b\nFROM b\n");
    assert_eq!(parsed.stages[2].base, FromBase::Stage(1));
    // A stage index is not a stage reference in FROM.
    assert_eq!(base_of("FROM alpine\nFROM 0\n"), image("0"));
}

#[test]
fn scratch() {
    assert_eq!(base_of("FROM scratch"), FromBase::Scratch);
    assert_eq!(base_of("FROM SCRATCH AS empty"), FromBase::Scratch);
    assert_eq!(base_of("ARG B=scratch\nFROM ${B}"), FromBase::Scratch);
}

#[test]
fn global_arg_defaults() {
    let text = "ARG BASE=nginx:1.27\nFROM $BASE\n";
    let from = only(text);
    assert_eq!(at(text, &from.image_span), "$BASE");
    assert_eq!(from.image_written, "$BASE");
    assert_eq!(from.base, image("nginx:1.27"));

    assert_eq!(
        base_of("ARG BASE=\"nginx:1.27\"\nFROM ${BASE}"),
        image("nginx:1.27")
    );
    assert_eq!(
        base_of("ARG BASE='nginx:1.27'\nFROM ${BASE}"),
        image("nginx:1.27")
    );
    assert_eq!(
        base_of("arg BASE=nginx\nfrom ${BASE}:1.2"),
        image("nginx:1.2")
    );
    let text = "ARG REG=docker.io TAG=1.27\nFROM ${REG}/library/nginx:${TAG} AS web\n";
    let from = only(text);
    assert_eq!(at(text, &from.image_span), "${REG}/library/nginx:${TAG}");
    assert_eq!(from.base, image("docker.io/library/nginx:1.27"));
    // Defaults can use earlier global ARGs; the last definition wins.
    assert_eq!(
        base_of("ARG V=1.26\nARG V=1.27\nARG IMG=nginx:$V\nARG IMG\nFROM $IMG"),
        image("nginx:1.27")
    );
    // Quoted image token.
    let text = "FROM \"nginx:1.27\"";
    let from = only(text);
    assert_eq!(at(text, &from.image_span), "\"nginx:1.27\"");
    assert_eq!(from.base, image("nginx:1.27"));
}

#[test]
fn arg_without_default_is_unresolved() {
    assert_eq!(base_of("ARG BASE\nFROM $BASE"), unresolved("BASE"));
    assert_eq!(base_of("ARG TAG\nFROM nginx:${TAG}"), unresolved("TAG"));
    assert_eq!(
        base_of("ARG A=1\nARG TAG\nFROM img:$A-$TAG"),
        unresolved("TAG")
    );
    // The required-argument idiom.
    assert_eq!(base_of("ARG B\nFROM ${B:?required}"), unresolved("B"));
    // Derived from an unresolved ARG: reported under the name in the FROM.
    assert_eq!(
        base_of("ARG V\nARG IMG=app:$V\nFROM $IMG"),
        unresolved("IMG")
    );
    // A `:-` default applies to a declared ARG without a value.
    assert_eq!(
        base_of("ARG TAG\nFROM nginx:${TAG:-latest}"),
        image("nginx:latest")
    );
}

#[test]
fn builtin_platform_args() {
    let text = "FROM golang:1.22-$TARGETARCH";
    assert_eq!(base_of(text), unresolved("TARGETARCH"));
    assert_eq!(base_of("FROM build_${TARGETOS}"), unresolved("TARGETOS"));
    assert_eq!(
        base_of("ARG TARGETARCH\nFROM x-$TARGETARCH"),
        unresolved("TARGETARCH")
    );
    assert_eq!(base_of("ARG B=app-$BUILDARCH\nFROM $B"), unresolved("B"));
    assert_eq!(
        base_of("FROM app${TARGETARCH:-amd64}"),
        unresolved("TARGETARCH")
    );
    // Built-ins are always set, so `+` (without `:`) is known.
    assert_eq!(base_of("FROM app${TARGETARCH+-multi}"), image("app-multi"));
    // A global default overrides the automatic value (BuildKit behaviour).
    assert_eq!(
        base_of("ARG TARGETARCH=arm64\nFROM app-$TARGETARCH"),
        image("app-arm64")
    );
}

#[test]
fn stage_local_args_do_not_reach_later_from() {
    let text = "\
ARG TAG=3.20
FROM alpine:$TAG AS a
ARG TAG=9.9
ARG BASE=nginx
FROM alpine:${TAG}
FROM $BASE
FROM nginx${SUFFIX}
";
    let parsed = parse_checked(text);
    assert_eq!(parsed.stages[0].base, image("alpine:3.20"));
    assert_eq!(parsed.stages[1].base, image("alpine:3.20"));
    assert_eq!(parsed.stages[2].base, unresolved("BASE"));
    // An undeclared variable is unresolved (BuildKit would expand it to nothing).
    assert_eq!(parsed.stages[3].base, unresolved("SUFFIX"));
}

#[test]
fn undeclared_variables_are_unresolved_not_empty() {
    assert_eq!(base_of("FROM busybox:${NOPE}"), unresolved("NOPE"));
    assert_eq!(base_of("FROM ${NOPE}/busybox:1"), unresolved("NOPE"));
    assert_eq!(
        base_of("ARG TAG=${MISSING}\nFROM alpine:$TAG"),
        unresolved("TAG")
    );
    assert_eq!(base_of("FROM alpine:${NOPE:-3.20}"), image("alpine:3.20"));
}

#[test]
fn default_and_alternative_forms() {
    assert_eq!(base_of("FROM ${UNSET:-alpine:3}"), image("alpine:3"));
    assert_eq!(base_of("ARG E=\nFROM ${E:-alpine}"), image("alpine"));
    assert_eq!(base_of("ARG E=\"\"\nFROM ${E-alpine}"), unresolved("E"));
    assert_eq!(base_of("ARG E=\nFROM $E"), unresolved("E"));
    assert_eq!(base_of("FROM ${UNSET-alpine}"), image("alpine"));
    assert_eq!(
        base_of("ARG F=slim\nFROM debian:12${F:+-$F}"),
        image("debian:12-slim")
    );
    assert_eq!(
        base_of("ARG F=\nFROM debian:12${F:+-$F}"),
        image("debian:12")
    );
    assert_eq!(
        base_of("ARG F=\nFROM debian:12${F+-set}"),
        image("debian:12-set")
    );
    assert_eq!(base_of("FROM debian:12${UNSET+-set}"), image("debian:12"));
    assert!(is_malformed(&base_of("FROM ${UNSET?missing}")));
    assert!(is_malformed(&base_of("ARG E=\nFROM ${E:?empty}")));
    assert!(is_malformed(&base_of("FROM \"\"")));
}

#[test]
fn nested_defaults() {
    let text =
        "ARG REG=ghcr.io\nFROM ${MIRROR:-${REG:-docker.io}}/org/app:${VERSION:-${DEFAULT:-1.0}}\n";
    let from = only(text);
    assert_eq!(from.base, image("ghcr.io/org/app:1.0"));
    assert_eq!(at(text, &from.image_span), from.image_written);
    // An unused default is not evaluated for resolution.
    assert_eq!(
        base_of("ARG A=alpine\nFROM ${A:-$TARGETARCH}"),
        image("alpine")
    );
    assert_eq!(
        base_of("FROM ${A:-x${TARGETARCH}}"),
        unresolved("TARGETARCH")
    );
    let deep = format!("FROM {}alpine{}", "${A:-".repeat(20), "}".repeat(20));
    assert_eq!(base_of(&deep), image("alpine"));
}

#[test]
fn escapes_in_the_image() {
    assert_eq!(base_of("ARG A=1\nFROM img:\\$A"), image("img:$A"));
    assert_eq!(base_of("FROM 'img:$A'"), image("img:$A"));
    assert_eq!(base_of("ARG A=1\nFROM \"img:$A\""), image("img:1"));
    assert_eq!(base_of("FROM ngi\\nx"), image("nginx"));
    // Go's text/scanner drops a BOM at the start of a word.
    assert_eq!(base_of("FROM \u{FEFF}nginx"), image("nginx"));
}

#[test]
fn pattern_modifiers() {
    let arg = "ARG V=1.22.3\n";
    assert_eq!(
        base_of(&format!("{arg}FROM golang:${{V%.*}}-alpine")),
        image("golang:1.22-alpine")
    );
    assert_eq!(
        base_of(&format!("{arg}FROM golang:${{V%%.*}}")),
        image("golang:1")
    );
    assert_eq!(
        base_of(&format!("{arg}FROM golang:${{V#*.}}")),
        image("golang:22.3")
    );
    assert_eq!(
        base_of(&format!("{arg}FROM golang:${{V##*.}}")),
        image("golang:3")
    );
    assert_eq!(
        base_of(&format!("{arg}FROM golang:${{V#9}}")),
        image("golang:1.22.3")
    );
    assert_eq!(
        base_of(&format!("{arg}FROM golang:${{V/./-}}")),
        unresolved("V")
    );
    assert_eq!(
        base_of("FROM golang:${TARGETARCH%64}"),
        unresolved("TARGETARCH")
    );
    assert!(is_malformed(&base_of(&format!(
        "{arg}FROM golang:${{V:#1}}"
    ))));
    assert!(is_malformed(&base_of(&format!(
        "{arg}FROM golang:${{V#\\x}}"
    ))));
    assert_eq!(reverse_pattern("a\\*c"), "c\\*a");
}

#[test]
fn malformed_from_lines() {
    for (text, why) in [
        ("FROM\n", "no image"),
        ("FROM   \n", "no image"),
        ("FROM --platform=linux/amd64\n", "no image"),
        ("FROM x AS\n", "missing name"),
        ("FROM x as\n", "missing name"),
        ("FROM a b\n", "two words"),
        ("FROM a AS b c\n", "four words"),
        ("FROM a AS 1bad\n", "bad stage name"),
        ("FROM a AS b@c\n", "bad stage name"),
        ("FROM nginx # comment\n", "no inline comments"),
        ("FROM ${\n", "unbalanced"),
        ("FROM ${a\n", "unbalanced"),
        ("FROM ${a:-b\n", "unbalanced"),
        ("FROM ${}\n", "bad substitution"),
        ("FROM ${a b}\n", "bad substitution"),
        ("FROM \"nginx\n", "unterminated quote"),
    ] {
        let from = only(text);
        assert!(is_malformed(&from.base), "{why}: {text:?} gave {from:?}");
        assert_eq!(at(text, &from.image_span), "FROM", "{why}");
        assert_eq!(from.image_written, "");
    }
    // A malformed FROM still counts as a stage.
    let parsed = parse_checked("FROM\nFROM alpine AS x\nFROM x\n");
    assert_eq!(parsed.stages[2].base, FromBase::Stage(1));
}

#[test]
fn as_keyword_is_case_insensitive() {
    for text in ["FROM a AS b", "FROM a as b", "FROM a As b", "FROM a aS b"] {
        assert_eq!(only(text).stage_name.as_deref(), Some("b"), "{text}");
    }
}

#[test]
fn line_continuation() {
    let text = "FROM \\\n  nginx:1.27\n";
    let from = only(text);
    assert_eq!(from.image_span, 9..19);
    assert_eq!(at(text, &from.image_span), "nginx:1.27");
    assert_eq!(from.base, image("nginx:1.27"));
    assert_eq!(at(text, &from.instruction_span), "FROM \\\n  nginx:1.27");

    // A token split by a continuation: the span covers first to last byte.
    let text = "FROM ngi\\\nnx:1.27 AS web\n";
    let from = only(text);
    assert_eq!(at(text, &from.image_span), "ngi\\\nnx:1.27");
    assert_eq!(from.image_written, "nginx:1.27");
    assert_eq!(from.base, image("nginx:1.27"));

    // Comment and blank lines inside a continuation are skipped.
    let text = "FROM --platform=linux/amd64 \\\n# a comment\n\n   \n    nginx \\\n  # another\n  AS web\nRUN x\n";
    let from = only(text);
    assert_eq!(at(text, &from.image_span), "nginx");
    assert_eq!(from.stage_name.as_deref(), Some("web"));
    assert!(at(text, &from.instruction_span).ends_with("AS web"));

    // An escaped escape is not a continuation.
    let parsed = parse_checked("FROM a\\\\\nFROM b\n");
    assert_eq!(parsed.stages.len(), 2);
    // A continuation at end of file.
    assert_eq!(base_of("FROM alpine \\"), image("alpine"));
    // The keyword itself can be split.
    let text = "FR\\\nOM alpine";
    let from = only(text);
    assert_eq!(at(text, &from.image_span), "alpine");
    assert_eq!(at(text, &from.instruction_span), text);
}

#[test]
fn backtick_escape_directive() {
    let text = "# escape=`\nFROM `\n  mcr.microsoft.com/windows/servercore:ltsc2022 AS win\nRUN dir c:\\\nFROM win\n";
    let parsed = parse_checked(text);
    assert_eq!(parsed.stages.len(), 2);
    assert_eq!(
        at(text, &parsed.stages[0].image_span),
        "mcr.microsoft.com/windows/servercore:ltsc2022"
    );
    assert_eq!(parsed.stages[1].base, FromBase::Stage(0));
    // With backtick as escape, backslashes are plain characters.
    assert_eq!(base_of("# escape=`\nFROM c:\\img"), image("c:\\img"));
    assert_eq!(
        base_of("#escape = `\nARG A=1\nFROM img:`$A"),
        image("img:$A")
    );
    // Other directives may come first; `check` and `syntax` are directives.
    let text = "# syntax=docker/dockerfile:1\n# check=skip=all\n# ESCAPE=`\nFROM `\n b";
    assert_eq!(base_of(text), image("b"));
    // Not a directive once a comment, blank line or instruction came first.
    for prefix in ["# hello\n", "\n", "ARG X=1\n", "#!/bin/sh\n"] {
        let text = format!("{prefix}# escape=`\nFROM `\n b");
        assert_eq!(base_of(&text), image("`"), "{prefix:?}");
    }
    // A repeated or invalid escape directive is ignored.
    assert_eq!(base_of("# escape=`\n# escape=\\\nFROM `\n b"), image("b"));
    assert_eq!(base_of("# escape=x\nFROM \\\n b"), image("b"));
}

#[test]
fn crlf() {
    let text = "ARG V=1.27\r\nFROM \\\r\n  nginx:$V AS web\r\nRUN echo\r\n";
    let from = only(text);
    assert_eq!(at(text, &from.image_span), "nginx:$V");
    assert_eq!(from.base, image("nginx:1.27"));
    assert_eq!(from.stage_name.as_deref(), Some("web"));
    assert_eq!(
        at(text, &from.instruction_span),
        "FROM \\\r\n  nginx:$V AS web"
    );
    // Heredoc terminators match despite CRLF.
    let text = "FROM a\r\nRUN <<EOF\r\nFROM evil\r\nEOF\r\nFROM b\r\n";
    assert_eq!(parse_checked(text).stages.len(), 2);
}

#[test]
fn bom() {
    let text = "\u{FEFF}FROM nginx\n";
    let from = only(text);
    assert_eq!(from.image_span, 8..13);
    assert_eq!(at(text, &from.image_span), "nginx");
    assert_eq!(at(text, &from.instruction_span), "FROM nginx");
    let text = "\u{FEFF}# escape=`\nFROM `\n b";
    assert_eq!(base_of(text), image("b"));
    // Only a leading BOM is special.
    assert!(parse_checked("FROM a\n\u{FEFF}FROM b\n").stages.len() == 1);
}

#[test]
fn comments() {
    let text =
        "# FROM evil\n   # FROM evil2\n#FROM evil3\n\tFROM good # not a comment\nFROM good2\n";
    let parsed = parse_checked(text);
    assert_eq!(parsed.stages.len(), 2);
    assert!(is_malformed(&parsed.stages[0].base));
    assert_eq!(parsed.stages[1].base, image("good2"));
}

#[test]
fn heredocs_hide_their_bodies() {
    let text = "\
FROM alpine AS base
RUN <<EOF
FROM evil1
echo hi
EOF
RUN <<-EOT bash
\tFROM evil2
\tEOT
COPY <<\"END\" /etc/x
FROM evil3
END
RUN cat <<'Q' > /f
FROM evil4
Q
RUN <<A <<B
FROM evil5
A
FROM evil6
B
ONBUILD RUN <<EOF
FROM evil7
EOF
run --mount=type=cache,target=/x <<EOF
FROM evil8
EOF
RUN echo <<EOF \\
  && true
FROM evil9
EOF
FROM base
";
    let parsed = parse_checked(text);
    let bases: Vec<_> = parsed.stages.iter().map(|s| s.base.clone()).collect();
    assert_eq!(bases, [image("alpine"), FromBase::Stage(0)]);
    assert_eq!(at(text, &parsed.stages[1].image_span), "base");
}

#[test]
fn heredoc_detection_follows_buildkit() {
    // Not heredocs in BuildKit, so the FROM lines are instructions.
    for text in [
        "FROM a\nRUN [\"cat\"] <<EOF\nFROM b\nEOF\n",
        "FROM a\nRUN echo \"<<EOF\"\nFROM b\nEOF\n",
        "FROM a\nRUN cat<<EOF\nFROM b\nEOF\n",
        "FROM a\nRUN cat <<<EOF\nFROM b\nEOF\n",
        "FROM a\nCMD <<EOF\nFROM b\nEOF\n",
        "FROM a\nRUN echo 'x <<EOF\nFROM b\nEOF\n",
        // BuildKit's lexer shares one word buffer between nested calls, so
        // the `${…}` wipes the `<<EOF` before it from the word.
        "FROM a\nRUN <<EOF${X:-}\nFROM b\nEOF${X:-}\n",
    ] {
        assert_eq!(parse_checked(text).stages.len(), 2, "{text:?}");
    }
    // Shell form that merely starts with `[` still takes heredocs.
    assert_eq!(
        parse_checked("FROM a\nRUN [ -f x ] <<EOF\nFROM b\nEOF\n")
            .stages
            .len(),
        1
    );
    // The terminator must match exactly; `<<-` strips leading tabs only.
    let text = "FROM a\nRUN <<-EOF\n  EOF\nFROM b\n\tEOF\nFROM c\n";
    assert_eq!(parse_checked(text).stages.len(), 2);
    // An unterminated heredoc runs to the end of the file.
    assert_eq!(parse_checked("FROM a\nRUN <<EOF\nFROM b\n").stages.len(), 1);
    // A heredoc before the first FROM.
    assert_eq!(
        base_of("RUN <<EOF\nFROM evil\nEOF\nFROM good"),
        image("good")
    );
}

#[test]
fn onbuild_from_is_not_a_stage() {
    assert_eq!(parse_checked("FROM a\nONBUILD FROM b\n").stages.len(), 1);
}

#[test]
fn empty_and_blank_files() {
    for text in [
        "",
        "\n",
        "   \n\t\n",
        "# just a comment\n",
        "\u{FEFF}",
        "\\",
        "\\\n\\\n",
    ] {
        let parsed = parse_checked(text);
        assert!(parsed.stages.is_empty(), "{text:?}");
        assert!(parsed.final_stage().is_none());
    }
}

#[test]
fn non_ascii_before_from() {
    let text = "# héllo wörld ✓ 😀\nLABEL x=\"ünïcödé\"\n\u{3000}FROM  registry.例え.jp/äpp:1 AS web\u{A0}\nFROM web\n";
    let parsed = parse_checked(text);
    assert_eq!(parsed.stages.len(), 2);
    let from = &parsed.stages[0];
    let start = text.find("registry").expect("present");
    assert_eq!(
        from.image_span,
        start..start + "registry.例え.jp/äpp:1".len()
    );
    assert_eq!(at(text, &from.image_span), "registry.例え.jp/äpp:1");
    assert_eq!(from.base, image("registry.例え.jp/äpp:1"));
    assert_eq!(
        at(text, &from.instruction_span),
        "FROM  registry.例え.jp/äpp:1 AS web"
    );
    assert_eq!(parsed.stages[1].base, FromBase::Stage(0));
    // Non-ASCII inside a continued token.
    let text = "FROM ré\\\ngïstry/ñ AS x";
    let from = only(text);
    assert_eq!(at(text, &from.image_span), "ré\\\ngïstry/ñ");
    assert_eq!(from.base, image("régïstry/ñ"));
}

#[test]
fn binary_garbage() {
    let mut state = 0x2545_F491_4F6C_DD1D_u64;
    for round in 0..300 {
        let len = (round * 37) % 2000;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect();
        let text = String::from_utf8_lossy(&bytes);
        parse_checked(&text);
        parse_checked(&format!("FROM {text}"));
        parse_checked(&format!("ARG A={text}\nFROM $A{text}"));
    }
    parse_checked("FROM \0\u{1}\u{7f}\u{FFFD}\0 AS \0");
}

#[test]
fn fragments_fuzz() {
    const PIECES: &[&str] = &[
        "FROM ",
        "from ",
        "ARG ",
        "RUN ",
        "COPY ",
        "ONBUILD ",
        " AS ",
        " as ",
        "A=",
        "B",
        "=",
        "$",
        "${",
        "}",
        ":-",
        ":+",
        "-",
        "+",
        "?",
        "#",
        "%",
        "/",
        "*",
        "\\",
        "`",
        "\n",
        "\r\n",
        "\r",
        " ",
        "\t",
        "# escape=`\n",
        "<<",
        "<<-",
        "EOF",
        "\"",
        "'",
        "[",
        "]",
        ",",
        "--platform=",
        "--",
        "é",
        "😀",
        "\u{FEFF}",
        "\u{A0}",
        "scratch",
        "x",
        "TARGETARCH",
        "builder",
        "1",
        "\0",
    ];
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut rand = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    for _ in 0..20_000 {
        let count = rand(40);
        let text: String = (0..count).map(|_| PIECES[rand(PIECES.len())]).collect();
        parse_checked(&text);
    }
}

#[test]
fn every_prefix_of_a_complex_file() {
    let text = "\u{FEFF}# escape=\\\nARG REG=ghcr.io V=1.2.3\nARG B=\"${REG}/app:${V%.*}\"\n\
FROM --platform=$BUILDPLATFORM ${B} AS build\nRUN <<-EOF\n\tFROM nö\n\tEOF\n\
FROM BUILD AS final\nFROM \\\n  # c\n  ${X:-${Y:-alpine}} AS z\r\nFROM scratch\n";
    let mut boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    boundaries.push(text.len());
    for end in boundaries {
        parse_checked(&text[..end]);
    }
    let parsed = parse_checked(text);
    let bases: Vec<_> = parsed.stages.iter().map(|s| s.base.clone()).collect();
    assert_eq!(
        bases,
        [
            image("ghcr.io/app:1.2"),
            FromBase::Stage(0),
            image("alpine"),
            FromBase::Scratch
        ]
    );
}

#[test]
fn one_megabyte_single_line() {
    let token = "a".repeat(1 << 20);
    let text = format!("FROM {token}");
    let from = only(&text);
    assert_eq!(from.image_span, 5..5 + token.len());
    assert_eq!(from.base, FromBase::Image(token.clone()));

    let text = format!("ARG A={token}\nFROM $A");
    assert_eq!(base_of(&text), FromBase::Image(token));

    for unit in [
        "${", "${a:-", "$", "\"", "'", "\\", "<<", "#", "}", "${a}", " ", "é",
    ] {
        let body = unit.repeat((1 << 18) / unit.len());
        parse_checked(&format!("FROM {body}"));
        parse_checked(&format!("FROM x{body}y"));
        parse_checked(&format!("ARG A={body}\nFROM $A"));
        parse_checked(&format!("FROM a\nRUN {body}\nFROM b"));
        parse_checked(&format!("FROM a\nRUN <<EOF{body}\nFROM b"));
    }
    let text = format!("RUN [{}]\nFROM x", "\"a\",".repeat(1 << 18));
    assert_eq!(base_of(&text), image("x"));
    let text = format!("{}FROM x", "FROM \\\n".repeat(1 << 16));
    parse_checked(&text);
}

#[test]
fn deep_nesting_is_bounded() {
    let deep = format!("FROM {}x{}", "${a:-".repeat(10_000), "}".repeat(10_000));
    assert_eq!(base_of(&deep), unresolved("a"));
    let deep = format!(
        "ARG A={}x{}\nFROM $A",
        "${a:-".repeat(10_000),
        "}".repeat(10_000)
    );
    assert_eq!(base_of(&deep), unresolved("A"));
    let deep = format!("FROM a\nRUN <<EOF {}\nFROM b\nEOF", "${a:-".repeat(10_000));
    assert_eq!(parse_checked(&deep).stages.len(), 2);
    let quotes = format!("FROM \"{}\"", "${a:-\"".repeat(5_000));
    parse_checked(&quotes);
}

#[test]
fn expansion_size_is_bounded() {
    let mut text = format!("ARG A0={}\n", "x".repeat(1 << 16));
    for i in 1..40 {
        let p = i - 1;
        text.push_str(&format!("ARG A{i}=$A{p}$A{p}$A{p}$A{p}\n"));
    }
    text.push_str("FROM $A39\n");
    assert_eq!(base_of(&text), unresolved("A39"));
    let text = format!("ARG A={}\nFROM x{}", "y".repeat(1 << 20), "$A".repeat(100));
    assert_eq!(base_of(&text), unresolved("A"));
}

#[test]
fn pattern_work_is_bounded() {
    let text = format!(
        "ARG A={}\nFROM x${{A#{}}}",
        "a".repeat(1 << 20),
        "*a".repeat(1000)
    );
    assert_eq!(base_of(&text), unresolved("A"));
    let text = format!("ARG A={}b\nFROM x${{A##*a}}", "a".repeat(1000));
    assert_eq!(base_of(&text), image("xb"));
}

#[test]
fn helpers() {
    assert_eq!(trim_continuation("a \\ \t", '\\'), (2, true));
    assert_eq!(trim_continuation("\\", '\\'), (0, true));
    assert_eq!(trim_continuation("a\\\\", '\\'), (3, false));
    assert_eq!(trim_continuation("a`", '`'), (1, true));
    assert!(is_json_string_array(" [\"a\", \"b\\u00e9\"] trailing"));
    assert!(is_json_string_array("[]"));
    assert!(!is_json_string_array("[\"a\",]"));
    assert!(!is_json_string_array("[1]"));
    assert!(!is_json_string_array("[ -f x ]"));
    assert_eq!(
        parse_words("A=\"x y\" B='c d' C", '\\'),
        ["A=\"x y\"", "B='c d'", "C"]
    );
    assert_eq!(
        extract_builder_flags("--a=\"b c\" --d x y"),
        (vec!["--a=b c".to_string(), "--d".to_string()], Some(14))
    );
    assert_eq!(extract_builder_flags("-- --x"), (vec![], Some(2)));
    assert_eq!(
        parse_heredoc_word("<<-\"EOF\""),
        Some(("EOF".to_string(), true))
    );
    assert_eq!(
        parse_heredoc_word("2<<E'O'F"),
        Some(("EOF".to_string(), false))
    );
    assert_eq!(parse_heredoc_word("<<EOF<x"), None);
    assert_eq!(parse_heredoc_word("<<"), None);
}
