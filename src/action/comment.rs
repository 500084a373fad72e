//! The sticky pull-request comment: one comment per pull request and category, found again by
//! a hidden marker and edited in place, so a rerun never adds a second one.

use std::collections::HashSet;

use serde_json::{Value, json};

use super::api::{Api, ApiError};

/// The login of comments made with a workflow's `GITHUB_TOKEN`.
const ACTIONS_BOT: &str = "github-actions[bot]";

/// The pull request a run belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequest {
    /// `owner/repo`.
    pub repository: String,
    pub number: u64,
    /// The head commit, which links point at.
    pub head_sha: Option<String>,
    /// The head is in another repository: the token is read-only on `pull_request` events.
    pub from_fork: bool,
}

impl PullRequest {
    /// The pull request of a `pull_request` or `pull_request_target` event payload.
    pub fn from_event(event_name: &str, payload: &Value, repository: &str) -> Option<PullRequest> {
        if !matches!(event_name, "pull_request" | "pull_request_target") {
            return None;
        }
        let pr = payload.get("pull_request")?;
        let number = pr.get("number")?.as_u64()?;
        let head = pr.get("head");
        let head_sha = head
            .and_then(|h| h.get("sha"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let head_repo = head
            .and_then(|h| h.pointer("/repo/full_name"))
            .and_then(Value::as_str);
        Some(PullRequest {
            repository: repository.to_string(),
            number,
            head_sha,
            from_fork: head_repo.is_some_and(|r| r != repository),
        })
    }
}

/// The hidden first line that identifies imagegate's comment for `category`.
pub fn marker(category: &str) -> String {
    format!("<!-- imagegate:sticky:{category} -->")
}

/// The files the pull request changes, as GitHub lists them (all pages).
pub async fn pull_files(api: &Api, pr: &PullRequest) -> Result<Vec<Value>, ApiError> {
    api.get_all(&format!(
        "/repos/{}/pulls/{}/files",
        pr.repository, pr.number
    ))
    .await
}

/// Paths of the files the pull request changes (all pages).
pub async fn changed_files(api: &Api, pr: &PullRequest) -> Result<HashSet<String>, ApiError> {
    let files = pull_files(api, pr).await?;
    Ok(files
        .iter()
        .filter_map(|f| f.get("filename").and_then(Value::as_str))
        .map(str::to_string)
        .collect())
}

/// An earlier comment of ours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Existing {
    pub id: u64,
    pub body: String,
}

/// Our comment on the pull request, if there is one: the first comment carrying `marker`,
/// preferring one written by the workflow token's bot (a comment that merely quotes the
/// marker, written by someone else, is not ours to edit). With a personal token the author is
/// that person, so any carrier of the marker is taken when the bot wrote none.
pub async fn find(api: &Api, pr: &PullRequest, marker: &str) -> Result<Option<Existing>, ApiError> {
    let comments = api
        .get_all(&format!(
            "/repos/{}/issues/{}/comments",
            pr.repository, pr.number
        ))
        .await?;
    let carriers: Vec<&Value> = comments
        .iter()
        .filter(|c| {
            c.get("body")
                .and_then(Value::as_str)
                .is_some_and(|b| b.starts_with(marker))
        })
        .collect();
    let by_bot = carriers
        .iter()
        .find(|c| c.pointer("/user/login").and_then(Value::as_str) == Some(ACTIONS_BOT));
    let chosen = by_bot.or(carriers.first());
    Ok(chosen.and_then(|c| {
        Some(Existing {
            id: c.get("id")?.as_u64()?,
            body: c.get("body")?.as_str()?.to_string(),
        })
    }))
}

/// What was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Posted {
    Created(u64),
    Updated(u64),
    /// The comment already said exactly this.
    Unchanged(u64),
}

/// Create the comment, or edit `existing` when its body differs.
pub async fn post(
    api: &Api,
    pr: &PullRequest,
    existing: Option<&Existing>,
    body: &str,
) -> Result<Posted, ApiError> {
    match existing {
        Some(existing) if existing.body == body => Ok(Posted::Unchanged(existing.id)),
        Some(existing) => {
            api.patch(
                &format!("/repos/{}/issues/comments/{}", pr.repository, existing.id),
                &json!({ "body": body }),
            )
            .await?;
            Ok(Posted::Updated(existing.id))
        }
        None => {
            let created = api
                .post(
                    &format!("/repos/{}/issues/{}/comments", pr.repository, pr.number),
                    &json!({ "body": body }),
                )
                .await?;
            Ok(Posted::Created(
                created.get("id").and_then(Value::as_u64).unwrap_or(0),
            ))
        }
    }
}

#[cfg(test)]
mod tests;
