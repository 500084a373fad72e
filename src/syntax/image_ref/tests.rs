//! Tests of `syntax/image_ref.rs`.

use super::*;

/// One table row: an input and what `ImageRef::parse` must make of it.
struct Vector {
    input: String,
    /// `None` for inputs that must be rejected.
    expect: Option<Expected>,
}

struct Expected {
    registry: String,
    repository: String,
    tag: Option<String>,
    digest: Option<String>,
}

fn ok(input: impl Into<String>, registry: &str, repository: impl Into<String>) -> Vector {
    Vector {
        input: input.into(),
        expect: Some(Expected {
            registry: registry.to_owned(),
            repository: repository.into(),
            tag: None,
            digest: None,
        }),
    }
}

fn bad(input: impl Into<String>) -> Vector {
    Vector {
        input: input.into(),
        expect: None,
    }
}

impl Vector {
    fn tag(mut self, tag: impl Into<String>) -> Self {
        if let Some(e) = self.expect.as_mut() {
            e.tag = Some(tag.into());
        }
        self
    }

    fn digest(mut self, digest: impl Into<String>) -> Self {
        if let Some(e) = self.expect.as_mut() {
            e.digest = Some(digest.into());
        }
        self
    }
}

const SHA256_F: &str = "sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
const SHA256_BE: &str = "sha256:be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912";
const SHA256_DBCC: &str = "sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c";
const HEX_DBCC: &str = "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c";
const HEX_1A3F: &str = "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a";

fn sha512_f() -> String {
    format!("sha512:{}", "f".repeat(128))
}

