//! Tests of `workers.rs`.

use super::*;

#[test]
fn results_come_back_in_order_on_deep_stacks() {
    let items: Vec<usize> = (0..1000).collect();
    let out = parallel_map(&items, 4, |i, &n| {
        assert_eq!(i, n);
        // A stack frame larger than rayon's default 2 MiB stack.
        let big = [n as u8; 4 * 1024 * 1024];
        std::hint::black_box(&big)[n % big.len()] as usize + n * 2
    });
    assert_eq!(out.len(), 1000);
    assert!(
        out.iter()
            .enumerate()
            .all(|(i, &r)| r == i * 2 + (i as u8) as usize)
    );
    assert!(parallel_map(&[] as &[u8], 0, |_, _| 0).is_empty());
}
