//! `registry-password-cli`: a registry login with a literal password on a command line.

use std::collections::HashMap;

use crate::findings::finding::{Finding, Level, Location, Subject};
use crate::rules::{Context, FileView, ImagePart, Rule, RuleMeta};
use crate::syntax::shell::{ScriptKind, find_cli_passwords};
use crate::syntax::source::Span;

pub(crate) struct RegistryPasswordCli;

static META: RuleMeta = RuleMeta {
    id: "registry-password-cli",
    name: "RegistryPasswordCli",
    level: Level::Error,
    summary: "A script, Makefile, CI file or Dockerfile logs in to a registry with a literal password.",
    hint: "Read the password from a secret variable and pass it on standard input (`--password-stdin`); rotate it.",
    precision: "high",
    security_severity: "8.0",
    part: ImagePart::Reference,
    shows_source: false,
    online: false,
    doc: include_str!("../../../docs/rules/registry-password-cli.md"),
};

impl Rule for RegistryPasswordCli {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, file: &FileView<'_>, _: &Context, out: &mut Vec<Finding>) {
        let Some(kind) = ScriptKind::of(file.path) else {
            return;
        };
        let mut seen: HashMap<(&'static str, String), usize> = HashMap::new();
        for login in find_cli_passwords(file.text, kind) {
            let occurrence = seen.entry((login.command, login.flag.clone())).or_default();
            *occurrence += 1;
            out.push(Finding::at(
                &META,
                Location {
                    file: file.id,
                    span: Span::from(login.flag_span.clone()),
                },
                Subject::Command {
                    command: login.command,
                    flag: login.flag.clone(),
                    occurrence: *occurrence,
                },
                format!(
                    "`{}` is given a literal password with `{}`: it ends up in the repository, shell history, process lists and CI logs",
                    login.command, login.flag
                ),
            )
            // Everything after the flag: the password and what follows it.
            .with_redacted(Span::new(login.flag_span.end, login.command_span.end)));
        }
    }
}