/// The vector table.
///
/// Sources, taken as facts (inputs and expected validity / domain / path /
/// tag / digest) from github.com/distribution/reference:
/// - `reference_test.go` (TestReferenceParse, TestSerialization,
///   TestWithNameFailure, TestDomainAndPath, TestParseNamed),
/// - `normalize_test.go` (TestValidateReferenceName,
///   TestValidateRemoteName, TestParseRepositoryInfo,
///   TestParseReferenceWithTagAndDigest, TestInvalidReferenceComponents,
///   TestParseAnyReference, TestNormalizedSplitHostname),
/// - `regexp_test.go` (TestDomainRegexp, TestFullNameRegexp,
///   TestReferenceRegexp).
///
/// Upstream tests that call `Parse` (no normalization) or match a single
/// regexp are restated here with the result of `ParseNormalizedNamed`
/// (e.g. `test_com` is `docker.io/library/test_com`, and a domain-regexp
/// case `d` becomes the reference `d/app`); the normalized fields follow
/// `normalize.go`. The length rule is distribution/reference's current
/// one (repository path <= 255, registry not counted; PR #9), so
/// `example.com/` + 255 × `a` is valid.
fn vectors() -> Vec<Vector> {
    let a255 = "a".repeat(255);
    let a256 = "a".repeat(256);
    vec![
            // ---- reference_test.go: TestReferenceParse ----
            ok("test_com", "docker.io", "library/test_com"),
            ok("test.com:tag", "docker.io", "library/test.com").tag("tag"),
            ok("test.com:5000", "docker.io", "library/test.com").tag("5000"),
            ok("test.com/repo:tag", "test.com", "repo").tag("tag"),
            ok("test:5000/repo", "test:5000", "repo"),
            ok("test:5000/repo:tag", "test:5000", "repo").tag("tag"),
            ok(format!("test:5000/repo@{SHA256_F}"), "test:5000", "repo").digest(SHA256_F),
            ok(format!("test:5000/repo:tag@{SHA256_F}"), "test:5000", "repo")
                .tag("tag")
                .digest(SHA256_F),
            bad(""),
            bad(":justtag"),
            bad(format!("@{SHA256_F}")),
            bad("repo@sha256:ffffffffffffffffffffffffffffffffff"),
            bad(format!("validname@invaliddigest:{}", "f".repeat(64))),
            bad("Uppercase:tag"),
            bad("test:5000/Uppercase/lowercase:tag"),
            ok("lowercase:Uppercase", "docker.io", "library/lowercase").tag("Uppercase"),
            bad(format!("domain/{a256}:tag")),
            // Older upstream vector (name-length rule before PR #9); still
            // too long once normalized (path of 257 characters).
            bad(format!("{}a:tag", "a/".repeat(128))),
            ok(
                format!("{}a:tag-puts-this-over-max", "a/".repeat(127)),
                "docker.io",
                format!("{}a", "a/".repeat(127)),
            )
            .tag("tag-puts-this-over-max"),
            bad("aa/asdf$$^/aa"),
            ok("sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com", "bar/baz/quux"),
            ok(
                "sub-dom1.foo.com/bar/baz/quux:some-long-tag",
                "sub-dom1.foo.com",
                "bar/baz/quux",
            )
            .tag("some-long-tag"),
            ok(
                "b.gcr.io/test.example.com/my-app:test.example.com",
                "b.gcr.io",
                "test.example.com/my-app",
            )
            .tag("test.example.com"),
            ok("xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com", "myimage").tag("xn--n3h.com"),
            ok(
                format!("xn--7o8h.com/myimage:xn--7o8h.com@{}", sha512_f()),
                "xn--7o8h.com",
                "myimage",
            )
            .tag("xn--7o8h.com")
            .digest(sha512_f()),
            ok("foo_bar.com:8080", "docker.io", "library/foo_bar.com").tag("8080"),
            ok("foo/foo_bar.com:8080", "docker.io", "foo/foo_bar.com").tag("8080"),
            ok("192.168.1.1", "docker.io", "library/192.168.1.1"),
            ok("192.168.1.1:tag", "docker.io", "library/192.168.1.1").tag("tag"),
            ok("192.168.1.1:5000", "docker.io", "library/192.168.1.1").tag("5000"),
            ok("192.168.1.1/repo", "192.168.1.1", "repo"),
            ok("192.168.1.1:5000/repo", "192.168.1.1:5000", "repo"),
            ok("192.168.1.1:5000/repo:5050", "192.168.1.1:5000", "repo").tag("5050"),
            bad("[2001:db8::1]"),
            bad("[2001:db8::1]:5000"),
            bad("[2001:db8::1]:tag"),
            ok("[2001:db8::1]/repo", "[2001:db8::1]", "repo"),
            ok("[2001:db8:1:2:3:4:5:6]/repo:tag", "[2001:db8:1:2:3:4:5:6]", "repo").tag("tag"),
            ok("[2001:db8::1]:5000/repo", "[2001:db8::1]:5000", "repo"),
            ok("[2001:db8::1]:5000/repo:tag", "[2001:db8::1]:5000", "repo").tag("tag"),
            ok(format!("[2001:db8::1]:5000/repo@{SHA256_F}"), "[2001:db8::1]:5000", "repo")
                .digest(SHA256_F),
            ok(format!("[2001:db8::1]:5000/repo:tag@{SHA256_F}"), "[2001:db8::1]:5000", "repo")
                .tag("tag")
                .digest(SHA256_F),
            ok("[2001:db8::]:5000/repo", "[2001:db8::]:5000", "repo"),
            ok("[::1]:5000/repo", "[::1]:5000", "repo"),
            bad("[fe80::1%eth0]:5000/repo"),
            bad("[fe80::1%@invalidzone]:5000/repo"),
            ok(format!("example.com/{a255}:tag"), "example.com", a255.clone()).tag("tag"),
            // ---- reference_test.go: TestSerialization, TestWithNameFailure ----
            ok("example.com:8000/named", "example.com:8000", "named"),
            ok("example.com:8000/named:tagged", "example.com:8000", "named").tag("tagged"),
            ok(
                "other.com/named@sha256:1234567890098765432112345667890098765432112345667890098765432112",
                "other.com",
                "named",
            )
            .digest("sha256:1234567890098765432112345667890098765432112345667890098765432112"),
            bad(format!("example.com/{a256}")),
            // ---- reference_test.go: TestDomainAndPath, TestParseNamed ----
            ok("test.com/foo", "test.com", "foo"),
            ok("test_com/foo", "docker.io", "test_com/foo"),
            ok("test:8080/foo", "test:8080", "foo"),
            ok("test.com:8080/foo", "test.com:8080", "foo"),
            ok("test-com:8080/foo", "test-com:8080", "foo"),
            ok("xn--n3h.com:18080/foo", "xn--n3h.com:18080", "foo"),
            ok("test.com", "docker.io", "library/test.com"),
            ok("library/foo", "docker.io", "library/foo"),
            // ---- normalize_test.go: TestValidateReferenceName ----
            ok("docker/docker", "docker.io", "docker/docker"),
            ok("library/debian", "docker.io", "library/debian"),
            ok("debian", "docker.io", "library/debian"),
            ok("docker.io/docker/docker", "docker.io", "docker/docker"),
            ok("docker.io/library/debian", "docker.io", "library/debian"),
            ok("docker.io/debian", "docker.io", "library/debian"),
            ok("index.docker.io/docker/docker", "docker.io", "docker/docker"),
            ok("index.docker.io/library/debian", "docker.io", "library/debian"),
            ok("index.docker.io/debian", "docker.io", "library/debian"),
            ok("127.0.0.1:5000/docker/docker", "127.0.0.1:5000", "docker/docker"),
            ok("127.0.0.1:5000/library/debian", "127.0.0.1:5000", "library/debian"),
            ok("127.0.0.1:5000/debian", "127.0.0.1:5000", "debian"),
            ok("192.168.0.1", "docker.io", "library/192.168.0.1"),
            ok("192.168.0.1:80", "docker.io", "library/192.168.0.1").tag("80"),
            ok("192.168.0.1:8/debian", "192.168.0.1:8", "debian"),
            ok("192.168.0.2:25000/debian", "192.168.0.2:25000", "debian"),
            ok(
                "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
                "docker.io",
                "library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
            ),
            ok("[fc00::1]:5000/docker", "[fc00::1]:5000", "docker"),
            ok("[fc00::1]:5000/docker/docker", "[fc00::1]:5000", "docker/docker"),
            ok(
                "[fc00:1:2:3:4:5:6:7]:5000/library/debian",
                "[fc00:1:2:3:4:5:6:7]:5000",
                "library/debian",
            ),
            ok(format!("docker.io/{HEX_1A3F}"), "docker.io", format!("library/{HEX_1A3F}")),
            ok("Docker/docker", "Docker", "docker"),
            ok("DOCKER/docker", "DOCKER", "docker"),
            bad("https://github.com/docker/docker"),
            bad("docker/Docker"),
            bad("-docker"),
            bad("-docker/docker"),
            bad("-docker.io/docker/docker"),
            bad("docker///docker"),
            bad("docker.io/docker/Docker"),
            bad("docker.io/docker///docker"),
            bad("[fc00::1]"),
            bad("[fc00::1]:5000"),
            bad("fc00::1:5000/debian"),
            bad("[fe80::1%eth0]:5000/debian"),
            bad("[2001:db8:3:4::192.0.2.33]:5000/debian"),
            bad(HEX_1A3F),
            // ---- normalize_test.go: TestValidateRemoteName ----
            ok("docker-rules/docker", "docker.io", "docker-rules/docker"),
            ok("docker---rules/docker", "docker.io", "docker---rules/docker"),
            ok("doc/docker", "docker.io", "doc/docker"),
            ok("d/docker", "docker.io", "d/docker"),
            ok("jess/t", "docker.io", "jess/t"),
            ok("dock__er/docker", "docker.io", "dock__er/docker"),
            bad("docker-/docker"),
            bad("-docker-/docker"),
            bad("____/____"),
            bad("_docker/_docker"),
            bad("dock..er/docker"),
            bad("dock_.er/docker"),
            bad("dock-.er/docker"),
            bad("docker/"),
            bad(
                "this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255/docker",
            ),
            // ---- normalize_test.go: TestParseRepositoryInfo ----
            ok("fooo/bar", "docker.io", "fooo/bar"),
            ok("docker.io/fooo/bar", "docker.io", "fooo/bar"),
            ok("index.docker.io/fooo/bar", "docker.io", "fooo/bar"),
            ok("ubuntu", "docker.io", "library/ubuntu"),
            ok("docker.io/library/ubuntu", "docker.io", "library/ubuntu"),
            ok("library/ubuntu", "docker.io", "library/ubuntu"),
            ok("nonlibrary/ubuntu", "docker.io", "nonlibrary/ubuntu"),
            ok("docker.io/nonlibrary/ubuntu", "docker.io", "nonlibrary/ubuntu"),
            ok("other/library", "docker.io", "other/library"),
            ok("docker.io/other/library", "docker.io", "other/library"),
            ok("127.0.0.1:8000/private/moonbase", "127.0.0.1:8000", "private/moonbase"),
            ok("127.0.0.1:8000/privatebase", "127.0.0.1:8000", "privatebase"),
            ok("example.com/private/moonbase", "example.com", "private/moonbase"),
            ok("example.com/privatebase", "example.com", "privatebase"),
            ok("example.com:8000/private/moonbase", "example.com:8000", "private/moonbase"),
            ok("example.com:8000/privatebasee", "example.com:8000", "privatebasee"),
            ok("ubuntu-12.04-base", "docker.io", "library/ubuntu-12.04-base"),
            ok("docker.io/library/ubuntu-12.04-base", "docker.io", "library/ubuntu-12.04-base"),
            ok(
                "index.docker.io/library/ubuntu-12.04-base",
                "docker.io",
                "library/ubuntu-12.04-base",
            ),
            ok("foo", "docker.io", "library/foo"),
            ok("docker.io/library/foo", "docker.io", "library/foo"),
            ok("docker.io/foo", "docker.io", "library/foo"),
            ok("library/foo/bar", "docker.io", "library/foo/bar"),
            ok("docker.io/library/foo/bar", "docker.io", "library/foo/bar"),
            ok("store/foo/bar", "docker.io", "store/foo/bar"),
            ok("docker.io/store/foo/bar", "docker.io", "store/foo/bar"),
            ok("Foo/bar", "Foo", "bar"),
            ok("FOO/bar", "FOO", "bar"),
            // ---- normalize_test.go: TestParseReferenceWithTagAndDigest,
            //      TestInvalidReferenceComponents ----
            ok(
                "busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa",
                "docker.io",
                "library/busybox",
            )
            .tag("latest")
            .digest("sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa"),
            bad("-foo"),
            // ---- normalize_test.go: TestParseAnyReference (named cases; a
            //      bare 64-hex identifier is not a name) ----
            ok("redis", "docker.io", "library/redis"),
            ok("redis:latest", "docker.io", "library/redis").tag("latest"),
            ok("docker.io/library/redis:latest", "docker.io", "library/redis").tag("latest"),
            ok(format!("redis@{SHA256_DBCC}"), "docker.io", "library/redis").digest(SHA256_DBCC),
            ok(format!("docker.io/library/redis@{SHA256_DBCC}"), "docker.io", "library/redis")
                .digest(SHA256_DBCC),
            ok("dmcgowan/myapp", "docker.io", "dmcgowan/myapp"),
            ok("dmcgowan/myapp:latest", "docker.io", "dmcgowan/myapp").tag("latest"),
            ok("docker.io/mcgowan/myapp:latest", "docker.io", "mcgowan/myapp").tag("latest"),
            ok(format!("dmcgowan/myapp@{SHA256_DBCC}"), "docker.io", "dmcgowan/myapp")
                .digest(SHA256_DBCC),
            ok(format!("docker.io/dmcgowan/myapp@{SHA256_DBCC}"), "docker.io", "dmcgowan/myapp")
                .digest(SHA256_DBCC),
            bad(HEX_DBCC),
            // As a *name*, `sha256:<hex>` is the image `sha256` with a tag.
            ok(SHA256_DBCC, "docker.io", "library/sha256").tag(HEX_DBCC),
            ok(
                "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9",
                "docker.io",
                "library/dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9",
            ),
            ok("dbcc1", "docker.io", "library/dbcc1"),
            // ---- normalize_test.go: TestNormalizedSplitHostname ----
            ok("docker/migrator", "docker.io", "docker/migrator"),
            ok("xn--n3h.com/foo", "xn--n3h.com", "foo"),
            // ---- regexp_test.go: TestDomainRegexp (domain + "/app") ----
            ok("test.com/app", "test.com", "app"),
            ok("test.com:10304/app", "test.com:10304", "app"),
            bad("test.com:http/app"),
            ok("localhost/app", "localhost", "app"),
            ok("localhost:8080/app", "localhost:8080", "app"),
            ok("a.b/app", "a.b", "app"),
            ok("ab.cd.com/app", "ab.cd.com", "app"),
            ok("a-b.com/app", "a-b.com", "app"),
            bad("-ab.com/app"),
            bad("ab-.com/app"),
            ok("ab.c-om/app", "ab.c-om", "app"),
            bad("ab.-com/app"),
            bad("ab.com-/app"),
            ok("0101.com/app", "0101.com", "app"),
            ok("001a.com/app", "001a.com", "app"),
            ok("b.gbc.io:443/app", "b.gbc.io:443", "app"),
            ok("Asdf.com/app", "Asdf.com", "app"),
            ok("192.168.1.1:75050/app", "192.168.1.1:75050", "app"),
            ok("[fd00:1:2::3]:75050/app", "[fd00:1:2::3]:75050", "app"),
            bad("[fd00:1:2::3]75050/app"),
            bad("[fd00:1:2::3]::75050/app"),
            bad("[fd00:1:2::3%eth0]:75050/app"),
            ok("[fd00123123123]:75050/app", "[fd00123123123]:75050", "app"),
            ok(
                "[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:75050/app",
                "[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:75050",
                "app",
            ),
            bad("fd00:1:2::3:75050/app"),
            // ---- regexp_test.go: TestFullNameRegexp ----
            ok("short", "docker.io", "library/short"),
            ok("simple/name", "docker.io", "simple/name"),
            ok("docker/stevvooe/app", "docker.io", "docker/stevvooe/app"),
            ok(
                "aa/aa/aa/aa/aa/aa/aa/aa/aa/bb/bb/bb/bb/bb/bb",
                "docker.io",
                "aa/aa/aa/aa/aa/aa/aa/aa/aa/bb/bb/bb/bb/bb/bb",
            ),
            ok("a/a/a/a", "docker.io", "a/a/a/a"),
            bad("a/a/a/a/"),
            bad("a//a/a"),
            ok("a", "docker.io", "library/a"),
            ok("a/aa/a", "docker.io", "a/aa/a"),
            ok("foo.com", "docker.io", "library/foo.com"),
            bad("foo.com/"),
            ok("foo.com:8080/bar", "foo.com:8080", "bar"),
            bad("foo.com:http/bar"),
            ok("foo.com/bar/baz", "foo.com", "bar/baz"),
            ok("blog.foo.com/bar/baz", "blog.foo.com", "bar/baz"),
            bad("a^a"),
            bad("asdf$$^/aa"),
            ok("aa-a/a", "docker.io", "aa-a/a"),
            bad("a-/a/a/a"),
            bad("foo.com/a-/a/a"),
            bad("-foo/bar"),
            bad("foo/bar-"),
            bad("foo-/bar"),
            bad("foo/-bar"),
            bad("_foo/bar"),
            ok("foo_bar", "docker.io", "library/foo_bar"),
            ok("foo_bar.com", "docker.io", "library/foo_bar.com"),
            bad("foo_bar.com:8080/app"),
            ok("foo.com/foo_bar", "foo.com", "foo_bar"),
            bad("docker_/docker_"),
            ok("example.com/xn--7o8h.com/myimage", "example.com", "xn--7o8h.com/myimage"),
            ok(
                "example.com/some_separator__underscore/myimage",
                "example.com",
                "some_separator__underscore/myimage",
            ),
            bad("example.com/__underscore/myimage"),
            bad("example.com/..dots/myimage"),
            bad("example.com/.dots/myimage"),
            bad("example.com/nodouble..dots/myimage"),
            bad("docker./docker"),
            bad(".docker/docker"),
            bad("do..cker/docker"),
            bad("do__cker:8080/docker"),
            ok("do__cker/docker", "docker.io", "do__cker/docker"),
            ok(
                "registry.io/foo/project--id.module--name.ver---sion--name",
                "registry.io",
                "foo/project--id.module--name.ver---sion--name",
            ),
            ok("Asdf.com/foo/bar", "Asdf.com", "foo/bar"),
            bad("Foo/FarB"),
            // ---- regexp_test.go: TestReferenceRegexp ----
            ok("registry.com:8080/myapp:tag", "registry.com:8080", "myapp").tag("tag"),
            ok(format!("registry.com:8080/myapp@{SHA256_BE}"), "registry.com:8080", "myapp")
                .digest(SHA256_BE),
            ok(format!("registry.com:8080/myapp:tag2@{SHA256_BE}"), "registry.com:8080", "myapp")
                .tag("tag2")
                .digest(SHA256_BE),
            bad("registry.com:8080/myapp@sha256:badbadbadbad"),
            bad("registry.com:8080/myapp:invalid~tag"),
            bad("bad_hostname.com:8080/myapp:tag"),
            ok(format!("localhost:8080@{SHA256_BE}"), "docker.io", "library/localhost")
                .tag("8080")
                .digest(SHA256_BE),
            ok(format!("localhost:8080/name@{SHA256_BE}"), "localhost:8080", "name")
                .digest(SHA256_BE),
            bad(format!("localhost:http/name@{SHA256_BE}")),
            ok(format!("localhost@{SHA256_BE}"), "docker.io", "library/localhost")
                .digest(SHA256_BE),
            bad("registry.com:8080/myapp@bad"),
            bad("registry.com:8080/myapp@2bad"),
            // ---- imagegate's own cases ----
            ok("registry:5000/app", "registry:5000", "app"),
            ok("localhost:5000/app:1", "localhost:5000", "app").tag("1"),
            bad("foo/Bar"),
            ok("index.docker.io/nginx", "docker.io", "library/nginx"),
            ok("docker.io/nginx", "docker.io", "library/nginx"),
            ok("[::1]:5000/app:tag", "[::1]:5000", "app").tag("tag"),
            ok(format!("nginx:{}", "t".repeat(128)), "docker.io", "library/nginx")
                .tag("t".repeat(128)),
            bad(format!("nginx:{}", "t".repeat(129))),
            ok("a".repeat(247), "docker.io", format!("library/{}", "a".repeat(247))),
            bad("a".repeat(248)),
            ok(
                format!("registry.example.com:5000/{a255}"),
                "registry.example.com:5000",
                a255.clone(),
            ),
            ok(format!("nginx@{SHA256_DBCC}"), "docker.io", "library/nginx").digest(SHA256_DBCC),
            ok(format!("nginx:1.27@{SHA256_DBCC}"), "docker.io", "library/nginx")
                .tag("1.27")
                .digest(SHA256_DBCC),
            ok(format!("nginx@{}", sha512_f()), "docker.io", "library/nginx").digest(sha512_f()),
            ok(
                format!("nginx@sha384:{}", "a".repeat(96)),
                "docker.io",
                "library/nginx",
            )
            .digest(format!("sha384:{}", "a".repeat(96))),
            bad("nginx@sha256:abc"),
            bad(format!("nginx@sha256:{}", "a".repeat(65))),
            bad(format!("nginx@sha512:{}", "a".repeat(64))),
            bad(format!("nginx@sha256:{}", "A".repeat(64))),
            bad(format!("nginx@md5:{}", "a".repeat(32))),
            bad(format!("nginx@{SHA256_DBCC}:1.27")),
            ok("scratch", "docker.io", "library/scratch"),
            ok("busybox", "docker.io", "library/busybox"),
            ok("gcr.io/distroless/static:nonroot", "gcr.io", "distroless/static").tag("nonroot"),
            bad(":tag"),
            bad("@sha256:"),
            bad("nginx@"),
            bad("nginx:"),
            bad("nginx/"),
            bad("/nginx"),
            bad("a//b"),
            bad("a..b"),
            bad("a___b"),
            ok("a__b", "docker.io", "library/a__b"),
            ok("a---b", "docker.io", "library/a---b"),
            bad(" nginx"),
            bad("nginx "),
            bad("ngi nx"),
            bad("nginx:1.0!"),
            bad("Nginx"),
            bad("registry.example.com:/app"),
            bad("foo_bar.com/app"),
            bad("nginx@sha256:abc@sha256:def"),
            bad("ngïnx"),
        ]
}

