//! Tests of `render/helm/template/`.

use super::*;

const PODINFO: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ template "podinfo.fullname" . }}
  labels:
    {{- include "podinfo.labels" . | nindent 4 }}
spec:
  {{- if not .Values.hpa.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  template:
    spec:
      {{- if .Values.serviceAccount.enabled }}
      serviceAccountName: {{ template "podinfo.serviceAccountName" . }}
      {{- end }}
      containers:
        - name: {{ .Chart.Name }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          command:
            - ./podinfo
            - --port={{ .Values.service.httpPort | default 9898 }}
        {{- if .Values.linkerd.profile.enabled }}
        - name: linkerd
          image: "ghcr.io/linkerd/proxy:stable"
        {{- end }}
"#;

/// Parse, checking that every span lies on char boundaries within the text.
fn index(text: &str) -> TemplateIndex {
    let index = TemplateIndex::parse(text);
    for entry in &index.entries {
        for span in std::iter::once(entry.key).chain(entry.value) {
            assert!(span.start <= span.end && span.end <= text.len(), "{span:?}");
            assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
        }
    }
    index
}

fn key<'t>(text: &'t str, entry: &Entry) -> &'t str {
    &text[entry.key.range()]
}

fn value<'t>(text: &'t str, entry: &Entry) -> Option<&'t str> {
    entry.value.map(|span| &text[span.range()])
}

fn line_of(text: &str, path: &str, document: Option<usize>) -> Option<usize> {
    index(text).locate(path, document).map(|e| e.line)
}

/// The values references of `text`, each path joined with `/`.
fn refs(text: &str) -> Vec<String> {
    values_refs(text)
        .iter()
        .map(|path| path.join("/"))
        .collect()
}

#[test]
fn podinfo_paths_items_and_values() {
    let idx = index(PODINFO);
    let image = idx
        .locate("spec.template.spec.containers[0].image", None)
        .unwrap();
    assert_eq!(image.line, 18);
    assert_eq!(
        image.path,
        ["spec", "template", "spec", "containers", "image"]
    );
    assert_eq!(
        image.items,
        [Item {
            depth: 4,
            ordinal: 0,
            name: None,
            name_pattern: Some("{{ .Chart.Name }}".into()),
            line: 17
        }]
    );
    assert_eq!(key(PODINFO, image), "image");
    let text = value(PODINFO, image).unwrap();
    assert_eq!(
        text,
        r#""{{ .Values.image.repository }}:{{ .Values.image.tag }}""#
    );
    assert_eq!(refs(text), ["image/repository", "image/tag"]);
    let replicas = idx.locate("spec.replicas", None).unwrap();
    assert_eq!((replicas.line, replicas.document), (9, 0));
}

#[test]
fn podinfo_selectors_pick_the_item() {
    let linkerd = "spec.template.spec.containers[name=linkerd].image";
    assert_eq!(line_of(PODINFO, linkerd, None), Some(25));
    let idx = index(PODINFO);
    let entry = idx.locate(linkerd, None).unwrap();
    assert_eq!(entry.items[0].name.as_deref(), Some("linkerd"));
    assert_eq!((entry.items[0].ordinal, entry.items[0].line), (1, 24));
    assert_eq!(
        line_of(PODINFO, "spec.template.spec.containers[1].image", None),
        Some(25)
    );
    // The templated name may be anything; the literal `linkerd` is not `web`.
    assert_eq!(
        line_of(
            PODINFO,
            "spec.template.spec.containers[name=web].image",
            None
        ),
        Some(18)
    );
    assert_eq!(
        line_of(
            PODINFO,
            "spec.template.spec.containers[0].imagePullPolicy",
            None
        ),
        Some(19)
    );
    assert_eq!(
        line_of(PODINFO, "spec.template.spec.containers[0].command", None),
        Some(20)
    );
    assert_eq!(
        line_of(PODINFO, "spec.template.spec.serviceAccountName", None),
        Some(14)
    );
    assert_eq!(line_of(PODINFO, "metadata.labels", None), Some(5));
    assert_eq!(line_of(PODINFO, "spec.template.spec.volumes", None), None);
}

