//! Reading, once per chart: template files and their indexes, the defines of a chart, the
//! view of a template document with the helpers it includes, and the values files that supply
//! a chart's `.Values`.

use super::*;

impl Tracer<'_> {
    /// The template file at `path` (its index is built once).
    pub(super) fn template_file(&mut self, path: &Path, display: &str) -> Option<usize> {
        if let Some(id) = self.file_ids.get(path) {
            return *id;
        }
        let id = std::fs::metadata(path)
            .ok()
            .filter(|m| m.is_file() && m.len() <= MAX_TEMPLATE_BYTES)
            .and_then(|_| std::fs::read_to_string(path).ok())
            .map(|text| {
                let index = TemplateIndex::parse(&text);
                self.files.push(TemplateFile {
                    path: path.to_path_buf(),
                    display: display.to_string(),
                    text,
                    index,
                });
                self.files.len() - 1
            });
        self.file_ids.insert(path.to_path_buf(), id);
        id
    }

    pub(super) fn target(&self, file: usize, span: Span) -> Target {
        let file = &self.files[file];
        Target {
            path: file.path.clone(),
            display: file.display.clone(),
            span,
        }
    }

    pub(super) fn values_target(&self, file: usize, span: Span) -> Target {
        let values = &self.values[file];
        Target {
            path: values.path.clone(),
            display: values.display.clone(),
            span,
        }
    }

    /// Every define of the templates of `chart` and its subcharts, by name.
    pub(super) fn defines(&mut self, chart: usize) -> Rc<DefineMap> {
        if let Some(defines) = self.defines.get(&chart) {
            return Rc::clone(defines);
        }
        let mut dirs: Vec<(PathBuf, String)> = Vec::new();
        let own = &self.charts.list[chart];
        dirs.push((own.dir.join("templates"), own.file_display("templates")));
        for (i, sub) in self.charts.list.iter().enumerate() {
            if self.charts.is_below(i, chart) {
                dirs.push((sub.dir.join("templates"), sub.file_display("templates")));
            }
        }
        let mut paths = Vec::new();
        for (dir, display) in dirs {
            collect_files(&dir, &display, &mut paths);
        }
        let mut defines = HashMap::new();
        for (path, display) in paths.into_iter().take(MAX_TEMPLATE_FILES) {
            let Some(file) = self.template_file(&path, &display) else {
                continue;
            };
            for (i, define) in self.files[file].index.defines.iter().enumerate() {
                defines.entry(define.name.clone()).or_insert((file, i));
            }
        }
        let defines = Rc::new(defines);
        self.defines.insert(chart, Rc::clone(&defines));
        defines
    }

    /// Document `document` of template `file` (every document when `None`), with what it
    /// includes, as seen from its root.
    pub(super) fn view(&mut self, chart: usize, file: usize, document: Option<usize>) -> Rc<View> {
        if let Some(view) = self.views.get(&(chart, document, file)) {
            return Rc::clone(view);
        }
        let defines = self.defines(chart);
        let mut view = View::default();
        let index = &self.files[file].index;
        let in_document = |d: usize| document.is_none_or(|want| want == d);
        for entry in index.entries.iter().filter(|e| in_document(e.document)) {
            view.located.push(Located {
                file,
                entry: entry.clone(),
                via: None,
            });
        }
        let mut pending: Vec<PendingInclude> = index
            .includes
            .iter()
            .filter(|i| in_document(i.document))
            .map(|i| PendingInclude {
                file,
                include: i.clone(),
                via: None,
                depth: 0,
            })
            .collect();
        let mut next = 0;
        while let Some(PendingInclude {
            file: at,
            include,
            via,
            depth,
        }) = pending.get(next)
        {
            let (at, include, depth) = (*at, include.clone(), *depth);
            let via = via.or(Some((at, include.span)));
            next += 1;
            match &include.target {
                IncludeTarget::Values(values) => view.inlines.push(ValuesInline {
                    path: include.path.clone(),
                    values: values.clone(),
                    file: at,
                    span: include.span,
                }),
                IncludeTarget::Helper(name) => {
                    let Some(&(define_file, define)) = defines.get(name) else {
                        continue;
                    };
                    if depth >= MAX_INCLUDE_DEPTH || view.located.len() >= MAX_VIEW_ENTRIES {
                        continue;
                    }
                    let body = &self.files[define_file].index.defines[define].index;
                    for entry in &body.entries {
                        if view.located.len() >= MAX_VIEW_ENTRIES {
                            break;
                        }
                        view.located.push(Located {
                            file: define_file,
                            entry: prefixed(entry, &include.path, &include.items),
                            via,
                        });
                    }
                    for inner in &body.includes {
                        let mut inner = inner.clone();
                        let combined = prefixed(
                            &Entry {
                                line: inner.line,
                                document: inner.document,
                                key: inner.span,
                                value: None,
                                path: inner.path.clone(),
                                items: inner.items.clone(),
                                scalar_item: false,
                                dot: Vec::new(),
                            },
                            &include.path,
                            &include.items,
                        );
                        inner.path = combined.path;
                        inner.items = combined.items;
                        pending.push(PendingInclude {
                            file: define_file,
                            include: inner,
                            via,
                            depth: depth + 1,
                        });
                    }
                }
            }
        }
        view.entries = view.located.iter().map(|l| l.entry.clone()).collect();
        let view = Rc::new(view);
        self.views.insert((chart, document, file), Rc::clone(&view));
        view
    }

    /// The expression at `span` of `file` and the bodies of the helpers it includes
    /// (recursively, each once), each with whether its `.` is the expression's own (the
    /// helper was called with `.`).
    pub(super) fn closure(
        &mut self,
        chart: usize,
        file: usize,
        span: Span,
    ) -> Vec<(usize, Span, bool)> {
        let defines = self.defines(chart);
        let mut out = vec![(file, span, true)];
        let mut seen = HashSet::new();
        let mut at = 0;
        while at < out.len() && out.len() < 64 {
            let (f, s, own_dot) = out[at];
            at += 1;
            let code = self.files[f].text.get(s.range()).unwrap_or("").to_string();
            for (name, passes_dot) in template::helper_calls(&code) {
                if let Some(&(define_file, define)) = defines.get(&name)
                    && seen.insert(name)
                {
                    let body = self.files[define_file].index.defines[define].body;
                    out.push((define_file, body, own_dot && passes_dot));
                }
            }
        }
        out
    }

    pub(super) fn node(&self, reference: &Resolved) -> Option<&Node> {
        // NOTE: `path` is the full path in the file (the subchart prefix included).
        self.values[reference.file]
            .root
            .as_ref()?
            .path(&reference.path)
    }

    /// Where `reference` (`.Values` path) is set: the first source that sets it to something
    /// other than null or an empty string.
    pub(super) fn resolve(
        &self,
        sources: &[ValuesSource],
        reference: &[String],
    ) -> Option<Resolved> {
        let global = reference.first().is_some_and(|k| k == "global");
        sources.iter().find_map(|source| {
            let root = self.values[source.file].root.as_ref()?;
            let prefix: &[String] = if global { &[] } else { &source.prefix };
            let node = root.path(prefix)?.path(reference)?;
            let empty = node.is_null() || node.as_str().is_some_and(|s| s.trim().is_empty());
            (!empty).then(|| Resolved {
                file: source.file,
                path: prefix.iter().chain(reference).cloned().collect(),
            })
        })
    }

    /// The values files a template of `owner` (rendered as part of `chart`) reads, highest
    /// priority first: `--helm-values` files (last first), then each chart's `values.yaml`
    /// from the rendered chart down to `owner`.
    pub(super) fn sources(&mut self, chart: usize, owner: usize) -> Vec<ValuesSource> {
        // The chain of subchart names from `chart` down to `owner`.
        let mut chain = Vec::new();
        let mut current = owner;
        while current != chart {
            let Some(parent) = self.charts.list[current].parent else {
                break;
            };
            let name = self.charts.list[current]
                .dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            chain.push((current, name));
            current = parent;
        }
        chain.reverse();
        let mut sources = Vec::new();
        // `-f` files in the order helm reads them: every chart's, then this chart's own; the
        // last one read wins, so they are searched from the end.
        let mut extra = self.extra_values.clone();
        if let Some(own) = self.options.chart(&self.charts.list[chart].dir) {
            extra.extend(
                own.values
                    .iter()
                    .map(|p| (p.clone(), crate::input::paths::display_path(p))),
            );
        }
        let prefix_all: Vec<String> = chain.iter().map(|(_, n)| n.clone()).collect();
        for (path, display) in extra.iter().rev() {
            if let Some(file) = self.values_file(path, display, None) {
                sources.push(ValuesSource {
                    file,
                    prefix: prefix_all.clone(),
                });
            }
        }
        let mut levels = vec![(chart, prefix_all.clone())];
        for (depth, (sub, _)) in chain.iter().enumerate() {
            levels.push((*sub, prefix_all[depth + 1..].to_vec()));
        }
        for (level, prefix) in levels {
            let c = &self.charts.list[level];
            let (path, display) = (c.dir.join("values.yaml"), c.file_display("values.yaml"));
            let app_version = c
                .app_version
                .as_ref()
                .filter(|_| c.uses_app_version)
                .map(|(v, _)| v.clone());
            if let Some(file) = self.values_file(&path, &display, app_version.as_deref()) {
                sources.push(ValuesSource { file, prefix });
            }
        }
        sources
    }

    pub(super) fn values_file(
        &mut self,
        path: &Path,
        display: &str,
        app_version: Option<&str>,
    ) -> Option<usize> {
        if let Some(&i) = self.values_by_path.get(path) {
            return Some(i);
        }
        let text = std::fs::read_to_string(path).ok()?;
        let root = yaml::first_root(&text);
        let mut images = Vec::new();
        if let Some(root) = &root {
            values::images(0, root, values::ChartFacts { app_version }, &mut images);
        }
        self.values.push(ValuesFile {
            path: path.to_path_buf(),
            display: display.to_string(),
            root,
            images,
        });
        let i = self.values.len() - 1;
        self.values_by_path.insert(path.to_path_buf(), i);
        Some(i)
    }
}