#[test]
fn vector_table() {
    let vectors = vectors();
    assert!(vectors.len() >= 120, "only {} vectors", vectors.len());
    for v in &vectors {
        let got = ImageRef::parse(&v.input);
        match (&v.expect, got) {
            (None, Ok(r)) => panic!("{:?} must be invalid, parsed as {r:?}", v.input),
            (None, Err(_)) => {}
            (Some(_), Err(e)) => panic!("{:?} must be valid, got error: {e}", v.input),
            (Some(want), Ok(r)) => {
                assert_eq!(r.written, v.input, "written of {:?}", v.input);
                assert_eq!(r.registry, want.registry, "registry of {:?}", v.input);
                assert_eq!(r.repository, want.repository, "repository of {:?}", v.input);
                assert_eq!(r.tag, want.tag, "tag of {:?}", v.input);
                assert_eq!(r.digest, want.digest, "digest of {:?}", v.input);
                // The normalized form parses back to the same reference.
                let again = ImageRef::parse(&r.full())
                    .unwrap_or_else(|e| panic!("full() of {:?} reparses: {e}", v.input));
                assert_eq!(
                    (
                        &again.registry,
                        &again.repository,
                        &again.tag,
                        &again.digest
                    ),
                    (&r.registry, &r.repository, &r.tag, &r.digest),
                    "full() of {:?}",
                    v.input
                );
            }
        }
    }
}

