//! The review of suggested changes (`suggest: "true"`): each fixable finding on a line the
//! pull request adds becomes a GitHub suggested change (a ```` ```suggestion ```` block that
//! replaces that line), all in one review, so a reviewer pins an image with one click.
//!
//! A suggestion is only made where GitHub can place it and where it is right: on a line the
//! pull request adds (read from the files' patches), whose text in the checkout is the text
//! the patch adds. Each comment carries a hidden marker made of the category, the path, the
//! line's text and the replacement, and a rerun posts only the suggestions whose marker is not
//! already on the pull request.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Value, json};

use super::api::{Api, ApiError};
use super::comment::PullRequest;
use crate::ScanReport;
use crate::findings::finding::Insertion;
use crate::input::paths::RepoPaths;

/// Suggestions in one review at most; the rest are counted in its body.
pub const MAX_SUGGESTIONS: usize = 50;

/// One line to replace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// Repository-relative.
    pub path: String,
    /// 1-based, in the file as scanned.
    pub line: usize,
    /// The line as it is (no line ending).
    pub original: String,
    /// What replaces it (line endings as `\n`, none at the end).
    pub replacement: String,
    /// What the edits do, one per fix on the line.
    pub descriptions: Vec<String>,
    /// The rules the fixes answer.
    pub rules: BTreeSet<&'static str>,
}

impl Suggestion {
    /// The hidden marker of this suggestion for `category`.
    pub fn marker(&self, category: &str) -> String {
        let key = format!(
            "{}\u{0}{}\u{0}{}",
            self.path, self.original, self.replacement
        );
        let digest = ring::digest::digest(&ring::digest::SHA256, key.as_bytes());
        let hex: String = digest.as_ref()[..12]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("<!-- imagegate:suggestion:{category}:{hex} -->")
    }

    /// The comment: the marker, what it does, and the suggestion block.
    pub fn body(&self, category: &str) -> String {
        let rules: Vec<String> = self
            .rules
            .iter()
            .map(|id| {
                let uri = crate::rules::ALL
                    .iter()
                    .map(|r| r.meta())
                    .find(|m| m.id == *id)
                    .map(|m| m.help_uri())
                    .unwrap_or_default();
                format!("[{id}]({uri})")
            })
            .collect();
        // A fence longer than any run of backticks in the replacement.
        let longest = self
            .replacement
            .split(|c| c != '`')
            .map(str::len)
            .max()
            .unwrap_or(0);
        let fence = "`".repeat(longest.max(2) + 1);
        format!(
            "{}\n**imagegate** ({}): {}.\n\n{fence}suggestion\n{}\n{fence}\n",
            self.marker(category),
            rules.join(", "),
            self.descriptions.join("; "),
            self.replacement
        )
    }
}

/// The suggestions of `report`'s fixes, one per edited line, in path and line order. Fixes of
/// files outside the repository are left out.
pub fn suggestions(report: &ScanReport, paths: &RepoPaths) -> Vec<Suggestion> {
    // Per file and anchor line: the insertions (each once), descriptions and rules.
    type Line = (
        BTreeSet<(usize, String)>,
        Vec<String>,
        BTreeSet<&'static str>,
    );
    let mut by_line: BTreeMap<(usize, usize), Line> = BTreeMap::new();
    for finding in &report.findings {
        let Some(fix) = &finding.fix else {
            continue;
        };
        let Some(loaded) = report.files.get(fix.file).and_then(|f| f.text()) else {
            continue;
        };
        for insertion in &fix.insertions {
            let Some(start) = anchor(loaded.as_str(), insertion) else {
                continue;
            };
            let entry = by_line.entry((fix.file, start)).or_default();
            entry.0.insert((insertion.at, insertion.text.clone()));
            if !entry.1.contains(&fix.description) {
                entry.1.push(fix.description.clone());
            }
            entry.2.insert(finding.rule.id);
        }
    }
    let mut out = Vec::new();
    for ((file, start), (insertions, descriptions, rules)) in by_line {
        let scanned = &report.files[file];
        let (Some(loaded), Ok(path)) = (scanned.text(), paths.relative(&scanned.path)) else {
            continue;
        };
        let text = loaded.as_str();
        let end = text[start..]
            .find('\n')
            .map_or(text.len(), |i| start + i + 1);
        let mut line = String::new();
        let mut at = start;
        for (offset, inserted) in &insertions {
            if *offset < at || *offset > end {
                continue;
            }
            line.push_str(&text[at..*offset]);
            line.push_str(inserted);
            at = *offset;
        }
        line.push_str(&text[at..end]);
        let original = without_ending(&text[start..end]);
        let replacement = without_ending(&line).replace("\r\n", "\n");
        out.push(Suggestion {
            path,
            line: 1 + text[..start].matches('\n').count(),
            original: original.to_string(),
            replacement,
            descriptions,
            rules,
        });
    }
    out
}

