//! Claiming a candidate line: what a template line says about the rendered value (a literal
//! must be it, a `.Values` leaf must be in it), the image it claims and the values inline
//! in the template.

use super::*;

impl Tracer<'_> {
    /// What a candidate template line says about the rendered value, and where it traces.
    pub(super) fn evaluate(&mut self, place: &Place<'_>, located: &Located) -> (Agreement, Traced) {
        let Place {
            chart,
            owner,
            rendered,
            at_key,
            ..
        } = *place;
        let (object, is_image) = (place.object.as_str(), place.is_image());
        let entry = &located.entry;
        let text = self.files[located.file].text.as_str();
        let expression = entry
            .value
            .and_then(|s| text.get(s.range()))
            .unwrap_or("")
            .to_string();
        let line = self.target(
            located.file,
            if at_key {
                entry.key
            } else {
                entry.value.unwrap_or(entry.key)
            },
        );
        let plain = |agreement, value: Option<Target>, generated| {
            (
                agreement,
                Traced {
                    primary: line.clone(),
                    related: Vec::new(),
                    note: None,
                    value,
                    origin: String::new(),
                    source: String::new(),
                    key_path: String::new(),
                    generated,
                },
            )
        };
        if expression.is_empty() {
            return plain(Agreement::Unknown, None, false);
        }
        if !expression.contains("{{") {
            // A literal: it made the rendered value only if it is that value.
            let literal = unquote_scalar(&expression);
            let agreement = match rendered {
                Some(rendered) if literal == rendered => Agreement::Confirmed,
                Some(rendered) if is_image && same_reference(&literal, rendered) => {
                    Agreement::Confirmed
                }
                Some(_) => Agreement::Contradicted,
                None => Agreement::Unknown,
            };
            let value = entry.value.map(|s| self.target(located.file, s));
            return plain(agreement, value, false);
        }
        let closure = self.closure(chart, located.file, entry.value.unwrap_or_default());
        let code: String = closure
            .iter()
            .map(|(file, span, _)| self.files[*file].text.get(span.range()).unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n");
        // `.x` inside `with .Values.y`, in the line and in helpers given that same `.`.
        let dot_code: String = closure
            .iter()
            .filter(|(_, _, own_dot)| *own_dot)
            .map(|(file, span, _)| self.files[*file].text.get(span.range()).unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n");
        let related = (
            line.clone(),
            format!("the template line that renders it in {object}"),
        );
        let sources = self.sources(chart, owner);
        let mut refs = template::values_refs(&code);
        refs.extend(template::dot_refs(&dot_code, &entry.dot));
        let resolved: Vec<Resolved> = refs
            .iter()
            .filter_map(|r| self.resolve(&sources, r))
            .collect();
        if is_image {
            let rendered = rendered.unwrap_or_default();
            let Ok(image) = ImageRef::parse(rendered) else {
                return plain(Agreement::Unknown, None, false);
            };
            let (agreement, claim) = self.claim_image(place, &sources, &resolved, &code, &image);
            return match claim {
                Some(primary) => (
                    agreement,
                    Traced {
                        primary,
                        related: vec![related],
                        note: None,
                        value: None,
                        origin: String::new(),
                        source: String::new(),
                        key_path: String::new(),
                        generated: false,
                    },
                ),
                None => plain(agreement, None, false),
            };
        }
        // A scalar: the values leaf, or the template literal, whose text is in the value.
        let Some(rendered) = rendered else {
            return plain(Agreement::Unknown, None, false);
        };
        let last_key = entry.path.last().map(String::as_str).unwrap_or_default();
        let mut contradicted = false;
        for reference in &resolved {
            let Some(node) = self.node(reference) else {
                continue;
            };
            let leaf = match &node.value {
                Value::Map(_) | Value::Seq(_) => supplying_leaf(node, last_key, rendered),
                _ => Some(node),
            };
            let Some(leaf) = leaf else { continue };
            let Some(value) = scalar_text(leaf) else {
                continue;
            };
            if supplies(&value, rendered) {
                let primary = self.values_target(reference.file, leaf.span);
                return (
                    Agreement::Confirmed,
                    Traced {
                        value: Some(primary.clone()),
                        primary,
                        related: vec![related],
                        note: None,
                        origin: String::new(),
                        source: String::new(),
                        key_path: String::new(),
                        generated: false,
                    },
                );
            }
            contradicted |= !value.trim().is_empty();
        }
        // A literal in the template (`default "changeme"`), or text a helper writes, that is
        // the value.
        for (n, (file, span, _)) in closure.iter().enumerate() {
            for literal in literals(&self.files[*file].text, *span, n > 0) {
                let written = self.files[*file].text.get(literal.range()).unwrap_or("");
                if written.trim().len() >= 2 && supplies(written, rendered) {
                    let primary = self.target(*file, literal);
                    let in_line = *file == located.file
                        && line.span.start <= literal.start
                        && literal.end <= entry.value.map_or(line.span.end, |v| v.end);
                    let related = if in_line { Vec::new() } else { vec![related] };
                    return (
                        Agreement::Confirmed,
                        Traced {
                            value: Some(primary.clone()),
                            primary,
                            related,
                            note: None,
                            origin: String::new(),
                            source: String::new(),
                            key_path: String::new(),
                            generated: false,
                        },
                    );
                }
            }
        }
        let agreement = if contradicted {
            Agreement::Contradicted
        } else {
            Agreement::Unknown
        };
        // Nothing committed supplies the value: it is made at install time (`randAlphaNum`,
        // `genCA`, `lookup`) or from something this scan cannot read.
        plain(agreement, None, true)
    }

    /// The values place of a rendered image's `part`, and whether the line agrees with the
    /// image at all. Only a values line that produced the rendered part is claimed.
    pub(super) fn claim_image(
        &self,
        place: &Place<'_>,
        sources: &[ValuesSource],
        resolved: &[Resolved],
        code: &str,
        image: &ImageRef,
    ) -> (Agreement, Option<Target>) {
        let (owner, part) = (place.owner, place.part);
        let rendered = place.rendered.unwrap_or_default();
        // The values images the references point into, and the leaves that are no image.
        let mut blocks: Vec<(usize, &ImageUse)> = Vec::new();
        let mut leaves: Vec<(usize, Vec<String>, Span, String)> = Vec::new();
        let mut contradicted = false;
        for reference in resolved {
            let Some(node) = self.node(reference) else {
                continue;
            };
            let values = &self.values[reference.file];
            let hit = values.images.iter().find(|image| match &image.site {
                Site::HelmValues(v) => match v.block {
                    Some(block) if node.entries().is_some() => block.start == extent(node).start,
                    Some(block) => block.start <= node.span.start && node.span.end <= block.end,
                    None => image.span == node.span,
                },
                _ => false,
            });
            match hit {
                Some(block) => {
                    if comes_from(block, image) {
                        if !blocks
                            .iter()
                            .any(|(f, b)| *f == reference.file && b.span == block.span)
                        {
                            blocks.push((reference.file, block));
                        }
                    } else {
                        contradicted = true;
                    }
                }
                None => {
                    if let Some(value) = scalar_text(node) {
                        let value = value.trim().trim_end_matches('/').to_string();
                        if value.is_empty() {
                            continue;
                        }
                        if rendered.contains(&value) {
                            leaves.push((reference.file, reference.path.clone(), node.span, value));
                        } else {
                            contradicted = true;
                        }
                    }
                }
            }
        }
        // A helper that builds the image from values the line does not name: the values
        // image of the sources that the rendered image comes from.
        if blocks.is_empty() && leaves.is_empty() && resolved.is_empty() {
            let found = sources.iter().find_map(|source| {
                self.values[source.file]
                    .images
                    .iter()
                    .find(|u| comes_from(u, image))
                    .map(|u| (source.file, u))
            });
            if let Some(found) = found {
                blocks.push(found);
            }
        }
        let agreement = if contradicted {
            Agreement::Contradicted
        } else if blocks.is_empty() && leaves.is_empty() {
            Agreement::Unknown
        } else {
            Agreement::Confirmed
        };
        let app_version = || {
            let chart = &self.charts.list[owner];
            let (version, span) = chart.app_version.as_ref()?;
            let tag = image.tag.as_deref()?;
            (template::mentions_app_version(code) && tag.contains(version.as_str())).then(|| {
                Target {
                    path: chart.dir.join("Chart.yaml"),
                    display: chart.chart_yaml(),
                    span: *span,
                }
            })
        };
        let block_claim = |part: ImagePart| -> Option<Target> {
            blocks.iter().find_map(|(file, block)| {
                let Site::HelmValues(v) = &block.site else {
                    return None;
                };
                let values = &self.values[*file];
                let at = |span: Span| Target {
                    path: values.path.clone(),
                    display: values.display.clone(),
                    span,
                };
                match part {
                    ImagePart::Registry => {
                        // The registry key (or the repository, which holds or would hold the
                        // host) when the block's registry is the rendered one, or when the
                        // render has none of its own.
                        let written = block.reference.as_ref().ok()?;
                        let same = v.registry_written && written.registry == image.registry;
                        (same || image.registry_implied).then(|| at(v.registry))
                    }
                    ImagePart::Tag => {
                        // An empty tag the chart fills with its appVersion: `Chart.yaml`.
                        if v.tag_from_app_version {
                            return None;
                        }
                        let written = block.reference.as_ref().ok()?;
                        if !v.tag_written {
                            // No tag in values: where one goes, if the render has none either.
                            return image.tag.is_none().then(|| at(v.tag));
                        }
                        let tag_agrees = match (&written.tag, &image.tag) {
                            (Some(w), Some(r)) => r.contains(w.as_str()),
                            (None, None) => true,
                            _ => false,
                        };
                        let digest_agrees =
                            written.digest.is_some() && written.digest == image.digest;
                        (tag_agrees || digest_agrees).then(|| at(v.tag))
                    }
                    _ => Some(at(v.digest)),
                }
            })
        };
        let leaf_at = |(file, _, span, _): &(usize, Vec<String>, Span, String)| Target {
            path: self.values[*file].path.clone(),
            display: self.values[*file].display.clone(),
            span: *span,
        };
        let claim = match part {
            ImagePart::Registry => {
                let host = (!image.registry_implied).then(|| {
                    rendered
                        .split('/')
                        .next()
                        .unwrap_or_default()
                        .to_ascii_lowercase()
                });
                let leaf = |exact: bool| {
                    leaves.iter().find(|(_, _, _, v)| match &host {
                        Some(h) if exact => v.eq_ignore_ascii_case(h),
                        _ => !exact && rendered.starts_with(v.as_str()),
                    })
                };
                block_claim(ImagePart::Registry)
                    .or_else(|| leaf(true).map(leaf_at))
                    .or_else(|| leaf(false).map(leaf_at))
            }
            ImagePart::Tag => block_claim(ImagePart::Tag)
                .or_else(|| {
                    let tag = image.tag.as_deref().or(image.digest.as_deref())?;
                    leaves
                        .iter()
                        .find(|(_, _, _, v)| v == tag)
                        .or_else(|| {
                            leaves.iter().find(|(_, _, _, v)| {
                                tag.contains(v.as_str()) && !rendered.starts_with(v.as_str())
                            })
                        })
                        .map(leaf_at)
                })
                .or_else(app_version),
            ImagePart::Digest | ImagePart::Reference | ImagePart::PullPolicy => {
                block_claim(ImagePart::Digest).or_else(|| {
                    // Leaves of one map that name the image (`image.name`, `image.version`)
                    // together; a shared registry or namespace leaf alone names no image.
                    let last = image.repository.rsplit('/').next().unwrap_or_default();
                    let names = leaves.iter().find(|(_, _, _, v)| {
                        let v = v.rsplit_once(':').map_or(v.as_str(), |(n, t)| {
                            if t.contains('/') { v.as_str() } else { n }
                        });
                        v.rsplit('/').next() == Some(last)
                    })?;
                    let parent = &names.1[..names.1.len().saturating_sub(1)];
                    let siblings = leaves.iter().filter(|(f, path, _, _)| {
                        *f == names.0 && path[..path.len().saturating_sub(1)] == *parent
                    });
                    let start = siblings.clone().map(|(_, _, s, _)| s.start).min()?;
                    let end = siblings.map(|(_, _, s, _)| s.end).max()?;
                    Some(Target {
                        span: Span::new(start, end),
                        ..leaf_at(names)
                    })
                })
            }
        };
        (agreement, claim)
    }

    /// A rendered key written out by `toYaml .Values.x`: the values node it comes from.
    pub(super) fn inline_values(&mut self, place: &Place<'_>, view: &View) -> Option<Traced> {
        let Place {
            chart,
            owner,
            key_path,
            at_key,
            ..
        } = *place;
        let object = place.object.as_str();
        let segments = template::split_key_path(key_path);
        let sources = self.sources(chart, owner);
        // The longest inline whose path is a prefix of the key path.
        let mut inlines: Vec<&ValuesInline> = view
            .inlines
            .iter()
            .filter(|inline| {
                inline.path.len() < segments.len()
                    && inline
                        .path
                        .iter()
                        .zip(&segments)
                        .all(|(key, (_, segment))| segment.split('[').next() == Some(key.as_str()))
            })
            .collect();
        inlines.sort_by_key(|inline| std::cmp::Reverse(inline.path.len()));
        for inline in inlines {
            // The sequence item or map key the inline's last key selects stays with it.
            let consumed = inline.path.len();
            let mut rest: Vec<&str> = Vec::new();
            if let Some((_, segment)) = consumed.checked_sub(1).and_then(|i| segments.get(i))
                && let Some(selector) = segment.split_once('[').map(|(_, s)| s)
            {
                rest.push(selector.trim_end_matches(']'));
            }
            let Some(resolved) = self.resolve(&sources, &inline.values) else {
                continue;
            };
            let Some(start) = self.node(&resolved) else {
                continue;
            };
            let mut steps: Vec<String> = rest.iter().map(|s| format!("[{s}]")).collect();
            steps.extend(segments[consumed..].iter().map(|(_, s)| s.to_string()));
            let (node, key, complete) = walk_key_path(start, &steps.join("."));
            if !complete {
                continue;
            }
            let span = match (at_key, key) {
                (true, Some(key)) => key.span,
                _ if matches!(node.value, Value::Map(_) | Value::Seq(_)) => {
                    key.map_or(extent(node), |k| k.span)
                }
                _ => node.span,
            };
            let value_span = node.span;
            let primary = self.values_target(resolved.file, span);
            let include = self.target(inline.file, inline.span);
            return Some(Traced {
                value: Some(self.values_target(resolved.file, value_span)),
                primary,
                related: vec![(
                    include,
                    format!("the template line that writes these values into {object}"),
                )],
                note: None,
                origin: String::new(),
                source: String::new(),
                key_path: String::new(),
                generated: false,
            });
        }
        None
    }
}