#[test]
fn scalar_items_are_entries_of_their_sequence() {
    let idx = index(PODINFO);
    let command = idx.entries.iter().find(|e| e.line == 20).unwrap();
    assert_eq!(command.value, None);
    let items: Vec<&Entry> = idx.entries.iter().filter(|e| e.scalar_item).collect();
    assert_eq!(items.len(), 2);
    assert_eq!(value(PODINFO, items[0]), Some("./podinfo"));
    assert_eq!(items[1].path.last().map(String::as_str), Some("command"));
    assert_eq!(items[1].items.last().unwrap().ordinal, 1);
    // A key path ending in an item finds the item's own line, not its sequence's key.
    let role = "rules:\n  - apiGroups: [\"\"]\n    resources:\n      - configmaps\n      - secrets\n    verbs: [get]\n";
    assert_eq!(line_of(role, "rules[0].resources[1]", None), Some(5));
    assert_eq!(line_of(role, "rules[0].resources", None), Some(3));
}

#[test]
fn pod_test_hook_with_literal_image() {
    let text = r#"apiVersion: v1
kind: Pod
metadata:
  name: "{{ include "app.fullname" . }}-test-connection"
  labels:
    {{- include "app.labels" . | nindent 4 }}
  annotations:
    "helm.sh/hook": test
    'helm.sh/hook-delete-policy': before-hook-creation
spec:
  restartPolicy: Never
  containers:
    - name: wget
      command: ['wget']
      args: ['{{ include "app.fullname" . }}:{{ .Values.service.port }}']
    - name: tiny
      image: giantswarm/tiny-tools
"#;
    let idx = index(text);
    let image = idx
        .locate("spec.containers[name=tiny].image", None)
        .unwrap();
    assert_eq!(image.line, 17);
    assert_eq!(value(text, image), Some("giantswarm/tiny-tools"));
    let hook = idx
        .locate("metadata.annotations.helm.sh/hook", None)
        .unwrap();
    assert_eq!((hook.line, key(text, hook)), (8, "helm.sh/hook"));
    let policy = idx
        .locate("metadata.annotations.helm.sh/hook-delete-policy", None)
        .unwrap();
    assert_eq!(key(text, policy), "helm.sh/hook-delete-policy");
    let args = idx.locate("spec.containers[0].args", None).unwrap();
    assert_eq!(args.line, 15);
    assert_eq!(refs(value(text, args).unwrap()), ["service/port"]);
}

#[test]
fn secret_data_key() {
    let text = "apiVersion: v1\nkind: Secret\ndata:\n  password: {{ .Values.auth.password | b64enc | quote }}\n  tls.crt: {{ .Values.tls.cert }}\n";
    let idx = index(text);
    let password = idx.locate("data.password", None).unwrap();
    assert_eq!(password.line, 4);
    assert_eq!(refs(value(text, password).unwrap()), ["auth/password"]);
    let crt = idx.locate("data.tls.crt", None).unwrap();
    assert_eq!((crt.line, key(text, crt)), (5, "tls.crt"));
}

#[test]
fn range_loop_over_containers() {
    let text = r#"spec:
  containers:
  {{- range $name, $c := .Values.containers }}
    - name: {{ $name }}
      image: {{ $c.image | quote }}
  {{- end }}
    - name: sidecar
      image: busybox
"#;
    let idx = index(text);
    assert_eq!(
        idx.locate("spec.containers[name=app].image", None)
            .unwrap()
            .line,
        5
    );
    assert_eq!(
        idx.locate("spec.containers[name=sidecar].image", None)
            .unwrap()
            .line,
        8
    );
    assert_eq!(
        idx.locate("spec.containers[1].image", None).unwrap().line,
        8
    );
    // `$c.image` is no values reference.
    assert!(values_refs("{{ $c.image | quote }}").is_empty());
}