#[test]
fn full_name_and_implied_flags() {
    let r = ImageRef::parse("nginx").unwrap();
    assert_eq!(r.full(), "docker.io/library/nginx");
    assert_eq!(r.name(), "docker.io/library/nginx");
    assert_eq!(r.to_string(), r.full());
    assert!(r.registry_implied && r.library_implied);
    assert_eq!(r.digest, None);

    let r = ImageRef::parse("docker.io/nginx:1.27").unwrap();
    assert_eq!(r.full(), "docker.io/library/nginx:1.27");
    assert!(!r.registry_implied && r.library_implied);

    let r = ImageRef::parse("index.docker.io/library/nginx").unwrap();
    assert_eq!(r.full(), "docker.io/library/nginx");
    assert!(!r.registry_implied && !r.library_implied);

    let r = ImageRef::parse("bitnami/redis:7.2").unwrap();
    assert_eq!(r.full(), "docker.io/bitnami/redis:7.2");
    assert!(r.registry_implied && !r.library_implied);

    let r = ImageRef::parse("library/nginx").unwrap();
    assert!(r.registry_implied && !r.library_implied);

    let r = ImageRef::parse(&format!("nginx:1.27@{SHA256_DBCC}")).unwrap();
    assert_eq!(
        r.full(),
        format!("docker.io/library/nginx:1.27@{SHA256_DBCC}")
    );
    assert_eq!(r.name(), "docker.io/library/nginx");
    assert_eq!(r.digest.as_deref(), Some(SHA256_DBCC));

    let r = ImageRef::parse("registry:5000/app").unwrap();
    assert_eq!(r.full(), "registry:5000/app");
    assert_eq!(r.tag, None, "no default tag is invented");
    assert!(!r.registry_implied && !r.library_implied);

    let r = ImageRef::parse("[::1]:5000/app:tag").unwrap();
    assert_eq!(r.full(), "[::1]:5000/app:tag");

    let r: ImageRef = "Foo/bar".parse().unwrap();
    assert_eq!((r.registry.as_str(), r.repository.as_str()), ("Foo", "bar"));
    assert!(!r.registry_implied);
    assert_eq!(r.written, "Foo/bar");
}

