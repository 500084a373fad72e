// TEMPORARY compile shim until the real module lands.
use crate::source::Span;
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub line: usize,
    pub document: usize,
    pub key: Span,
    pub value: Option<Span>,
    pub path: Vec<String>,
    pub items: Vec<Item>,
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub depth: usize,
    pub ordinal: usize,
    pub name: Option<String>,
    pub line: usize,
}
#[derive(Debug, Clone, Default)]
pub struct TemplateIndex {
    pub entries: Vec<Entry>,
}
impl TemplateIndex {
    pub fn parse(_text: &str) -> TemplateIndex {
        TemplateIndex::default()
    }
    pub fn locate(&self, _key_path: &str, _document: Option<usize>) -> Option<&Entry> {
        None
    }
}
pub fn values_refs(_text: &str) -> Vec<Vec<String>> {
    Vec::new()
}
pub fn mentions_app_version(text: &str) -> bool {
    text.contains(".Chart.AppVersion")
}