/// The start of the line an insertion edits: the line it falls in, or, for whole lines
/// inserted at a line's start (a `digest:` key under `newTag:`), the line before, which the
/// suggestion then repeats with the new lines after it.
fn anchor(text: &str, insertion: &Insertion) -> Option<usize> {
    let at = insertion.at;
    if at > text.len() || !text.is_char_boundary(at) {
        return None;
    }
    let whole_lines = insertion.text.ends_with('\n') && at > 0 && text.as_bytes()[at - 1] == b'\n';
    let within = if whole_lines { at - 1 } else { at };
    Some(text[..within].rfind('\n').map_or(0, |i| i + 1))
}

fn without_ending(line: &str) -> &str {
    let line = line.strip_suffix('\n').unwrap_or(line);
    line.strip_suffix('\r').unwrap_or(line)
}

/// The lines each file of the pull request adds, with their text, from the files' patches
/// (a file GitHub gives no patch for, such as a very large diff, has none).
pub async fn added_lines(
    api: &Api,
    pr: &PullRequest,
) -> Result<HashMap<String, BTreeMap<usize, String>>, ApiError> {
    let files = super::comment::pull_files(api, pr).await?;
    Ok(files
        .iter()
        .filter_map(|f| {
            let name = f.get("filename")?.as_str()?;
            let patch = f.get("patch").and_then(Value::as_str).unwrap_or_default();
            Some((name.to_string(), added(patch)))
        })
        .collect())
}

/// The added lines of a unified diff's hunks (the new file's line numbers).
pub fn added(patch: &str) -> BTreeMap<usize, String> {
    let mut lines = BTreeMap::new();
    let mut next: Option<usize> = None;
    for line in patch.split('\n') {
        if let Some(header) = line.strip_prefix("@@ ") {
            // `@@ -a,b +c,d @@ ...`: the new side starts at line c.
            next = header
                .split(' ')
                .find_map(|part| part.strip_prefix('+'))
                .and_then(|new| new.split(',').next())
                .and_then(|n| n.parse().ok());
            continue;
        }
        let Some(number) = next else {
            continue;
        };
        match line.as_bytes().first() {
            Some(b'+') => {
                lines.insert(number, without_ending(&line[1..]).to_string());
                next = Some(number + 1);
            }
            Some(b' ') => next = Some(number + 1),
            // `-` lines are the old side's; `\ No newline at end of file` is neither.
            _ => {}
        }
    }
    lines
}

/// The suggestions not yet on the pull request. A suggestion is posted when its marker is on
/// fewer earlier comments than there are suggestions with that marker (the same line added
/// twice is suggested twice), those at an earlier comment's line counting as posted first.
fn not_posted<'s>(
    suggestions: &'s [Suggestion],
    earlier: &[Value],
    category: &str,
) -> Vec<&'s Suggestion> {
    let mut posted: HashMap<String, Vec<(String, Option<u64>)>> = HashMap::new();
    for comment in earlier {
        let Some(body) = comment.get("body").and_then(Value::as_str) else {
            continue;
        };
        let Some(start) = body.find("<!-- imagegate:suggestion:") else {
            continue;
        };
        let Some(end) = body[start..].find("-->") else {
            continue;
        };
        let path = comment
            .get("path")
            .and_then(Value::as_str)
            .unwrap_or_default();
        // An outdated comment has no `line`; its `original_line` is where it was.
        let line = comment
            .get("line")
            .and_then(Value::as_u64)
            .or_else(|| comment.get("original_line").and_then(Value::as_u64));
        posted
            .entry(body[start..start + end + 3].to_string())
            .or_default()
            .push((path.to_string(), line));
    }
    let mut by_marker: BTreeMap<String, Vec<&Suggestion>> = BTreeMap::new();
    for suggestion in suggestions {
        by_marker
            .entry(suggestion.marker(category))
            .or_default()
            .push(suggestion);
    }
    let mut new = Vec::new();
    for (marker, mut group) in by_marker {
        let earlier = posted.get(&marker).map_or(&[][..], Vec::as_slice);
        let at_earlier = |s: &Suggestion| {
            earlier
                .iter()
                .any(|(path, line)| *path == s.path && *line == Some(s.line as u64))
        };
        // Those at an earlier comment's place first: they are the ones already posted.
        group.sort_by_key(|s| !at_earlier(s));
        new.extend(group.into_iter().skip(earlier.len()));
    }
    new.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    new
}