#[test]
fn block_scalar_content_is_no_entry() {
    let text = "spec:\n  containers:\n  - name: sh\n    command: |\n      image: fake\n      name: fake\n\n{{- if .Values.x }}\n      other: fake\n{{- end }}\n    args: >-\n      x: 1\n    image: real\n  - |\n    image: fake\n";
    let idx = index(text);
    let keys: Vec<&str> = idx.entries.iter().map(|e| key(text, e)).collect();
    assert_eq!(
        keys,
        ["spec", "containers", "name", "command", "args", "image"]
    );
    let image = idx.locate("spec.containers[name=sh].image", None).unwrap();
    assert_eq!(image.line, 13);
    assert_eq!(idx.entries[3].value, None);
    assert_eq!(idx.entries[3].items[0].name.as_deref(), Some("sh"));
}

#[test]
fn dash_at_the_parent_key_indent() {
    let text = "spec:\n  containers:\n  - name: a\n    image: one\n  - name: \"b\"\n    image: two\n  volumes:\n  - name: v\n";
    let idx = index(text);
    let two = idx.locate("spec.containers[name=b].image", None).unwrap();
    assert_eq!((two.line, two.items[0].ordinal), (6, 1));
    let volume = idx.locate("spec.volumes[0].name", None).unwrap();
    assert_eq!(volume.path, ["spec", "volumes", "name"]);
    assert_eq!(volume.items[0].ordinal, 0);
}

#[test]
fn name_after_other_keys_still_names_the_item() {
    let text = "containers:\n- image: one\n  name: web\n- image: two\n  name: api\n  env:\n  - name: DB_PASSWORD\n    value: x\n";
    let idx = index(text);
    assert_eq!(line_of(text, "containers[name=api].image", None), Some(4));
    let value = idx
        .locate("containers[name=api].env[name=DB_PASSWORD].value", None)
        .unwrap();
    assert_eq!(value.line, 8);
    assert_eq!(value.items.len(), 2);
    assert_eq!(value.items[1].depth, 2);
}

#[test]
fn document_hint_chooses() {
    let text = "---\n# leading separator\napiVersion: v1\nkind: Service\nmetadata:\n  name: a\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: b\n--- # third\n";
    let idx = index(text);
    assert_eq!(idx.locate("metadata.name", None).unwrap().line, 6);
    let second = idx.locate("metadata.name", Some(1)).unwrap();
    assert_eq!((second.line, second.document), (11, 1));
    assert_eq!(idx.locate("metadata.name", Some(0)).unwrap().document, 0);
}

#[test]
fn wildcard_keys_match_any_segment() {
    let text = "data:\n  fixed: 1\n  {{- range $key, $value := .Values.env }}\n  {{ $key }}: {{ $value | quote }}\n  {{- end }}\n";
    let idx = index(text);
    let any = idx.locate("data.DB_HOST", None).unwrap();
    assert_eq!((any.line, any.path.join("/")), (4, "data/*".to_string()));
    assert_eq!(key(text, any), "{{ $key }}");
    // A literal key beats the wildcard.
    assert_eq!(idx.locate("data.fixed", None).unwrap().line, 2);
}

#[test]
fn action_lines_followed_by_text_are_not_keys() {
    let text = "spec:\n  {{- if .Values.x }}  replicas: 3\n  {{- toYaml .Values.resources | nindent 12 }}\n  {{/* a: b */}}\n";
    let idx = index(text);
    assert_eq!(idx.entries.len(), 1);
}

#[test]
fn suffix_match_for_included_pod_specs() {
    let helper = "{{- define \"pod\" -}}\ncontainers:\n  - name: web\n    image: {{ .Values.image }}\n{{- end }}\n";
    let file = index(helper);
    // The define's lines are its own, not the file's documents.
    assert!(file.entries.is_empty());
    let idx = &file.define("pod").unwrap().index;
    let image = idx
        .locate("spec.template.spec.containers[name=web].image", None)
        .unwrap();
    assert_eq!(image.line, 4);
    assert_eq!(image.items[0].depth, 1);
    assert!(
        idx.locate("spec.template.spec.initContainers[0].image", None)
            .is_none()
    );
    // A single-segment tail is too weak to match.
    assert!(idx.locate("metadata.image", None).is_none());
}

