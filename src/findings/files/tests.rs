//! Tests of `findings/files.rs`.

#[test]
fn utf16_with_a_byte_order_mark_is_text() {
    let le: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain("kind: Pod\n".encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    assert_eq!(super::utf16(&le), Some(Ok("kind: Pod\n".to_string())));
    let be: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain("é".encode_utf16().flat_map(u16::to_be_bytes))
        .collect();
    assert_eq!(super::utf16(&be), Some(Ok("é".to_string())));
    assert_eq!(super::utf16(&[0xFF, 0xFE, 0x00, 0xD8]), Some(Err(())));
    assert_eq!(super::utf16(b"kind: Pod"), None);
}
