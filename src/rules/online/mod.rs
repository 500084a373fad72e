//! Online rules (`--online`): what the registry says about an image. They run after every
//! file is read, over the facts the online phase gathered (`crate::online`); offline, or for
//! a reference that was not answered, they say nothing.

pub(super) mod image_digest_outdated;
pub(super) mod image_not_found;
pub(super) mod image_signature_untrusted;
pub(super) mod image_unscanned;
pub(super) mod image_unsigned;

use std::sync::Arc;

use crate::online::inspect::ImageFacts;
use crate::rules::{ImagePart, ScanFacts};
use crate::syntax::image_ref::ImageRef;
use crate::uses::ImageUse;

/// The image uses that decide `part` and were answered online, with their facts.
pub(super) fn answered<'a>(
    scan: &'a ScanFacts<'a>,
    part: ImagePart,
) -> impl Iterator<Item = (&'a Arc<ImageUse>, &'a ImageRef, &'a ImageFacts)> {
    scan.images.iter().filter_map(move |image| {
        let reference = image.reference.as_ref().ok()?;
        if !image.site.decides(part) {
            return None;
        }
        let facts = scan.online?.of(reference)?;
        Some((image, reference, facts))
    })
}

/// `sha256:0123456789ab…` for messages: enough to recognise, short enough to read.
pub(super) fn short(digest: &str) -> String {
    match digest.split_once(':') {
        Some((algorithm, hex)) if hex.len() > 12 => match hex.get(..12) {
            Some(start) => format!("{algorithm}:{start}…"),
            None => digest.to_string(),
        },
        _ => digest.to_string(),
    }
}