#[test]
fn defines_are_matched_to_their_end() {
    let text = "{{/* {{ define \"not\" }} */}}\n{{- define \"a\" -}}\n{{- if .x }}\nk: {{ \"}}\" }}\n{{- end }}\n{{- end -}}\nkind: Pod\n{{ define `b` }}{{ range .y }}z{{ end }}{{ end }}\n{{- define \"open\" }}\nleft: open\n";
    let idx = index(text);
    let names: Vec<&str> = idx.defines.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["a", "b", "open"]);
    let a = &idx.defines[0];
    assert!(text[a.body.range()].contains("k: {{"));
    assert_eq!(a.index.entries[0].line, 4);
    assert_eq!(
        &text[idx.defines[1].body.range()],
        "{{ range .y }}z{{ end }}"
    );
    assert_eq!(idx.defines[2].index.entries[0].line, 10);
    // Only `kind: Pod` is the file's own.
    let keys: Vec<&str> = idx.entries.iter().map(|e| key(text, e)).collect();
    assert_eq!(keys, ["kind"]);
}

#[test]
fn includes_know_where_their_output_goes() {
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include \"x.fullname\" . }}\n  labels:\n    {{- include \"x.labels\" . | nindent 4 }}\nspec:\n  template:\n    {{- include \"x.pod\" . | nindent 4 }}\n---\n{{ include \"x.service\" . }}\n";
    let idx = index(text);
    let found: Vec<(String, Vec<String>, usize)> = idx
        .includes
        .iter()
        .map(|i| match &i.target {
            IncludeTarget::Helper(name) => (name.clone(), i.path.clone(), i.document),
            IncludeTarget::Values(_) => unreachable!(),
        })
        .collect();
    let path = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        found,
        [
            ("x.fullname".into(), path(&["metadata", "name"]), 0),
            ("x.labels".into(), path(&["metadata", "labels"]), 0),
            ("x.pod".into(), path(&["spec", "template"]), 0),
            ("x.service".into(), path(&[]), 1),
        ]
    );
    // A document that only includes a helper is a document.
    assert_eq!(idx.documents.len(), 2);
    assert_eq!(&text[idx.documents[0].kind.unwrap().range()], "Deployment");
    assert_eq!(
        &text[idx.documents[0].name.unwrap().range()],
        "{{ include \"x.fullname\" . }}"
    );
    assert_eq!(
        helper_calls("{{ include \"a\" . }}{{ template \"b\" (dict) }}{{ .include }}"),
        [("a".to_string(), true), ("b".to_string(), false)]
    );
}

#[test]
fn values_written_out_whole() {
    let text = "spec:\n  containers:\n    - name: app\n      image: x\n    {{- with .Values.sidecars }}\n    {{- toYaml . | nindent 4 }}\n    {{- end }}\n  tolerations: {{ toYaml .Values.tolerations | nindent 4 }}\n  {{- with .Values.extra }}{{ end }}\n  volumes:\n    {{- toYaml . | nindent 4 }}\n";
    let idx = index(text);
    let inlines: Vec<(Vec<String>, Vec<String>)> = idx
        .includes
        .iter()
        .filter_map(|i| match &i.target {
            IncludeTarget::Values(values) => Some((i.path.clone(), values.clone())),
            IncludeTarget::Helper(_) => None,
        })
        .collect();
    let path = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        inlines,
        [
            (path(&["spec", "containers"]), path(&["sidecars"])),
            (path(&["spec", "tolerations"]), path(&["tolerations"])),
        ]
    );
}

