//! Tests of `syntax/name_glob.rs`.

use super::*;

#[test]
fn stars_match_any_run_and_names_match_whole() {
    let m = |p: &str, t: &str| NameGlob::new(p, false).unwrap().is_match(t);
    assert!(m("*", "anything"));
    assert!(m("web-*", "web-1"));
    assert!(!m("web-*", "api-1"));
    assert!(m("*-canary-*", "shop-canary-7"));
    assert!(m("a*a", "aa"));
    assert!(!m("a*a", "a"));
    assert!(m("exact", "exact") && !m("exact", "exactly"));
    assert!(m("a/*", "a/b/c"), "no separators in names");
    let i = NameGlob::new("*_signing_KEY", true).unwrap();
    assert!(i.is_match("APP_SIGNING_KEY") && i.is_match("app_signing_key"));
    // Only `*` is special: other glob syntax matches itself.
    assert!(m("KEY[0]", "KEY[0]") && !m("KEY[0]", "KEY0"));
    assert!(m("a?c", "a?c") && !m("a?c", "abc"));
    assert!(m("{a,b}", "{a,b}") && !m("{a,b}", "a"));
    assert!(m("a\\b*", "a\\bc"));
    assert!(m("a[b", "a[b"));
}

#[test]
fn object_selectors() {
    let s = ObjectSelector::parse("deployment/*/web").unwrap();
    assert!(s.matches("Deployment", "shop", "web"));
    assert!(!s.matches("StatefulSet", "shop", "web"));
    assert!(ObjectSelector::parse("Deployment/web").is_err());
    assert!(ObjectSelector::parse("a//b").is_err());
}