#[test]
fn docker_hub_aliases_are_one_registry() {
    // As written, the aliases stay (distribution/reference keeps them); compared, they are
    // Docker Hub.
    for (written, registry, repository) in [
        (
            "registry-1.docker.io/library/nginx:1.27",
            "registry-1.docker.io",
            "library/nginx",
        ),
        (
            "registry.hub.docker.com/bitnami/redis",
            "registry.hub.docker.com",
            "bitnami/redis",
        ),
        (
            "REGISTRY-1.DOCKER.IO/library/nginx",
            "REGISTRY-1.DOCKER.IO",
            "library/nginx",
        ),
        (
            "index.docker.io/library/nginx",
            "docker.io",
            "library/nginx",
        ),
        ("nginx", "docker.io", "library/nginx"),
    ] {
        let r = ImageRef::parse(written).unwrap();
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str()),
            (registry, repository)
        );
        assert_eq!(r.canonical_registry(), DEFAULT_REGISTRY, "{written}");
    }
    for other in [
        "registry-1.docker.io:443",
        "index.docker.io:443",
        "docker.io.example.com",
        "hub.docker.com",
        "quay.io",
        "",
    ] {
        assert_eq!(canonical_registry(other), other);
    }
}

fn err(s: &str) -> String {
    match ImageRef::parse(s) {
        Ok(r) => panic!("{s:?} must be invalid, parsed as {r:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn error_messages_are_specific() {
    let cases: Vec<(String, ReferenceError, String)> = vec![
        ("".into(), ReferenceError::Empty, "empty reference".into()),
        (
            " nginx".into(),
            ReferenceError::Whitespace(" nginx".into()),
            "reference ` nginx` contains whitespace; image references cannot contain spaces \
                 (check for leading or trailing spaces)"
                .into(),
        ),
        (
            HEX_1A3F.into(),
            ReferenceError::HexIdentifier(HEX_1A3F.into()),
            format!(
                "reference `{HEX_1A3F}` is a 64-character hexadecimal string, which is \
                     ambiguous with an image ID; cannot specify 64-byte hexadecimal strings as a \
                     repository name"
            ),
        ),
        (
            ":1.0".into(),
            ReferenceError::MissingName(":1.0".into()),
            "reference `:1.0` has no repository name before its tag or digest".into(),
        ),
        (
            "registry.example.com/".into(),
            ReferenceError::MissingRepository("registry.example.com/".into()),
            "reference `registry.example.com/` names a registry but no repository (expected \
                 `registry/repository`)"
                .into(),
        ),
        (
            "-registry.example.com/app".into(),
            ReferenceError::InvalidRegistry("-registry.example.com".into()),
            "invalid registry host `-registry.example.com` (a registry is host name labels \
                 of letters, digits and inner `-` joined by `.`, or an IPv6 address in `[...]`, \
                 optionally followed by `:port`)"
                .into(),
        ),
        (
            "registry.example.com:http/app".into(),
            ReferenceError::InvalidPort("registry.example.com:http".into()),
            "invalid port in registry `registry.example.com:http` (a port must be digits \
                 only, e.g. `:5000`)"
                .into(),
        ),
        (
            "Nginx".into(),
            ReferenceError::Uppercase("Nginx".into()),
            "repository name must be lowercase (`Nginx`)".into(),
        ),
        (
            "a//b".into(),
            ReferenceError::EmptyPathComponent("a//b".into()),
            "repository path `a//b` has an empty component (a doubled `/`, or a leading or \
                 trailing `/`)"
                .into(),
        ),
        (
            "aa/asdf$$^/aa".into(),
            ReferenceError::InvalidPathCharacter {
                ch: '$',
                path: "aa/asdf$$^/aa".into(),
            },
            "invalid character `$` in repository path `aa/asdf$$^/aa` (only lowercase \
                 letters, digits, `.`, `_`, `-` and `/` are allowed)"
                .into(),
        ),
        (
            "a___b".into(),
            ReferenceError::InvalidPathComponent("a___b".into()),
            "invalid repository path component `a___b` (it must start and end with a \
                 lowercase letter or digit, and separators between them are a single `.`, one \
                 or two `_`, or any number of `-`)"
                .into(),
        ),
        (
            "a".repeat(248),
            ReferenceError::NameTooLong {
                path: format!("library/{}", "a".repeat(248)),
                len: 256,
            },
            format!(
                "repository name `library/{}…` is longer than 255 characters (256 \
                     characters, registry not counted)",
                "a".repeat(132)
            ),
        ),
        (
            "nginx:".into(),
            ReferenceError::EmptyTag("nginx:".into()),
            "reference `nginx:` has an empty tag after `:`".into(),
        ),
        (
            "nginx:1.0!".into(),
            ReferenceError::InvalidTag("1.0!".into()),
            "invalid tag `:1.0!` (a tag is up to 128 letters, digits, `_`, `.` or `-` and \
                 cannot start with `.` or `-`)"
                .into(),
        ),
        (
            format!("nginx:{}", "t".repeat(129)),
            ReferenceError::TagTooLong {
                tag: "t".repeat(129),
                len: 129,
            },
            format!(
                "tag `:{}` is 129 characters long; a tag is at most 128 characters",
                "t".repeat(129)
            ),
        ),
        (
            "nginx@".into(),
            ReferenceError::EmptyDigest("nginx@".into()),
            "reference `nginx@` has an empty digest after `@` (expected e.g. `@sha256:` \
                 followed by 64 hex digits)"
                .into(),
        ),
        (
            "nginx@latest".into(),
            ReferenceError::InvalidDigest("latest".into()),
            "invalid digest `latest` (a digest is `algorithm:hex`, e.g. `sha256:` followed \
                 by 64 hex digits)"
                .into(),
        ),
        (
            format!("nginx@md5:{}", "a".repeat(32)),
            ReferenceError::UnsupportedDigestAlgorithm {
                algorithm: "md5".into(),
                digest: format!("md5:{}", "a".repeat(32)),
            },
            format!(
                "unsupported digest algorithm `md5` in `md5:{}` (only sha256, sha384 and \
                     sha512 are accepted, written in lowercase)",
                "a".repeat(32)
            ),
        ),
        (
            "nginx@sha256:abc".into(),
            ReferenceError::DigestWrongLength {
                digest: "sha256:abc".into(),
                algorithm: "sha256".into(),
                expected: 64,
                found: 3,
            },
            "digest `sha256:abc` has the wrong length (sha256 needs 64 hex digits, found 3)".into(),
        ),
        (
            format!("nginx@sha256:{}", "A".repeat(64)),
            ReferenceError::DigestUppercase(format!("sha256:{}", "A".repeat(64))),
            format!(
                "digest `sha256:{}` must use lowercase hex digits (`a`-`f`, not `A`-`F`)",
                "A".repeat(64)
            ),
        ),
    ];
    let mut seen = std::collections::HashSet::new();
    for (input, want_err, want_text) in &cases {
        let got = ImageRef::parse(input).expect_err(input);
        assert_eq!(&got, want_err, "error for {input:?}");
        assert_eq!(&got.to_string(), want_text, "message for {input:?}");
        assert!(
            seen.insert(std::mem::discriminant(&got)),
            "variant repeated for {input:?}"
        );
    }
    assert_eq!(seen.len(), 20, "every ReferenceError variant is exercised");
}

#[test]
fn errors_for_tricky_inputs() {
    assert!(err("foo/Bar").contains("must be lowercase (`foo/Bar`)"));
    assert!(err("registry.example.com/Bar").contains("must be lowercase (`Bar`)"));
    assert!(err("Foo_Bar/x").contains("must be lowercase (`Foo_Bar/x`)"));
    assert!(err("foo_bar.com/app").contains("invalid registry host `foo_bar.com`"));
    assert!(err("nginx ").contains("contains whitespace"));
    assert!(err("ngi\tnx").contains("contains whitespace"));
    assert!(err("nginx@sha256:").contains("invalid digest `sha256:`"));
    assert!(err("@sha256:").contains("no repository name"));
    assert!(err("[::1]:5000").contains("names a registry but no repository"));
    assert!(err("ngïnx").contains("invalid character `ï`"));
    assert!(err("registry.example.com:/app").contains("invalid port"));
    assert!(err(&format!("nginx@{SHA256_DBCC}:1.27")).contains("invalid digest"));
    assert!(err(&format!("nginx@sha512:{}", "a".repeat(64))).contains("sha512 needs 128"));
    assert!(err(&format!("nginx@SHA256:{}", "a".repeat(64))).contains("`SHA256`"));
}

/// Deterministic pseudo-random inputs (including multi-byte characters):
/// parsing never panics, and whatever parses round-trips through `full()`.
#[test]
fn never_panics_and_round_trips() {
    const ALPHABET: &[&str] = &[
        "a",
        "b",
        "0",
        "9",
        "A",
        "Z",
        ".",
        "_",
        "-",
        ":",
        "/",
        "@",
        "[",
        "]",
        " ",
        "é",
        "İ",
        "🐳",
        "sha256:",
        "localhost",
        "docker.io",
        "index.docker.io",
        "f",
        "\u{0}",
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..20_000 {
        let len = (next() % 16) as usize;
        let s: String = (0..len)
            .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
            .collect();
        if let Ok(r) = ImageRef::parse(&s) {
            let again = ImageRef::parse(&r.full()).expect("full() reparses");
            assert_eq!(again.full(), r.full(), "input {s:?}");
        }
    }
}

mod properties {
    use super::super::ImageRef;
    use proptest::prelude::*;

    /// A host: lowercase DNS labels with a dot (or `localhost`), maybe a port.
    fn domain() -> impl Strategy<Value = String> {
        let label = "[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?";
        prop_oneof![
            (label, label).prop_map(|(a, b)| format!("{a}.{b}")),
            Just("localhost".to_string()),
        ]
        .prop_flat_map(|host| {
            proptest::option::of(1u16..65535).prop_map(move |port| match port {
                Some(p) => format!("{host}:{p}"),
                None => host.clone(),
            })
        })
    }

    /// A repository path: components joined by `/`, each with `.`, `_`, `__` or `-`
    /// separators inside.
    fn path() -> impl Strategy<Value = String> {
        let component = (
            "[a-z0-9]{1,6}",
            proptest::option::of(("(\\.|_|__|-{1,2})", "[a-z0-9]{1,6}")),
        )
            .prop_map(|(a, rest)| match rest {
                Some((sep, b)) => format!("{a}{sep}{b}"),
                None => a,
            });
        proptest::collection::vec(component, 1..4).prop_map(|parts| parts.join("/"))
    }

    /// A valid reference and its parts: (text, domain, path, tag, digest).
    fn reference() -> impl Strategy<
        Value = (
            String,
            Option<String>,
            String,
            Option<String>,
            Option<String>,
        ),
    > {
        (
            proptest::option::of(domain()),
            path(),
            proptest::option::of("[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}"),
            proptest::option::of("[a-f0-9]{64}".prop_map(|h| format!("sha256:{h}"))),
        )
            .prop_map(|(domain, path, tag, digest)| {
                let mut text = match &domain {
                    Some(d) => format!("{d}/{path}"),
                    None => path.clone(),
                };
                if let Some(t) = &tag {
                    text.push(':');
                    text.push_str(t);
                }
                if let Some(d) = &digest {
                    text.push('@');
                    text.push_str(d);
                }
                (text, domain, path, tag, digest)
            })
            // Without a domain, a first component with a dot (or `localhost`) would be
            // read as one; Docker Hub's own names are normalized (`library/`).
            .prop_filter("an unambiguous name", |(_, domain, path, _, _)| {
                let first = path.split('/').next().unwrap_or_default();
                match domain {
                    None => !first.contains('.') && first != "localhost",
                    Some(d) => !d.starts_with("docker.io") && !d.starts_with("index.docker.io"),
                }
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// Anything: no panic.
        #[test]
        fn never_panics(s in "\\PC{0,80}") {
            let _ = ImageRef::parse(&s);
        }

        /// Reference-like text (the alphabet of references, biased): no panic, and what
        /// parses renders to a string that parses to the same reference (normalization
        /// is idempotent).
        #[test]
        fn parse_render_parse(s in "[a-zA-Z0-9./:@_-]{0,60}") {
            if let Ok(r) = ImageRef::parse(&s) {
                let again = ImageRef::parse(&r.full()).expect("a rendered reference parses");
                prop_assert_eq!(&again.registry, &r.registry);
                prop_assert_eq!(&again.repository, &r.repository);
                prop_assert_eq!(&again.tag, &r.tag);
                prop_assert_eq!(&again.digest, &r.digest);
                prop_assert_eq!(again.full(), r.full());
            }
        }

        /// Every reference the grammar allows parses into exactly its parts.
        #[test]
        fn valid_references_parse_into_their_parts(
            (text, domain, path, tag, digest) in reference()
        ) {
            let r = ImageRef::parse(&text);
            prop_assert!(r.is_ok(), "{text:?}: {r:?}");
            let r = r.unwrap();
            prop_assert_eq!(r.tag, tag);
            prop_assert_eq!(r.digest, digest);
            prop_assert_eq!(r.registry_implied, domain.is_none());
            match domain {
                Some(d) => {
                    prop_assert_eq!(r.registry, d);
                    prop_assert_eq!(r.repository, path);
                }
                None if path.contains('/') => prop_assert_eq!(r.repository, path),
                None => prop_assert_eq!(r.repository, format!("library/{path}")),
            }
        }
    }
}