#[test]
fn with_blocks_make_dot_read_values() {
    let text = "spec:\n  containers:\n    - name: c\n      {{- with (merge .Values.c.image .Values.global.image) }}\n      image: {{ .registry }}/{{ .image }}:{{ .tag }}\n      {{- end }}\n      imagePullPolicy: {{ .Values.c.pullPolicy }}\n      {{- range .Values.extra }}\n      args: {{ .x }}\n      {{- end }}\n";
    let idx = index(text);
    let image = idx
        .entries
        .iter()
        .find(|e| key(text, e) == "image")
        .unwrap();
    let path = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        image.dot,
        [path(&["c", "image"]), path(&["global", "image"])]
    );
    let refs = dot_refs(value(text, image).unwrap(), &image.dot);
    assert!(refs.contains(&path(&["global", "image", "registry"])));
    assert!(refs.contains(&path(&["c", "image", "tag"])));
    // Outside the block, and inside a `range`, `.` is not values.
    let policy = idx
        .entries
        .iter()
        .find(|e| key(text, e) == "imagePullPolicy")
        .unwrap();
    assert!(policy.dot.is_empty());
    let args = idx.entries.iter().find(|e| key(text, e) == "args").unwrap();
    assert!(args.dot.is_empty());
    // Built-in objects and variables are not read through `.`.
    assert!(
        dot_refs(
            "{{ .Values.a }} {{ .Chart.Name }} {{ $x.y }} {{ (f).z }}",
            &[path(&["v"])]
        )
        .is_empty()
    );
}

#[test]
fn templated_values_as_patterns() {
    assert_eq!(matches_template("Deployment", "Deployment"), Some(10));
    assert_eq!(matches_template("\"Deployment\"", "Deployment"), Some(10));
    assert_eq!(matches_template("Deployment", "StatefulSet"), None);
    assert_eq!(
        matches_template("{{ .Release.Name }}-db", "rel-db"),
        Some(3)
    );
    assert_eq!(
        matches_template("{{ .Release.Name }}-db", "rel-cache"),
        None
    );
    assert_eq!(
        matches_template("\"{{ include \"x.fullname\" . }}-test\"", "a-b-test"),
        Some(5)
    );
    assert_eq!(matches_template("{{ .A }}-{{ .B }}", "a-b"), Some(1));
    assert_eq!(matches_template("{{ .A }}-{{ .B }}", "ab"), None);
    assert_eq!(matches_template("{{ .A }}", ""), Some(0));
    // A templated item name agrees with what it can render, and not with the rest.
    let text = "containers:\n  - name: {{ .Chart.Name }}-reloader\n    image: a\n  - name: {{ .Chart.Name }}\n    image: b\n";
    assert_eq!(line_of(text, "containers[name=shop].image", None), Some(5));
    assert_eq!(
        line_of(text, "containers[name=shop-reloader].image", None),
        Some(3)
    );
}

#[test]
fn list_items_and_rules() {
    let text = "kind: List\nitems:\n- kind: Pod\n  spec:\n    containers:\n    - image: a\n- kind: Pod\n  spec:\n    containers:\n    - image: b\n";
    assert_eq!(
        line_of(text, "items[1].spec.containers[0].image", None),
        Some(10)
    );
    assert_eq!(
        line_of(text, "items[0].spec.containers[0].image", None),
        Some(6)
    );
    let role = "rules:\n- apiGroups: [\"\"]\n  resources: [secrets]\n- apiGroups: [apps]\n  resources: {{ toYaml .Values.r }}\n";
    assert_eq!(line_of(role, "rules[1].resources", None), Some(5));
}

#[test]
fn comments_and_values() {
    let text = "a:\n  b: \"x # y\" # note\n  c: v # note\n  d: # only a comment\n  e: {{ \"#\" }}#1\n  f: 'it''s'\n";
    let idx = index(text);
    let values: Vec<Option<&str>> = idx.entries.iter().map(|e| value(text, e)).collect();
    assert_eq!(
        values,
        [
            None,
            Some("\"x # y\""),
            Some("v"),
            None,
            Some("{{ \"#\" }}#1"),
            Some("'it''s'")
        ]
    );
}

