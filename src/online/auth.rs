//! Registry credentials as container tools keep them: a Docker `config.json` (`auths` with
//! `auth` or `identitytoken`, `credHelpers` by registry, `credsStore` for the rest), read from
//! `--registry-auth FILE`, `DOCKER_CONFIG`, `REGISTRY_AUTH_FILE` or `~/.docker/config.json`.
//! Helpers (`docker-credential-<name> get`) run as processes with a timeout. Nothing here
//! prints a secret: `Credential`'s `Debug` is masked and errors name the registry and helper.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;

use super::client::Credential;

/// A Docker `config.json`, the parts that say how to log in.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DockerConfig {
    #[serde(default)]
    auths: BTreeMap<String, AuthEntry>,
    #[serde(default)]
    cred_helpers: BTreeMap<String, String>,
    #[serde(default)]
    creds_store: Option<String>,
}

#[derive(Default, serde::Deserialize)]
struct AuthEntry {
    /// base64 of `user:password`.
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    identitytoken: Option<String>,
}

impl std::fmt::Debug for AuthEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuthEntry(***)")
    }
}

/// Why credentials could not be read. Never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("{path}: {message}")]
    Config { path: String, message: String },
    #[error("credential helper `docker-credential-{helper}` for {registry}: {message}")]
    Helper {
        helper: String,
        registry: String,
        message: String,
    },
}

/// The keys a registry may be listed under in `auths` / `credHelpers`: Docker Hub has several.
fn keys_of(registry: &str) -> Vec<String> {
    match registry {
        "docker.io" | "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => {
            vec![
                "https://index.docker.io/v1/".into(),
                "index.docker.io".into(),
                "docker.io".into(),
                "registry-1.docker.io".into(),
            ]
        }
        other => vec![
            other.to_string(),
            format!("https://{other}"),
            format!("http://{other}"),
            format!("https://{other}/v1/"),
            format!("https://{other}/v2/"),
        ],
    }
}

impl DockerConfig {
    /// Parse a `config.json` document (`shown` names it in errors).
    pub fn parse(text: &str, shown: &str) -> Result<DockerConfig, AuthError> {
        serde_json::from_str(text).map_err(|err| {
            // Only the kind of mistake and its place: serde_json's own message quotes the
            // value it did not expect, which can be a credential.
            let kind = match err.classify() {
                serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                    "not valid JSON"
                }
                serde_json::error::Category::Data => {
                    "not a Docker config (a value of the wrong type)"
                }
                serde_json::error::Category::Io => "cannot read it",
            };
            AuthError::Config {
                path: shown.to_string(),
                message: format!("{kind} at line {}, column {}", err.line(), err.column()),
            }
        })
    }

    /// Read the `config.json` at `path`.
    pub fn read(path: &Path) -> Result<DockerConfig, AuthError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|err| AuthError::Config {
            path: shown.clone(),
            message: format!("cannot read it: {err}"),
        })?;
        DockerConfig::parse(&text, &shown)
    }

    /// The credential for `registry`: its helper, else its `auths` entry, else the store.
    /// `helpers` says where `docker-credential-*` programs are looked for and how long they
    /// may take.
    pub fn credential(
        &self,
        registry: &str,
        helpers: &Helpers,
    ) -> Result<Option<Credential>, AuthError> {
        let keys = keys_of(registry);
        if let Some(helper) = keys.iter().find_map(|k| self.cred_helpers.get(k)) {
            return helpers.get(helper, registry, &keys[0]);
        }
        if let Some(credential) = keys
            .iter()
            .find_map(|k| self.auths.get(k))
            .and_then(entry_credential)
        {
            return Ok(Some(credential));
        }
        match &self.creds_store {
            Some(store) if !store.is_empty() => helpers.get(store, registry, &keys[0]),
            _ => Ok(None),
        }
    }
}

fn entry_credential(entry: &AuthEntry) -> Option<Credential> {
    if let Some(token) = entry.identitytoken.as_ref().filter(|t| !t.is_empty()) {
        return Some(Credential::IdentityToken(token.clone()));
    }
    if let Some(auth) = entry.auth.as_ref().filter(|a| !a.is_empty()) {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(auth.trim())
            .ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (username, password) = text.split_once(':')?;
        return Some(Credential::Basic {
            username: username.to_string(),
            password: password.to_string(),
        });
    }
    match (&entry.username, &entry.password) {
        (Some(username), Some(password)) => Some(Credential::Basic {
            username: username.clone(),
            password: password.clone(),
        }),
        _ => None,
    }
}

