//! Tests of `report/sarif.rs`.

use super::*;

#[test]
fn uris_are_encoded() {
    assert_eq!(percent_encode("a b/ü.yaml"), "a%20b/%C3%BC.yaml");
    assert_eq!(percent_encode("k8s/web-1_x.yaml"), "k8s/web-1_x.yaml");
}