#[test]
fn crlf_bom_tabs_and_unicode() {
    let text =
        "\u{feff}metadata:\r\n  name: wéb\r\n  labels:\r\n    \"ünï\": \"çà\" \r\n\tx: y\r\n";
    let idx = index(text);
    let name = idx.locate("metadata.name", None).unwrap();
    assert_eq!(
        (name.line, key(text, name), value(text, name)),
        (2, "name", Some("wéb"))
    );
    let label = idx.locate("metadata.labels.ünï", None).unwrap();
    assert_eq!(value(text, label), Some("\"çà\""));
    assert_eq!(idx.entries[0].key.start, 3);
    assert!(idx.entries.iter().all(|e| !key(text, e).contains('\r')));
}

#[test]
fn multi_line_actions_and_comments_are_skipped() {
    let text = "{{/*\nimage: commented\n*/}}\nspec:\n  image: {{ include \"img\" (dict\n    \"a\" .Values.b\n    \"x\" 1) }}\n  {{- /* multi\n  fake: 1 */ -}}\n  tag: v\n";
    let idx = index(text);
    let keys: Vec<&str> = idx.entries.iter().map(|e| key(text, e)).collect();
    assert_eq!(keys, ["spec", "image", "tag"]);
    assert_eq!(idx.entries[2].path, ["spec", "tag"]);
    assert_eq!(
        refs("{{/* .Values.hidden */}} {{ .Values.shown }}"),
        ["shown"]
    );
}

#[test]
fn unclosed_action_at_end() {
    let text = "spec:\n  image: {{ .Values.image\n  tag: x\n{{ if";
    let idx = index(text);
    assert_eq!(idx.entries.len(), 2);
    assert_eq!(value(text, &idx.entries[1]), Some("{{ .Values.image"));
    assert_eq!(refs(text), ["image"]);
}

