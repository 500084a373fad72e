//! The registry kit of `../shared/tools/registry/`: a real registry (Debian's
//! `docker-registry`, distribution 2.8) on loopback, started per test and stopped when dropped,
//! with the kit's images pushed, and its chaos proxy.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use super::root;

pub fn kit() -> PathBuf {
    root().join("../shared/tools/registry")
}

/// Whether the registry kit can run here (else the test is skipped, or fails when required).
pub fn available(test: &str) -> bool {
    let installed = Command::new("sh")
        .args(["-c", "command -v docker-registry"])
        .output()
        .is_ok_and(|o| o.status.success());
    let found = installed && kit().join("start-registry.sh").is_file();
    if !found {
        assert!(
            std::env::var_os("IMAGEGATE_REQUIRE_TOOLS").is_none(),
            "{test}: docker-registry and ../shared/tools/registry are required here"
        );
        eprintln!(
            "skipped {test}: docker-registry (apt-get install -y docker-registry) or the registry kit is missing"
        );
    }
    found
}

/// A running registry with the kit's images pushed; stopped when dropped.
pub struct Registry {
    pub dir: tempfile::TempDir,
    pub address: String,
    pub images: Value,
    mode: String,
    proxy: Option<Child>,
}

impl Registry {
    pub fn start(mode: &str) -> Registry {
        Registry::start_with(mode, &[])
    }

    /// Start a registry in `mode` and push the kit's fixed set with `args` (`--cosign-key
    /// KEY` signs its signatures for real).
    pub fn start_with(mode: &str, args: &[&str]) -> Registry {
        Registry::launch(mode, false, args)
    }

    /// Start a registry in `mode` that speaks HTTPS only, with a certificate from a throwaway
    /// CA ([`Registry::ca`]).
    pub fn start_tls(mode: &str) -> Registry {
        Registry::launch(mode, true, &[])
    }

    /// The throwaway CA of a registry started with [`Registry::start_tls`].
    pub fn ca(&self) -> std::path::PathBuf {
        self.dir.path().join("ca.crt")
    }

    fn launch(mode: &str, tls: bool, args: &[&str]) -> Registry {
        let dir = tempfile::tempdir().unwrap();
        let mut start = Command::new("bash");
        start
            .arg(kit().join("start-registry.sh"))
            .arg(dir.path())
            .arg(mode);
        if tls {
            start.env("REG_TLS", "1");
        }
        let out = start.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8(out.stdout).unwrap();
        let address = stdout
            .lines()
            .find_map(|l| l.strip_prefix("REGISTRY="))
            .unwrap()
            .to_string();
        let fixtures = dir.path().join("fixtures.json");
        let ca = dir.path().join("ca.crt");
        let mut all = vec!["--image", "private/app:v1"];
        if tls {
            all.extend(["--cacert", ca.to_str().unwrap()]);
        }
        all.extend(args);
        let images = pusher(&address, mode, &all, &fixtures);
        Registry {
            dir,
            address,
            images,
            mode: mode.to_string(),
            proxy: None,
        }
    }

    /// The digest the kit pushed for `name` (`test/app:v1`).
    pub fn digest(&self, name: &str) -> String {
        self.images["images"][format!("{}/{name}", self.address)]["digest"]
            .as_str()
            .unwrap_or_else(|| panic!("{name} not pushed"))
            .to_string()
    }

    /// Run the kit's pusher again with `args` (`--only-extra` added), as the registry's user
    /// when it has one; the digests it pushed join [`Registry::images`].
    pub fn push(&mut self, args: &[&str]) {
        let out = self.dir.path().join(format!(
            "push-{}.json",
            self.images["images"].as_object().map_or(0, |m| m.len())
        ));
        let mut all = vec!["--only-extra"];
        all.extend(args);
        let more = pusher(&self.address, &self.mode, &all, &out);
        if let (Some(all), Some(more)) = (
            self.images["images"].as_object_mut(),
            more["images"].as_object(),
        ) {
            all.extend(more.clone());
        }
    }

    /// Put the chaos proxy in front, with `rules`; returns its address.
    pub fn proxy(&mut self, rules: &str) -> String {
        if let Some(mut old) = self.proxy.take() {
            let _ = old.kill();
            let _ = old.wait();
        }
        let mut child = Command::new("python3")
            .arg(kit().join("chaos_proxy.py"))
            .args(["--upstream", &self.address, "--port", "0", "--rules", rules])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().unwrap()),
            &mut line,
        )
        .unwrap();
        let port = line.trim().strip_prefix("PORT ").unwrap().to_string();
        self.proxy = Some(child);
        format!("127.0.0.1:{port}")
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        if let Some(mut proxy) = self.proxy.take() {
            let _ = proxy.kill();
            let _ = proxy.wait();
        }
        let _ = Command::new("bash")
            .arg(kit().join("stop-registry.sh"))
            .arg(self.dir.path())
            .output();
    }
}

/// Run the kit's pusher against `address` with `args` (as the registry's user unless it is
/// anonymous), writing what it pushed to `out`; returns that.
fn pusher(address: &str, mode: &str, args: &[&str], out: &std::path::Path) -> Value {
    let mut push = Command::new("python3");
    push.arg(kit().join("push_test_images.py"))
        .arg(address)
        .args(args)
        .arg("--out")
        .arg(out);
    if mode != "anon" {
        push.args(["--user", "testuser", "--password", "testpass"]);
    }
    let pushed = push.output().unwrap();
    assert!(
        pushed.status.success(),
        "{}",
        String::from_utf8_lossy(&pushed.stderr)
    );
    serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap()
}

/// The chaos proxy's request log: `(method, path)` of each request it saw.
pub fn proxy_log(proxy: &str) -> Vec<(String, String)> {
    use std::io::{Read as _, Write as _};
    let mut stream = std::net::TcpStream::connect(proxy).unwrap();
    write!(
        stream,
        "GET /__chaos__ HTTP/1.1\r\nHost: {proxy}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let body = response.split_once("\r\n\r\n").unwrap().1;
    let value: Value = serde_json::from_str(body).unwrap();
    value["log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            (
                entry[0].as_str().unwrap().to_string(),
                entry[1].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Replace the chaos proxy's rules (and clear its log).
pub fn set_proxy_rules(proxy: &str, rules: &str) {
    use std::io::{Read as _, Write as _};
    let mut stream = std::net::TcpStream::connect(proxy).unwrap();
    write!(
        stream,
        "PUT /__chaos__ HTTP/1.1\r\nHost: {proxy}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{rules}",
        rules.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(
        response.starts_with("HTTP/1.1 200") || response.starts_with("HTTP/1.0 200"),
        "{response}"
    );
}