/// The Docker config to read, in the order container tools use: `--registry-auth FILE` (the
/// action's `registry-auth` input), `$DOCKER_CONFIG/config.json`, `$REGISTRY_AUTH_FILE`
/// (podman, skopeo), `~/.docker/config.json`; the first that exists. `env` reads an
/// environment variable (the process's in use; a map in tests).
pub fn config_path(
    explicit: Option<&Path>,
    env: &dyn Fn(&str) -> Option<std::ffi::OsString>,
) -> Result<Option<PathBuf>, AuthError> {
    if let Some(path) = explicit {
        // Given on purpose: a missing file is an error, not a fallback.
        if !path.is_file() {
            return Err(AuthError::Config {
                path: path.display().to_string(),
                message: "no such file".into(),
            });
        }
        return Ok(Some(path.to_path_buf()));
    }
    let candidates = [
        env("DOCKER_CONFIG").map(|dir| PathBuf::from(dir).join("config.json")),
        env("REGISTRY_AUTH_FILE").map(PathBuf::from),
        env("HOME").map(|home| PathBuf::from(home).join(".docker/config.json")),
    ];
    Ok(candidates.into_iter().flatten().find(|p| p.is_file()))
}

/// Where credential helpers are found, and their time limit.
#[derive(Debug, Clone)]
pub struct Helpers {
    /// Directories searched for `docker-credential-<name>` (default: `PATH`).
    pub dirs: Vec<PathBuf>,
    pub timeout: Duration,
}

impl Default for Helpers {
    fn default() -> Self {
        Helpers {
            dirs: std::env::var_os("PATH")
                .map(|p| std::env::split_paths(&p).collect())
                .unwrap_or_default(),
            timeout: Duration::from_secs(10),
        }
    }
}

impl Helpers {
    /// Ask helper `name` for `server`'s credential (`Ok(None)`: it has none).
    fn get(
        &self,
        name: &str,
        registry: &str,
        server: &str,
    ) -> Result<Option<Credential>, AuthError> {
        let fail = |message: String| AuthError::Helper {
            helper: name.to_string(),
            registry: registry.to_string(),
            message,
        };
        let program = format!("docker-credential-{name}");
        let path = self
            .dirs
            .iter()
            .map(|d| d.join(&program))
            .find(|p| p.is_file())
            .ok_or_else(|| fail("not found on PATH".into()))?;
        let mut child = Command::new(&path)
            .arg("get")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|err| fail(format!("cannot run it: {err}")))?;
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(server.as_bytes());
        }
        let deadline = Instant::now() + self.timeout;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(10));
                }
                Ok(None) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(fail(format!(
                        "no answer within {} s",
                        self.timeout.as_secs()
                    )));
                }
                Err(err) => return Err(fail(format!("cannot wait for it: {err}"))),
            }
        };
        let mut out = Vec::new();
        if let Some(mut stdout) = child.stdout.take() {
            let _ = std::io::Read::read_to_end(&mut stdout, &mut out);
        }
        if !status.success() {
            // Helpers answer "credentials not found in native keychain" this way.
            let text = String::from_utf8_lossy(&out);
            if text.to_ascii_lowercase().contains("credentials not found") {
                return Ok(None);
            }
            return Err(fail(format!("exited with {status}")));
        }
        #[derive(serde::Deserialize)]
        struct Answer {
            #[serde(rename = "Username", default)]
            username: String,
            #[serde(rename = "Secret", default)]
            secret: String,
        }
        let answer: Answer = serde_json::from_slice(&out)
            .map_err(|_| fail("its answer is not the helper protocol's JSON".into()))?;
        if answer.secret.is_empty() {
            return Ok(None);
        }
        Ok(Some(if answer.username == "<token>" {
            Credential::IdentityToken(answer.secret)
        } else {
            Credential::Basic {
                username: answer.username,
                password: answer.secret,
            }
        }))
    }
}

#[cfg(test)]
mod tests;
