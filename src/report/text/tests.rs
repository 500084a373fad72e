//! Tests of `report/text.rs`.

#[test]
fn long_lines_are_windowed() {
    let short = "image: nginx:latest";
    assert_eq!(super::window(short, 8, 12), (short.to_string(), 8, 12));
    let long = format!("{}IMAGE{}", "a".repeat(1000), "b".repeat(1000));
    let (shown, column, width) = super::window(&long, 1001, 5);
    assert_eq!(width, 5);
    assert!(shown.starts_with('…') && shown.ends_with('…'));
    assert_eq!(
        shown.chars().skip(column - 1).take(5).collect::<String>(),
        "IMAGE"
    );
    assert!(shown.chars().count() < 200);
}

#[test]
fn colour_is_styling_only() {
    use super::{Paint, Style};
    let on = Style { color: true };
    let off = Style { color: false };
    assert_eq!(off.paint(Paint::Error, "error"), "error");
    let painted = on.paint(Paint::Error, "error");
    assert!(
        painted.starts_with('\x1b') && painted.contains("error") && painted.ends_with("\x1b[0m")
    );
    assert!(
        painted.contains("31") && painted.contains('1'),
        "bold red: {painted:?}"
    );
    assert_ne!(on.paint(Paint::Warning, "w"), on.paint(Paint::Note, "w"));
}