/// What the review did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reviewed {
    Posted { id: u64, suggestions: usize },
    AlreadyPosted(usize),
    NothingOnChangedLines,
}

/// Post the suggestions of `report` that fall on lines the pull request adds and are not
/// already on it, as one review of the head commit.
pub async fn review(
    api: &Api,
    pr: &PullRequest,
    report: &ScanReport,
    paths: &RepoPaths,
    category: &str,
) -> Result<Reviewed, ApiError> {
    let suggestions = suggestions(report, paths);
    if suggestions.is_empty() {
        return Ok(Reviewed::NothingOnChangedLines);
    }
    let added = added_lines(api, pr).await?;
    // Placed at its line when the pull request adds that line with that text; else (the
    // checkout is the merge commit, and the base moved lines) at the one added line with its
    // text, when there is exactly one.
    let placeable: Vec<Suggestion> = suggestions
        .into_iter()
        .filter_map(|mut s| {
            let lines = added.get(&s.path)?;
            if lines.get(&s.line) != Some(&s.original) {
                let mut same = lines.iter().filter(|(_, text)| **text == s.original);
                let (line, _) = same.next()?;
                if same.next().is_some() {
                    return None;
                }
                s.line = *line;
            }
            Some(s)
        })
        .collect();
    if placeable.is_empty() {
        return Ok(Reviewed::NothingOnChangedLines);
    }
    let earlier = api
        .get_all(&format!(
            "/repos/{}/pulls/{}/comments",
            pr.repository, pr.number
        ))
        .await?;
    let new = not_posted(&placeable, &earlier, category);
    if new.is_empty() {
        return Ok(Reviewed::AlreadyPosted(placeable.len()));
    }
    let Some(head) = &pr.head_sha else {
        return Err(ApiError::Malformed(
            "the event names no head commit to review".into(),
        ));
    };
    let shown = &new[..new.len().min(MAX_SUGGESTIONS)];
    let comments: Vec<Value> = shown
        .iter()
        .map(|s| json!({ "path": s.path, "line": s.line, "side": "RIGHT", "body": s.body(category) }))
        .collect();
    let more = new.len() - shown.len();
    let mut body = format!(
        "**imagegate** suggests pinning {} image reference{} on changed lines to {} digest{}, keeping the tag{}. Apply each with **Commit suggestion**; `imagegate fix` pins them all locally.",
        shown.len(),
        if shown.len() == 1 { "" } else { "s" },
        if shown.len() == 1 { "its" } else { "their" },
        if shown.len() == 1 { "" } else { "s" },
        if shown.len() == 1 { "" } else { "s" },
    );
    if more > 0 {
        body.push_str(&format!(
            " {more} more are not shown here (at most {MAX_SUGGESTIONS} per review)."
        ));
    }
    let created = api
        .post(
            &format!("/repos/{}/pulls/{}/reviews", pr.repository, pr.number),
            &json!({ "commit_id": head, "event": "COMMENT", "body": body, "comments": comments }),
        )
        .await?;
    Ok(Reviewed::Posted {
        id: created.get("id").and_then(Value::as_u64).unwrap_or(0),
        suggestions: shown.len(),
    })
}

#[cfg(test)]
mod tests;