#[test]
fn values_refs_forms() {
    assert_eq!(
        refs(".Values.image.tag | default .Chart.AppVersion"),
        ["image/tag"]
    );
    assert_eq!(
        refs(
            r#"{{ include "common.images.image" (dict "imageRoot" .Values.image "global" .Values.global) }}"#
        ),
        ["image", "global"]
    );
    assert_eq!(refs(r#"{{ index .Values "a" "b-c" }}"#), ["a/b-c"]);
    assert_eq!(refs(r#"{{ (index .Values.a "b-c" "d") }}"#), ["a/b-c/d"]);
    assert_eq!(refs(r#"{{ index $.Values.a `x y` .z }}"#), ["a/x y"]);
    assert_eq!(
        refs("{{ $.Values.a.b }} {{ $root.Values.c }} {{ .Values.a.b }}"),
        ["a/b", "c"]
    );
    assert!(
        refs("{{ x.Values.a }} {{ .Values }} {{ .ValuesX.a }} {{ toYaml .Values | nindent 2 }}")
            .is_empty()
    );
    assert_eq!(refs("{{.Values.a-b}}\"{{ .Values.é }}"), ["a"]);
    assert_eq!(refs("{{ notindex .Values \"a\" }}"), Vec::<String>::new());
}

#[test]
fn app_version() {
    assert!(mentions_app_version(
        "{{ .Values.tag | default .Chart.AppVersion }}"
    ));
    assert!(mentions_app_version("{{ $.Chart.AppVersion }}"));
    assert!(!mentions_app_version(
        "{{/* .Chart.AppVersion */}} {{ .Chart.Version }}"
    ));
    assert!(!mentions_app_version("{{ .Chart.AppVersionX }}"));
}

#[test]
fn key_path_splitting() {
    assert_eq!(
        split_key_path("a[name=x.y].b"),
        [(0, "a[name=x.y]"), (12, "b")]
    );
    let segment = parse_segment("env[name=a.b]");
    assert_eq!(segment.selector, Some(Selector::Name("a.b")));
    assert_eq!(parse_segment("c[2]").selector, Some(Selector::Index(2)));
    assert_eq!(parse_segment("c[x]").selector, None);
    let text = "env:\n- name: a.b\n  value: 1\n- name: c\n  value: 2\n";
    assert_eq!(line_of(text, "env[name=a.b].value", None), Some(3));
    assert_eq!(line_of(text, "env[name=c].value", None), Some(5));
    assert_eq!(line_of(text, "", None), None);
}

/// Strings that mix every construct the parser reacts to.
const GARBAGE: &str = "\u{feff}a: |\n  b: c\n- - \"k\": 'v''w'\n  {{- x\n}} é: {{ \"}}\" }} # c\n---\n\t- [x]: {a: b}\r\n  \"unterminated: x\n'q': >2\n{{/* x\n*/}}{{ $k }}: ü\n  - name: n\n    - name: {{ .Values.a.b }} #\n index .Values \"a\" `b\n.Values.";

#[test]
fn never_panics_on_any_slice() {
    let boundaries: Vec<usize> = (0..=GARBAGE.len())
        .filter(|&i| GARBAGE.is_char_boundary(i))
        .collect();
    for &i in &boundaries {
        for text in [&GARBAGE[..i], &GARBAGE[i..]] {
            let idx = index(text);
            for path in ["a", "a.b", "x[0].name", "k[name=n].name", "a.b.c[1]"] {
                let _ = idx.locate(path, Some(0));
            }
            let _ = values_refs(text);
            let _ = mentions_app_version(text);
            let _ = idx.locate(text, None);
        }
    }
}

#[test]
fn never_panics_on_arbitrary_bytes() {
    let alphabet = b"{}-: \t\n\r\"'#|>.$`[]=/*\\aVn\xc3\xa9\xef\xbb\xbf\xff";
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for round in 0..400 {
        let mut bytes = Vec::new();
        for _ in 0..(round % 97) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            bytes.push(alphabet[(seed % alphabet.len() as u64) as usize]);
        }
        let text = String::from_utf8_lossy(&bytes);
        let idx = index(&text);
        let _ = idx.locate(&text, Some(1));
        let _ = idx.locate("a.b[name=n].c", None);
        let _ = values_refs(&text);
        let _ = mentions_app_version(&text);
    }
}

#[test]
fn whole_key_path_as_the_end_of_a_longer_path() {
    // A Pod's key path, found in a Deployment template (and the exact match preferred).
    let text = "spec:\n  template:\n    spec:\n      containers:\n      - image: a\n";
    assert_eq!(line_of(text, "spec.containers[0].image", None), Some(5));
    let both = format!("{text}---\nspec:\n  containers:\n  - image: b\n");
    assert_eq!(line_of(&both, "spec.containers[0].image", None), Some(9));
}

#[test]
fn templated_key_stands_for_a_dotted_data_key() {
    let text = "data:\n  {{- range $k, $v := .Values.files }}\n  {{ $k }}: {{ $v | b64enc }}\n  {{- end }}\n";
    assert_eq!(line_of(text, "data.tls.crt", None), Some(3));
    assert_eq!(line_of(text, "data.a.b.c", None), Some(3));
    assert_eq!(line_of(text, "stringData.tls.crt", None), None);
}

#[test]
fn huge_key_paths_stay_fast() {
    let text = "data:\n  a.b: 1\n  c: 2\n";
    let long = format!("data.{}", "x.".repeat(200_000));
    assert_eq!(line_of(text, &long, None), None);
    let dotted = format!("{}.data.a.b", "y[name=.]".repeat(50_000));
    assert_eq!(line_of(text, &dotted, None), Some(2));
}

#[test]
fn long_keys_are_bounded() {
    let long = "k".repeat(MAX_PATH_BYTES / 2 + 1);
    let text = format!("{long}:\n  {long}:\n    image: x\nok: 1\n");
    let idx = index(&text);
    assert!(
        idx.entries
            .iter()
            .all(|e| e.path.concat().len() <= MAX_PATH_BYTES)
    );
    assert_eq!(idx.locate("ok", None).map(|e| e.line), Some(4));
}

#[test]
fn deep_nesting_is_bounded() {
    let mut text = String::new();
    for depth in 0..(MAX_DEPTH * 2) {
        text.push_str(&" ".repeat(depth));
        text.push_str("k:\n");
    }
    let idx = index(&text);
    assert!(idx.entries.iter().all(|e| e.path.len() <= MAX_DEPTH));
    assert!(idx.entries.len() < MAX_DEPTH * 2);
}
